package io.papertrading.query.trade;

import io.papertrading.kernel.money.Money;
import io.papertrading.kernel.trade.CloseReason;
import io.papertrading.kernel.trade.TradeId;
import io.papertrading.kernel.trade.TradeOrder;
import io.papertrading.kernel.trade.TradeStatus;
import io.papertrading.kernel.trade.event.BracketsChangedEvent;
import io.papertrading.kernel.trade.event.BrokerProblemClearedEvent;
import io.papertrading.kernel.trade.event.BrokerProblemReportedEvent;
import io.papertrading.kernel.trade.event.CancelRequestedEvent;
import io.papertrading.kernel.trade.event.CloseRequestedEvent;
import io.papertrading.kernel.trade.event.EntryFilledWhileClosingEvent;
import io.papertrading.kernel.trade.event.EntryOrderSubmittedEvent;
import io.papertrading.kernel.trade.event.EntryPartiallyFilledEvent;
import io.papertrading.kernel.trade.event.ExitOrderSubmittedEvent;
import io.papertrading.kernel.trade.event.ExitRejectedEvent;
import io.papertrading.kernel.trade.event.PositionReducedEvent;
import io.papertrading.kernel.trade.event.PriceObservedEvent;
import io.papertrading.kernel.trade.event.TradeAnnotatedEvent;
import io.papertrading.kernel.trade.event.TradeCanceledEvent;
import io.papertrading.kernel.trade.event.TradeClosedEvent;
import io.papertrading.kernel.trade.event.TradeEvent;
import io.papertrading.kernel.trade.event.TradeExpiredEvent;
import io.papertrading.kernel.trade.event.TradeOpenedEvent;
import io.papertrading.kernel.trade.event.TradePlacedEvent;
import io.papertrading.kernel.trade.event.TradeRejectedEvent;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;

import static org.assertj.core.api.Assertions.assertThat;

/** The trade fold as a plain function: each event type, prices, the multiplier, money to the cent. */
class TradeFoldTest {

    private static final Instant T0 = Instant.parse("2026-03-02T14:30:00Z");
    private static final TradeId ID = new TradeId("t-1");
    private static final String OPTION = "AAPL300621C00260000";

    private static TradeRow placed(TradeOrder order) {
        return TradeFold.evolve(null, new TradePlacedEvent(ID, "alice", order, "key", "hash", T0), 0);
    }

    private static TradeOrder option(String side, int quantity) {
        return TradeOrder.validated("AAPL", OPTION, side, quantity, "LIMIT", new BigDecimal("2.15"), null, null,
                "momentum", "first", LocalDate.of(2026, 1, 2));
    }

    private static TradeOrder stock(String side, int quantity) {
        return TradeOrder.validated("MSFT", null, side, quantity, "MARKET", null, null, null, null, null,
                LocalDate.of(2026, 1, 2));
    }

    /** Folds {@code events} into {@code row} as the stream's sequence numbers 1, 2, ... after the placement. */
    private static TradeRow fold(TradeRow row, TradeEvent... events) {
        TradeRow r = row;
        for (TradeEvent e : events) {
            r = TradeFold.evolve(r, e, r.trade().version());
        }
        return r;
    }

    private static PriceObservedEvent mark(String price, long second) {
        return new PriceObservedEvent(ID, "alice", null, null, null, Money.of(price), null, null, null,
                T0.plusSeconds(second));
    }

    private static Money m(String amount) {
        return Money.of(amount);
    }

    private static Instant at(long second) {
        return T0.plusSeconds(second);
    }

