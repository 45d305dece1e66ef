package io.papertrading.query.trade;

import io.papertrading.kernel.instrument.OptionType;
import io.papertrading.kernel.money.Money;
import io.papertrading.kernel.money.ProfitAndLoss;
import io.papertrading.kernel.trade.CloseReason;
import io.papertrading.kernel.trade.Side;
import io.papertrading.kernel.trade.TradeId;
import io.papertrading.kernel.trade.TradeStatus;
import io.papertrading.kernel.trade.event.BracketsChangedEvent;
import io.papertrading.kernel.trade.event.BrokerProblemClearedEvent;
import io.papertrading.kernel.trade.event.BrokerProblemReportedEvent;
import io.papertrading.kernel.trade.event.CloseRequestedEvent;
import io.papertrading.kernel.trade.event.EntryOrderSubmittedEvent;
import io.papertrading.kernel.trade.event.EntryPartiallyFilledEvent;
import io.papertrading.kernel.trade.event.ExitOrderSubmittedEvent;
import io.papertrading.kernel.trade.event.ExitRejectedEvent;
import io.papertrading.kernel.trade.event.PositionReducedEvent;
import io.papertrading.kernel.trade.event.PriceObservedEvent;
import io.papertrading.kernel.trade.event.TradeAnnotatedEvent;
import io.papertrading.kernel.trade.event.TradeCanceledEvent;
import io.papertrading.kernel.trade.event.TradeClosedEvent;
import io.papertrading.kernel.trade.event.TradeExpiredEvent;
import io.papertrading.kernel.trade.event.TradeOpenedEvent;
import io.papertrading.kernel.trade.event.TradeRejectedEvent;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessException;
import org.springframework.transaction.support.TransactionTemplate;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static io.papertrading.query.trade.ProjectionHarness.eventId;
import static io.papertrading.query.trade.ProjectionHarness.money;
import static io.papertrading.query.trade.ProjectionHarness.newTradeId;
import static io.papertrading.query.trade.ProjectionHarness.optionOrder;
import static io.papertrading.query.trade.ProjectionHarness.stockOrder;
import static io.papertrading.query.trade.ProjectionHarness.uniqueUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The trade projection driven as a plain object (handler methods called with events, sequence numbers and event
 * ids) against PostgreSQL through the RLS-bound app role.
 */
class TradeProjectionIT {

    private static final Instant T0 = Instant.parse("2026-03-02T14:30:00Z");

    private final ProjectionHarness h = new ProjectionHarness();
    private final String alice = uniqueUser("alice");

    @Test
    void aWholeLifecycleProducesTheRowItsPnlAndItsTransitions() {
        TradeId id = newTradeId();
        String occ = "AAPL300621C00260000";
        h.place(id, alice, optionOrder(occ, 3, "2.15", "1.50", "3.20", "earnings run-up"), T0);
        h.projection.on(new EntryOrderSubmittedEvent(id, "SIMULATED", "SIM-1", T0.plusSeconds(1)), 1);
        h.projection.on(new EntryPartiallyFilledEvent(id, 1, money("2.10"), T0.plusSeconds(2)), 2, eventId());
        h.projection.on(new TradeOpenedEvent(id, 3, money("2.12"), "entry filled", T0.plusSeconds(3)), 3, eventId());
        h.projection.on(new CloseRequestedEvent(id, CloseReason.TAKE_PROFIT, "system", T0.plusSeconds(60)), 4, eventId());
        h.projection.on(new ExitOrderSubmittedEvent(id, "SIM-2", T0.plusSeconds(61)), 5);
        Money pnl = ProfitAndLoss.of(Side.BUY, money("2.12"), money("3.25"), BigDecimal.valueOf(3), BigDecimal.valueOf(100));
        h.projection.on(new TradeClosedEvent(id, CloseReason.TAKE_PROFIT, 3, money("3.25"), pnl, T0.plusSeconds(62)), 6, eventId());

        TradeView t = h.queries.find(alice, id.value()).orElseThrow();
        List<TransitionView> transitions = h.queries.transitions(alice, id.value()).orElseThrow();

        assertThat(t.username()).isEqualTo(alice);
        assertThat(t.symbol()).isEqualTo("AAPL");
        assertThat(t.optionSymbol()).isEqualTo(occ);
        assertThat(t.optionType()).isEqualTo(OptionType.CALL);
        assertThat(t.strike()).isEqualByComparingTo("260");
        assertThat(t.expiry()).isEqualTo(LocalDate.of(2030, 6, 21));
        assertThat(t.quantity()).isEqualTo(3);
        assertThat(t.filledQuantity()).isEqualTo(3);
        assertThat(t.limitPrice()).isEqualByComparingTo("2.15");
        assertThat(t.stopLoss()).isEqualByComparingTo("1.50");
        assertThat(t.takeProfit()).isEqualByComparingTo("3.20");
        assertThat(t.entryPrice()).isEqualByComparingTo("2.12");
        assertThat(t.exitPrice()).isEqualByComparingTo("3.25");
        assertThat(t.realizedPnl()).isEqualByComparingTo("339");
        assertThat(t.unrealizedPnl()).isEqualByComparingTo("0");
        assertThat(t.status()).isEqualTo(TradeStatus.CLOSED);
        assertThat(t.closeReason()).isEqualTo(CloseReason.TAKE_PROFIT);
        assertThat(t.broker()).isEqualTo("SIMULATED");
        assertThat(t.brokerOrderId()).isEqualTo("SIM-1");
        assertThat(t.strategy()).isEqualTo("momentum");
        assertThat(t.notes()).isEqualTo("earnings run-up");
        assertThat(t.idempotencyKey()).isEqualTo("key-" + id.value());
        assertThat(t.version()).isEqualTo(7);
        assertThat(t.createdAt()).isEqualTo(T0);
        assertThat(t.openedAt()).isEqualTo(T0.plusSeconds(3));
        assertThat(t.closedAt()).isEqualTo(T0.plusSeconds(62));
        assertThat(t.updatedAt()).isEqualTo(T0.plusSeconds(62));
        String exitOrderId = h.ownerJdbc.queryForObject("select exit_order_id from paper_trades where id = ?", String.class, id.value());
        assertThat(exitOrderId).isEqualTo("SIM-2");
        assertThat(transitions).extracting(TransitionView::from).containsExactly(
                null, TradeStatus.PENDING, TradeStatus.PARTIALLY_FILLED, TradeStatus.OPEN, TradeStatus.CLOSING);
        assertThat(transitions).extracting(TransitionView::to).containsExactly(
                TradeStatus.PENDING, TradeStatus.PARTIALLY_FILLED, TradeStatus.OPEN, TradeStatus.CLOSING, TradeStatus.CLOSED);
        assertThat(transitions).extracting(TransitionView::version).containsExactly(1L, 3L, 4L, 5L, 7L);
        assertThat(transitions).extracting(TransitionView::actor).containsExactly(alice, "broker", "broker", "system", "broker");
        assertThat(transitions.get(0).reason()).isEqualTo("placed");
        assertThat(transitions.get(4).occurredAt()).isEqualTo(T0.plusSeconds(62));
    }

    @Test
    void aBrokerRejectionCancelsTheTradeWithReasonRejected() {
        TradeId id = newTradeId();
        h.place(id, alice, stockOrder("MSFT", "BUY", 10, null), T0);
        h.projection.on(new TradeRejectedEvent(id, "insufficient buying power", T0.plusSeconds(2)), 1, eventId());

        TradeView t = h.queries.find(alice, id.value()).orElseThrow();

        assertThat(t.status()).isEqualTo(TradeStatus.CANCELED);
        assertThat(t.closeReason()).isEqualTo(CloseReason.REJECTED);
        assertThat(t.closedAt()).isEqualTo(T0.plusSeconds(2));
        assertThat(t.version()).isEqualTo(2);
        assertThat(t.tradeContext()).containsEntry("rejectionReason", "insufficient buying power");
        assertThat(h.queries.transitions(alice, id.value()).orElseThrow())
                .extracting(TransitionView::to, TransitionView::actor)
                .last().isEqualTo(org.assertj.core.groups.Tuple.tuple(TradeStatus.CANCELED, "broker"));
    }