    @Test
    void aPlacementStartsAPendingRowWithTheOrdersFieldsAsStored() {
        TradeView t = placed(option("BUY", 3)).trade();

        assertThat(t.status()).isEqualTo(TradeStatus.PENDING);
        assertThat(t.version()).isEqualTo(1);
        assertThat(t.symbol()).isEqualTo("AAPL");
        assertThat(t.optionSymbol()).isEqualTo(OPTION);
        assertThat(t.strike()).isEqualTo(new BigDecimal("260.000"));
        assertThat(t.limitPrice()).isEqualTo(new BigDecimal("2.1500"));
        assertThat(t.filledQuantity()).isZero();
        assertThat(t.notes()).isEqualTo("first");
        assertThat(t.createdAt()).isEqualTo(T0).isEqualTo(t.updatedAt());
        assertThat(t.tradeContext()).isEmpty();
        assertThat(placed(option("BUY", 3)).multiplier()).isEqualByComparingTo("100");
        assertThat(placed(stock("BUY", 3)).multiplier()).isEqualByComparingTo("1");
    }

    @Test
    void partialFillsCarryTheAverageEntryAtTheColumnsFourDecimalsAndStartTheExcursionsAtZero() {
        TradeRow partly = fold(placed(option("BUY", 3)),
                new EntryPartiallyFilledEvent(ID, 1, m("2.10"), at(1)));
        TradeRow open = fold(partly, new TradeOpenedEvent(ID, 3, m("2.1233333333"), "entry filled", at(2)));

        assertThat(partly.trade().status()).isEqualTo(TradeStatus.PARTIALLY_FILLED);
        assertThat(partly.trade().filledQuantity()).isEqualTo(1);
        assertThat(partly.trade().mfe()).isEqualTo(new BigDecimal("0.0000"));
        assertThat(partly.context()).containsEntry("mfe", BigDecimal.ZERO).containsEntry("mae", BigDecimal.ZERO);
        assertThat(open.trade().status()).isEqualTo(TradeStatus.OPEN);
        assertThat(open.trade().filledQuantity()).isEqualTo(3);
        assertThat(open.trade().entryPrice()).isEqualTo(new BigDecimal("2.1233"));
        assertThat(open.trade().openedAt()).isEqualTo(at(2));
        assertThat(open.trade().version()).isEqualTo(3);
    }

    @Test
    void anOptionIsValuedAtOneHundredSharesAContractAndAStockAtOne() {
        TradeRow option = fold(placed(option("BUY", 2)), new TradeOpenedEvent(ID, 2, m("2.00"), "filled", at(1)));
        TradeRow stock = fold(placed(stock("BUY", 2)), new TradeOpenedEvent(ID, 2, m("2.00"), "filled", at(1)));

        assertThat(TradeFold.observe(option, mark("2.50", 2)).trade().unrealizedPnl()).isEqualTo(new BigDecimal("100.0000"));
        assertThat(TradeFold.observe(stock, mark("2.50", 2)).trade().unrealizedPnl()).isEqualTo(new BigDecimal("1.0000"));
    }

    @Test
    void aShortGainsWhenThePriceFalls() {
        TradeRow open = fold(placed(stock("SELL", 10)), new TradeOpenedEvent(ID, 10, m("401.37"), "filled", at(1)));

        TradeView t = TradeFold.observe(open, mark("400.005", 2)).trade();

        assertThat(t.unrealizedPnl()).as("(401.37 − 400.005) × 10, to the cent").isEqualTo(new BigDecimal("13.6500"));
        assertThat(t.lastPrice()).as("rounded half away from zero, as numeric(19, 4)").isEqualTo(new BigDecimal("400.0050"));
    }

    @Test
    void pricesMoveTheExcursionsAndRememberWhenEachWasReached() {
        TradeRow open = fold(placed(option("BUY", 2)), new TradeOpenedEvent(ID, 2, m("2.00"), "filled", at(1)));

        TradeRow up = TradeFold.observe(open, mark("2.50", 10));
        TradeRow down = TradeFold.observe(up, mark("1.40", 20));
        TradeRow back = TradeFold.observe(down, mark("2.10", 30));
        TradeView t = back.trade();

        assertThat(t.lastPrice()).isEqualByComparingTo("2.10");
        assertThat(t.unrealizedPnl()).isEqualByComparingTo("20");
        assertThat(t.mfe()).isEqualByComparingTo("100");
        assertThat(t.mae()).isEqualByComparingTo("-120");
        assertThat(back.context()).containsEntry("mfeAt", "2026-03-02T14:30:10+00:00")
                .containsEntry("maeAt", "2026-03-02T14:30:20+00:00");
        assertThat(t.version()).as("prices are not part of the stream").isEqualTo(2);
        assertThat(t.updatedAt()).isEqualTo(at(1));
    }