    @Test
    void aTimeoutCancelKeepsItsReason() {
        TradeId id = newTradeId();
        h.place(id, alice, stockOrder("MSFT", "SELL", 5, null), T0);
        h.projection.on(new EntryOrderSubmittedEvent(id, "TRADIER", "T-9", T0.plusSeconds(1)), 1);
        h.projection.on(new TradeCanceledEvent(id, CloseReason.TIMEOUT, "no confirmation", "system", T0.plusSeconds(30)), 2, eventId());

        TradeView t = h.queries.find(alice, id.value()).orElseThrow();

        assertThat(t.status()).isEqualTo(TradeStatus.CANCELED);
        assertThat(t.closeReason()).isEqualTo(CloseReason.TIMEOUT);
        assertThat(t.side()).isEqualTo(Side.SELL);
        assertThat(t.version()).isEqualTo(3);
        assertThat(h.queries.transitions(alice, id.value()).orElseThrow()).last()
                .extracting(TransitionView::from, TransitionView::reason)
                .containsExactly(TradeStatus.PENDING, "TIMEOUT: no confirmation");
    }

    @Test
    void anOptionExpirySettlesAtIntrinsicValue() {
        TradeId id = newTradeId();
        h.place(id, alice, optionOrder("SPY300621P00400000", 2, "5.00", null, null, null), T0);
        h.projection.on(new TradeOpenedEvent(id, 2, money("5.00"), "entry filled", T0.plusSeconds(1)), 1, eventId());
        h.projection.on(new TradeExpiredEvent(id, money("397.50"), money("2.50"), 2, money("-500"),
                T0.plusSeconds(86_400)), 2, eventId());

        TradeView t = h.queries.find(alice, id.value()).orElseThrow();

        assertThat(t.status()).isEqualTo(TradeStatus.EXPIRED);
        assertThat(t.closeReason()).isEqualTo(CloseReason.EXPIRED);
        assertThat(t.optionType()).isEqualTo(OptionType.PUT);
        assertThat(t.exitPrice()).isEqualByComparingTo("2.50");
        assertThat(t.realizedPnl()).isEqualByComparingTo("-500");
        assertThat(t.closedAt()).isEqualTo(T0.plusSeconds(86_400));
        assertThat((BigDecimal) t.tradeContext().get("expiryUnderlyingPrice")).isEqualByComparingTo("397.50");
        assertThat(h.queries.transitions(alice, id.value()).orElseThrow())
                .extracting(TransitionView::to).containsExactly(TradeStatus.PENDING, TradeStatus.OPEN, TradeStatus.EXPIRED);
    }

    @Test
    void aRejectedExitReturnsTheTradeToOpenAndClearsTheProvisionalReason() {
        TradeId id = newTradeId();
        h.place(id, alice, stockOrder("TSLA", "BUY", 1, null), T0);
        h.projection.on(new TradeOpenedEvent(id, 1, money("250"), "entry filled", T0.plusSeconds(1)), 1, eventId());
        h.projection.on(new CloseRequestedEvent(id, CloseReason.MANUAL, alice, T0.plusSeconds(2)), 2, eventId());
        TradeView closing = h.queries.find(alice, id.value()).orElseThrow();
        h.projection.on(new ExitOrderSubmittedEvent(id, "X-1", T0.plusSeconds(3)), 3);
        h.projection.on(new ExitRejectedEvent(id, "market closed", T0.plusSeconds(4)), 4, eventId());

        TradeView t = h.queries.find(alice, id.value()).orElseThrow();

        assertThat(closing.status()).isEqualTo(TradeStatus.CLOSING);
        assertThat(closing.closeReason()).isEqualTo(CloseReason.MANUAL);
        assertThat(t.status()).isEqualTo(TradeStatus.OPEN);
        assertThat(t.closeReason()).isNull();
        assertThat(t.openedAt()).isEqualTo(T0.plusSeconds(1));
        assertThat(t.version()).isEqualTo(5);
        assertThat(t.tradeContext()).containsEntry("lastExitRejection", "market closed");
    }