    @Test
    void aPendingTradeTakesTheLastPriceButHasNothingToValue() {
        TradeRow pending = placed(stock("BUY", 1));

        TradeView t = TradeFold.observe(pending, mark("10", 1)).trade();

        assertThat(t.lastPrice()).isEqualByComparingTo("10");
        assertThat(t.unrealizedPnl()).isNull();
        assertThat(t.mfe()).isNull();
    }

    @Test
    void aFinishedTradeIgnoresPrices() {
        TradeRow closed = fold(placed(stock("BUY", 1)), new TradeOpenedEvent(ID, 1, m("10"), "filled", at(1)),
                new TradeClosedEvent(ID, CloseReason.MANUAL, 1, m("11"), m("1"), at(2)));

        assertThat(TradeFold.observe(closed, mark("50", 3))).isSameAs(closed);
    }

    @Test
    void aPartialExitRealizesItsPartAndLaterPricesValueOnlyWhatIsStillHeld() {
        TradeRow reduced = fold(placed(stock("BUY", 5)), new TradeOpenedEvent(ID, 5, m("250"), "filled", at(1)),
                new CloseRequestedEvent(ID, CloseReason.MANUAL, "alice", at(2)),
                new PositionReducedEvent(ID, 2, m("254"), m("8"), 3, "2 of 5", at(3)),
                new ExitRejectedEvent(ID, "canceled", at(4)));

        TradeView valued = TradeFold.observe(reduced, mark("260", 5)).trade();
        TradeView closed = fold(reduced, new CloseRequestedEvent(ID, CloseReason.MANUAL, "alice", at(6)),
                new TradeClosedEvent(ID, CloseReason.MANUAL, 3, m("256"), m("26"), at(7))).trade();

        assertThat(reduced.heldQuantity()).isEqualTo(3);
        assertThat(reduced.trade().filledQuantity()).as("the entry fill").isEqualTo(5);
        assertThat(reduced.trade().realizedPnl()).isEqualByComparingTo("8");
        assertThat(reduced.context()).containsEntry("exitedQuantity", 2);
        assertThat(valued.unrealizedPnl()).as("3 held × 10").isEqualByComparingTo("30");
        assertThat(closed.realizedPnl()).as("the trade's total").isEqualByComparingTo("26");
        assertThat(closed.unrealizedPnl()).isEqualByComparingTo("0");
    }

    @Test
    void theCloseRealizesToTheCentAndCountsAsTheLastExcursion() {
        TradeRow open = fold(placed(option("BUY", 3)), new TradeOpenedEvent(ID, 3, m("2.1233333333"), "filled", at(1)));
        TradeRow up = TradeFold.observe(open, mark("2.50", 2));

        TradeRow closed = fold(up, new CloseRequestedEvent(ID, CloseReason.STOP_LOSS, "system", at(3)),
                new ExitOrderSubmittedEvent(ID, "X-1", at(4)),
                new TradeClosedEvent(ID, CloseReason.STOP_LOSS, 3, m("1.50"), m("-186.99999999"), at(5)));
        TradeView t = closed.trade();

        assertThat(t.status()).isEqualTo(TradeStatus.CLOSED);
        assertThat(t.closeReason()).isEqualTo(CloseReason.STOP_LOSS);
        assertThat(t.exitPrice()).isEqualTo(new BigDecimal("1.5000"));
        assertThat(t.realizedPnl()).isEqualTo(new BigDecimal("-187.0000"));
        assertThat(t.mfe()).as("(2.50 − 2.1233) × 300").isEqualTo(new BigDecimal("113.0100"));
        assertThat(t.mae()).isEqualTo(new BigDecimal("-187.0000"));
        assertThat(closed.context()).as("the context keeps the exact figure").containsEntry("mae", new BigDecimal("-186.99999999"));
        assertThat(closed.exitOrderId()).isEqualTo("X-1");
        assertThat(t.closedAt()).isEqualTo(at(5));
        assertThat(t.version()).isEqualTo(5);
    }