    @Test
    void aPartialExitRealizesItsPartAndLaterPricesValueOnlyWhatIsStillHeld() {
        TradeId id = newTradeId();
        h.place(id, alice, stockOrder("TSLA", "BUY", 5, null), T0);
        h.projection.on(new TradeOpenedEvent(id, 5, money("250"), "entry filled", T0.plusSeconds(1)), 1, eventId());
        h.projection.on(new CloseRequestedEvent(id, CloseReason.MANUAL, alice, T0.plusSeconds(2)), 2, eventId());
        h.projection.on(new PositionReducedEvent(id, 2, money("254"), money("8"), 3, "exit order canceled after filling 2 of 5",
                T0.plusSeconds(3)), 3);
        h.projection.on(new ExitRejectedEvent(id, "canceled by the exchange", T0.plusSeconds(4)), 4, eventId());
        h.projection.on(new PriceObservedEvent(id, alice, null, null, money("260"), money("260"), null, null, null,
                T0.plusSeconds(5)), eventId());

        TradeView open = h.queries.find(alice, id.value()).orElseThrow();
        assertThat(open.status()).isEqualTo(TradeStatus.OPEN);
        assertThat(open.filledQuantity()).as("the entry fill").isEqualTo(5);
        assertThat(open.tradeContext()).containsEntry("exitedQuantity", 2);
        assertThat(open.realizedPnl()).isEqualByComparingTo("8");
        assertThat(open.unrealizedPnl()).as("3 held × 10").isEqualByComparingTo("30");
        assertThat(open.version()).isEqualTo(5);

        h.projection.on(new CloseRequestedEvent(id, CloseReason.MANUAL, alice, T0.plusSeconds(6)), 5, eventId());
        h.projection.on(new TradeClosedEvent(id, CloseReason.MANUAL, 3, money("256"), money("26"), T0.plusSeconds(7)),
                6, eventId());

        TradeView closed = h.queries.find(alice, id.value()).orElseThrow();
        assertThat(closed.realizedPnl()).as("the trade's total: 2 × 4 + 3 × 6").isEqualByComparingTo("26");
        assertThat(closed.unrealizedPnl()).isEqualByComparingTo("0");
    }

    @Test
    void aBrokerProblemShowsOnTheTradeUntilItClearsAndCountsAsVersions() {
        TradeId id = newTradeId();
        h.place(id, alice, stockOrder("TSLA", "BUY", 1, null), T0);
        h.projection.on(new BrokerProblemReportedEvent(id, "Tradier refused the access token (HTTP 401)",
                T0.plusSeconds(1)), 1);
        TradeView troubled = h.queries.find(alice, id.value()).orElseThrow();
        h.projection.on(new BrokerProblemClearedEvent(id, T0.plusSeconds(2)), 2);
        TradeView cleared = h.queries.find(alice, id.value()).orElseThrow();

        assertThat(troubled.tradeContext()).containsEntry("brokerProblem", "Tradier refused the access token (HTTP 401)");
        assertThat(troubled.version()).isEqualTo(2);
        assertThat(cleared.tradeContext()).doesNotContainKey("brokerProblem");
        assertThat(cleared.version()).isEqualTo(3);
        assertThat(cleared.status()).isEqualTo(TradeStatus.PENDING);
    }

    @Test
    void bracketsAndNotesUpdateTheRowAndCountAsVersions() {
        TradeId id = newTradeId();
        h.place(id, alice, optionOrder("AAPL300621C00260000", 1, "2.00", "1.00", "3.00", "first"), T0);
        h.projection.on(new BracketsChangedEvent(id, money("1.20"), null, alice, T0.plusSeconds(1)), 1);
        h.projection.on(new TradeAnnotatedEvent(id, "second", alice, T0.plusSeconds(2)), 2);
        h.projection.on(new TradeAnnotatedEvent(id, "third", alice, T0.plusSeconds(3)), 3);

        TradeView t = h.queries.find(alice, id.value()).orElseThrow();

        assertThat(t.stopLoss()).isEqualByComparingTo("1.20");
        assertThat(t.takeProfit()).isNull();
        assertThat(t.notes()).isEqualTo("first\nsecond\nthird");
        assertThat(t.version()).isEqualTo(4);
        assertThat(t.status()).isEqualTo(TradeStatus.PENDING);
        assertThat(h.queries.transitions(alice, id.value()).orElseThrow()).hasSize(1);
    }

    @Test
    void aRedeliveredEventChangesNothing() {
        TradeId id = newTradeId();
        h.place(id, alice, stockOrder("AMD", "BUY", 4, null), T0);
        String openedId = eventId();
        TradeOpenedEvent opened = new TradeOpenedEvent(id, 4, money("100"), "entry filled", T0.plusSeconds(1));
        h.projection.on(opened, 1, openedId);
        TradeAnnotatedEvent note = new TradeAnnotatedEvent(id, "once", alice, T0.plusSeconds(2));
        h.projection.on(note, 2);
        TradeView before = h.queries.find(alice, id.value()).orElseThrow();

        h.projection.on(opened, 1, openedId);
        h.projection.on(note, 2);
        h.projection.on(new EntryOrderSubmittedEvent(id, "LATE", "late", T0), 1);
        h.projection.on(new TradeOpenedEvent(id, 4, money("100"), "entry filled", T0.plusSeconds(1)), 1, eventId());
        h.place(id, alice, stockOrder("AMD", "BUY", 4, null), T0);

        TradeView after = h.queries.find(alice, id.value()).orElseThrow();
        assertThat(after).isEqualTo(before);
        assertThat(after.version()).isEqualTo(3);
        assertThat(after.notes()).isEqualTo("once");
        assertThat(h.queries.transitions(alice, id.value()).orElseThrow()).hasSize(2);
    }

    @Test
    void laterEventsFindTheirUserAfterARestart() {
        TradeId id = newTradeId();
        h.place(id, alice, stockOrder("NVDA", "BUY", 1, null), T0);
        TradeProjection restarted = h.freshProjection();

        restarted.on(new TradeOpenedEvent(id, 1, money("900"), "entry filled", T0.plusSeconds(1)), 1, eventId());

        assertThat(restarted.cachedOwners()).isEqualTo(1);
        assertThat(h.queries.find(alice, id.value()).orElseThrow().status()).isEqualTo(TradeStatus.OPEN);
    }

    @Test
    void anEventOfAnUnknownTradeIsSkipped() {
        TradeId unknown = newTradeId();

        h.projection.on(new TradeOpenedEvent(unknown, 1, money("1"), "entry filled", T0), 1, eventId());

        Long rows = h.ownerJdbc.queryForObject("select count(*) from paper_trades where id = ?", Long.class, unknown.value());
        assertThat(rows).isZero();
    }

    @Test
    void theProjectionJoinsTheProcessorsTransactionAndRollsBackWithIt() {
        TradeId id = newTradeId();
        TransactionTemplate processorTx = new TransactionTemplate(h.transactionManager);

        processorTx.executeWithoutResult(status -> {
            h.place(id, alice, stockOrder("IBM", "BUY", 1, null), T0);
            status.setRollbackOnly();
        });

        Long rows = h.ownerJdbc.queryForObject("select count(*) from paper_trades where id = ?", Long.class, id.value());
        assertThat(rows).isZero();
    }