    @Test
    void anOptionExpirySettlesAndAnUnfilledOneHasNoExcursions() {
        TradeRow held = fold(placed(option("BUY", 2)), new TradeOpenedEvent(ID, 2, m("5.00"), "filled", at(1)),
                new TradeExpiredEvent(ID, m("397.50"), m("2.50"), 2, m("-500"), at(86_400)));
        TradeRow unfilled = fold(placed(option("BUY", 2)),
                new TradeExpiredEvent(ID, m("397.50"), m("0"), 0, Money.ZERO, at(86_400)));

        assertThat(held.trade().status()).isEqualTo(TradeStatus.EXPIRED);
        assertThat(held.trade().closeReason()).isEqualTo(CloseReason.EXPIRED);
        assertThat(held.trade().realizedPnl()).isEqualByComparingTo("-500");
        assertThat(held.trade().unrealizedPnl()).isEqualByComparingTo("0");
        assertThat(held.trade().mae()).isEqualByComparingTo("-500");
        assertThat(held.context()).containsEntry("expiryUnderlyingPrice", new BigDecimal("397.50"));
        assertThat(unfilled.trade().unrealizedPnl()).isNull();
        assertThat(unfilled.trade().mfe()).isNull();
        assertThat(unfilled.trade().mae()).isNull();
    }

    @Test
    void rejectionsAndCancelsEndTheTradeWithTheirReason() {
        TradeRow rejected = fold(placed(stock("BUY", 1)), new TradeRejectedEvent(ID, "no buying power", at(1)));
        TradeRow timedOut = fold(placed(stock("BUY", 1)),
                new TradeCanceledEvent(ID, CloseReason.TIMEOUT, "no confirmation", "system", at(30)));

        assertThat(rejected.trade().status()).isEqualTo(TradeStatus.CANCELED);
        assertThat(rejected.trade().closeReason()).isEqualTo(CloseReason.REJECTED);
        assertThat(rejected.context()).containsEntry("rejectionReason", "no buying power");
        assertThat(timedOut.trade().closeReason()).isEqualTo(CloseReason.TIMEOUT);
        assertThat(timedOut.trade().closedAt()).isEqualTo(at(30));
    }

    @Test
    void aRejectedExitReturnsToOpenAndForgetsTheProvisionalReasonAndOrder() {
        TradeRow t = fold(placed(stock("BUY", 1)), new TradeOpenedEvent(ID, 1, m("250"), "filled", at(1)),
                new CloseRequestedEvent(ID, CloseReason.MANUAL, "alice", at(2)),
                new ExitOrderSubmittedEvent(ID, "X-1", at(3)),
                new ExitRejectedEvent(ID, "market closed", at(4)));

        assertThat(t.trade().status()).isEqualTo(TradeStatus.OPEN);
        assertThat(t.trade().closeReason()).isNull();
        assertThat(t.exitOrderId()).isNull();
        assertThat(t.trade().openedAt()).isEqualTo(at(1));
        assertThat(t.context()).containsEntry("lastExitRejection", "market closed");
    }

    @Test
    void whatTheEntryFillsWhileItsCloseWaitsIsThePositionTheTradeCloses() {
        TradeRow closing = fold(placed(option("BUY", 5)), new EntryPartiallyFilledEvent(ID, 2, m("1.98"), at(1)),
                new CloseRequestedEvent(ID, CloseReason.MANUAL, "alice", at(2)),
                new EntryFilledWhileClosingEvent(ID, 4, m("1.99"), at(3)));

        assertThat(closing.trade().status()).isEqualTo(TradeStatus.CLOSING);
        assertThat(closing.trade().filledQuantity()).isEqualTo(4);
        assertThat(closing.trade().entryPrice()).isEqualByComparingTo("1.99");
        assertThat(closing.trade().version()).isEqualTo(4);
    }