    @Test
    void aBatchFoldsEachTradeFromTheRowsItWroteAndForgetsAHandlerRolledBackToItsSavepoint() {
        TradeId id = newTradeId();
        h.place(id, alice, stockOrder("TSLA", "BUY", 2, null), T0);

        new TransactionTemplate(h.transactionManager).executeWithoutResult(batch -> {
            h.projection.on(new TradeOpenedEvent(id, 2, money("100"), "entry filled", T0.plusSeconds(1)), 1, eventId());
            h.projection.on(new PriceObservedEvent(id, alice, null, null, null, money("104"), null, null, null,
                    T0.plusSeconds(2)), eventId());
            Object savepoint = batch.createSavepoint();
            // the row is written, then the snapshot's implied volatility overflows its column: the handler fails
            PriceObservedEvent poisoned = new PriceObservedEvent(id, alice, null, null, null, money("110"), null,
                    new BigDecimal("1e12"), null, T0.plusSeconds(3));
            assertThatThrownBy(() -> h.projection.on(poisoned, eventId())).isInstanceOf(DataAccessException.class);
            batch.rollbackToSavepoint(savepoint);
            h.projection.on(new TradeAnnotatedEvent(id, "after", alice, T0.plusSeconds(4)), 2);
        });

        TradeView t = h.queries.find(alice, id.value()).orElseThrow();
        assertThat(t.status()).isEqualTo(TradeStatus.OPEN);
        assertThat(t.version()).isEqualTo(3);
        assertThat(t.notes()).isEqualTo("after");
        assertThat(t.lastPrice()).as("the failed observation left nothing").isEqualByComparingTo("104");
        assertThat(t.unrealizedPnl()).isEqualByComparingTo("8");
        assertThat(t.mfe()).isEqualByComparingTo("8");
        assertThat(h.queries.transitions(alice, id.value()).orElseThrow()).hasSize(2);
    }

    @Test
    void aTradesEventsInOneBatchAreWrittenOnceWithEveryTransitionBeforeAnotherTradesEvent() {
        java.util.concurrent.atomic.AtomicInteger rowWrites = new java.util.concurrent.atomic.AtomicInteger();
        org.springframework.jdbc.core.JdbcTemplate counting = new org.springframework.jdbc.core.JdbcTemplate(
                h.engineDataSource) {
            @Override
            public int update(String sql, Object... args) {
                if (sql.contains("update paper_trades")) {
                    rowWrites.incrementAndGet();
                }
                return super.update(sql, args);
            }
        };
        TradeProjection projection = new TradeProjection(counting, h.engineScope, h.transactionManager, h.signal);
        String bob = uniqueUser("bob");
        TradeId first = newTradeId();
        TradeId second = newTradeId();
        projection.on(new io.papertrading.kernel.trade.event.TradePlacedEvent(first, alice,
                stockOrder("AAPL", "BUY", 2, null), "k1", "h1", T0), 0, eventId());
        projection.on(new io.papertrading.kernel.trade.event.TradePlacedEvent(second, bob,
                stockOrder("MSFT", "BUY", 3, null), "k2", "h2", T0), 0, eventId());

        new TransactionTemplate(h.transactionManager).executeWithoutResult(batch -> {
            projection.on(new EntryOrderSubmittedEvent(first, "SIMULATED", "SIM-1", T0.plusSeconds(1)), 1);
            projection.on(new TradeOpenedEvent(first, 2, money("100"), "entry filled", T0.plusSeconds(1)), 2, eventId());
            assertThat(rowWrites).as("held back while its trade's events come").hasValue(0);
            projection.on(new EntryOrderSubmittedEvent(second, "SIMULATED", "SIM-2", T0.plusSeconds(2)), 1);
            assertThat(rowWrites).as("written before another trade's event").hasValue(1);
            projection.on(new TradeOpenedEvent(second, 3, money("50"), "entry filled", T0.plusSeconds(2)), 2, eventId());
        });

        assertThat(rowWrites).as("one write per trade, the last at commit").hasValue(2);
        for (var trade : List.of(java.util.Map.entry(first, alice), java.util.Map.entry(second, bob))) {
            TradeView t = h.queries.find(trade.getValue(), trade.getKey().value()).orElseThrow();
            assertThat(t.status()).isEqualTo(TradeStatus.OPEN);
            assertThat(t.version()).isEqualTo(3);
            assertThat(t.brokerOrderId()).startsWith("SIM-");
            assertThat(h.queries.transitions(trade.getValue(), trade.getKey().value()).orElseThrow())
                    .extracting(TransitionView::to).containsExactly(TradeStatus.PENDING, TradeStatus.OPEN);
        }
    }