    @Test
    void aCancelRequestShowsUntilTheBrokersWordEndsTheTradeOrItsFillOpensIt() {
        TradeRow asked = fold(placed(option("BUY", 2)), new CancelRequestedEvent(ID, "canceled by user", "alice", at(1)));
        TradeRow canceled = fold(asked, new TradeCanceledEvent(ID, CloseReason.CANCELED, "canceled by user", "alice",
                at(2)));
        TradeRow filled = fold(asked, new TradeOpenedEvent(ID, 2, m("2.00"), "entry filled before the cancel took effect",
                at(2)));

        assertThat(asked.trade().status()).isEqualTo(TradeStatus.PENDING);
        assertThat(asked.trade().version()).isEqualTo(2);
        assertThat(asked.context()).containsEntry("cancelRequestedAt", at(1).toString());
        assertThat(canceled.trade().status()).isEqualTo(TradeStatus.CANCELED);
        assertThat(canceled.context()).containsKey("cancelRequestedAt");
        assertThat(filled.trade().status()).isEqualTo(TradeStatus.OPEN);
        assertThat(filled.context()).doesNotContainKey("cancelRequestedAt");
    }

    @Test
    void bracketsNotesBrokerAndItsProblemsUpdateTheRowAndCountAsVersions() {
        TradeRow t = fold(placed(option("BUY", 1)), new EntryOrderSubmittedEvent(ID, "SIMULATED", "S-1", at(1)),
                new BracketsChangedEvent(ID, m("1.2"), null, "alice", at(2)),
                new TradeAnnotatedEvent(ID, "second", "alice", at(3)),
                new BrokerProblemReportedEvent(ID, "token refused", at(4)));
        TradeRow cleared = fold(t, new BrokerProblemClearedEvent(ID, at(5)));

        assertThat(t.trade().broker()).isEqualTo("SIMULATED");
        assertThat(t.trade().brokerOrderId()).isEqualTo("S-1");
        assertThat(t.trade().stopLoss()).isEqualTo(new BigDecimal("1.2000"));
        assertThat(t.trade().takeProfit()).isNull();
        assertThat(t.trade().notes()).isEqualTo("first\nsecond");
        assertThat(t.context()).containsEntry("brokerProblem", "token refused");
        assertThat(cleared.context()).doesNotContainKey("brokerProblem");
        assertThat(cleared.trade().version()).isEqualTo(6);
        assertThat(cleared.trade().updatedAt()).isEqualTo(at(5));
        assertThat(cleared.trade().status()).isEqualTo(TradeStatus.PENDING);
    }

    @Test
    void anEventNotNewerThanTheRowOrOfAnUnknownTradeChangesNothing() {
        TradeRow open = fold(placed(stock("BUY", 1)), new TradeOpenedEvent(ID, 1, m("10"), "filled", at(1)));

        assertThat(TradeFold.evolve(open, new TradeAnnotatedEvent(ID, "late", "alice", at(2)), 1)).isSameAs(open);
        assertThat(TradeFold.evolve(open, new TradePlacedEvent(ID, "alice", stock("BUY", 1), "k", "h", T0), 0))
                .isSameAs(open);
        assertThat(TradeFold.evolve(null, new TradeOpenedEvent(ID, 1, m("10"), "filled", at(1)), 1)).isNull();
    }

    @Test
    void timesAreKeptToTheMicrosecondAsTheDatabaseRoundsThem() {
        TradeRow t = TradeFold.evolve(null, new TradePlacedEvent(ID, "alice", stock("BUY", 1), "k", "h",
                Instant.parse("2026-03-02T14:30:00.123456500Z")), 0);

        assertThat(t.trade().createdAt()).isEqualTo(Instant.parse("2026-03-02T14:30:00.123457Z"));
    }
}