    @Test
    void priceObservationsValueTheOpenPositionWithoutChangingItsVersion() {
        TradeId id = newTradeId();
        h.place(id, alice, optionOrder("AAPL300621C00260000", 2, "2.00", null, null, null), T0);
        h.projection.on(new TradeOpenedEvent(id, 2, money("2.00"), "entry filled", T0.plusSeconds(1)), 1, eventId());
        String firstQuote = eventId();
        PriceObservedEvent up = new PriceObservedEvent(id, alice, money("2.45"), money("2.55"), money("2.50"),
                money("2.50"), money("262"), new BigDecimal("0.31"), new BigDecimal("0.55"), T0.plusSeconds(10));
        h.projection.on(up, firstQuote);
        h.projection.on(up, firstQuote);
        h.projection.on(new PriceObservedEvent(id, alice, money("1.45"), money("1.55"), null, null, null, null, null,
                T0.plusSeconds(20)), eventId());

        TradeView t = h.queries.find(alice, id.value()).orElseThrow();
        List<BigDecimal> snapshotPnl = h.userScope.read(alice, jdbc -> jdbc.queryForList(
                "select unrealized_pnl from price_snapshots where trade_id = ? order by at", BigDecimal.class, id.value()));

        assertThat(t.version()).isEqualTo(2);
        assertThat(t.lastPrice()).isEqualByComparingTo("1.50");
        assertThat(t.unrealizedPnl()).isEqualByComparingTo("-100");
        assertThat(t.mfe()).isEqualByComparingTo("100");
        assertThat(t.mae()).isEqualByComparingTo("-100");
        assertThat(snapshotPnl).hasSize(2);
        assertThat(snapshotPnl.get(0)).isEqualByComparingTo("100");
        assertThat(snapshotPnl.get(1)).isEqualByComparingTo("-100");
    }

    @Test
    void aReaderWaitingForAVersionIsAnsweredWhenTheProjectionCatchesUp() {
        TradeId id = newTradeId();
        h.place(id, alice, stockOrder("AMZN", "BUY", 1, null), T0);

        CompletableFuture<TradeView> waiting = CompletableFuture.supplyAsync(
                () -> h.queries.findAtLeast(alice, id.value(), 2, Duration.ofSeconds(5)).orElseThrow());
        h.projection.on(new EntryOrderSubmittedEvent(id, "SIMULATED", "S-1", T0.plusSeconds(1)), 1);

        await().atMost(Duration.ofSeconds(4)).until(waiting::isDone);
        assertThat(waiting.join().version()).isEqualTo(2);
    }

    @Test
    void aReaderWaitingForATradeNotYetProjectedGetsItOncePlaced() {
        TradeId id = newTradeId();

        CompletableFuture<TradeView> waiting = CompletableFuture.supplyAsync(
                () -> h.queries.findAtLeast(alice, id.value(), 1, Duration.ofSeconds(5)).orElseThrow());
        h.place(id, alice, stockOrder("AMZN", "BUY", 1, null), T0);

        await().atMost(Duration.ofSeconds(4)).until(waiting::isDone);
        assertThat(waiting.join().status()).isEqualTo(TradeStatus.PENDING);
    }

    @Test
    void aReaderWaitingForAVersionNeverReachedGetsWhatThereIsAfterTheWait() {
        TradeId id = newTradeId();
        h.place(id, alice, stockOrder("AMZN", "BUY", 1, null), T0);

        TradeView t = h.queries.findAtLeast(alice, id.value(), 9, Duration.ofMillis(200)).orElseThrow();

        assertThat(t.version()).isEqualTo(1);
    }
}
