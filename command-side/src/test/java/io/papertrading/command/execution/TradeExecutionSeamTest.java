package io.papertrading.command.execution;

import io.papertrading.broker.BrokerRateLimitException;
import io.papertrading.broker.BrokerAuthException;
import io.papertrading.broker.BrokerOutcomeUnknownException;
import io.papertrading.broker.BrokerTimeoutException;
import io.papertrading.broker.OrderState;
import io.papertrading.broker.PriceType;
import io.papertrading.kernel.error.RiskLimitException;
import io.papertrading.kernel.instrument.OptionSymbol;
import io.papertrading.kernel.money.Money;
import io.papertrading.kernel.trade.Actor;
import io.papertrading.kernel.trade.CloseReason;
import io.papertrading.kernel.trade.TradeId;
import io.papertrading.kernel.trade.TradeOrder;
import io.papertrading.kernel.trade.TradeStatus;
import io.papertrading.kernel.trade.command.CancelTradeCommand;
import io.papertrading.kernel.trade.command.PlaceTradeCommand;
import io.papertrading.kernel.trade.command.RequestCloseCommand;
import io.papertrading.kernel.trade.event.BrokerProblemClearedEvent;
import io.papertrading.kernel.trade.event.BrokerProblemReportedEvent;
import io.papertrading.kernel.trade.event.ExitRejectedEvent;
import io.papertrading.kernel.trade.event.PositionReducedEvent;
import io.papertrading.kernel.trade.event.TradeCanceledEvent;
import io.papertrading.kernel.trade.event.TradeEvent;
import io.papertrading.kernel.trade.event.EntryOrderSubmittedEvent;
import io.papertrading.kernel.trade.event.TradeClosedEvent;
import io.papertrading.kernel.trade.event.TradeExpiredEvent;
import io.papertrading.kernel.trade.event.TradeOpenedEvent;
import io.papertrading.kernel.trade.event.TradeRejectedEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

import static io.papertrading.kernel.trade.TradeStatus.CANCELED;
import static io.papertrading.kernel.trade.TradeStatus.CLOSED;
import static io.papertrading.kernel.trade.TradeStatus.CLOSING;
import static io.papertrading.kernel.trade.TradeStatus.EXPIRED;
import static io.papertrading.kernel.trade.TradeStatus.OPEN;
import static io.papertrading.kernel.trade.TradeStatus.PARTIALLY_FILLED;
import static io.papertrading.kernel.trade.TradeStatus.PENDING;
import static io.papertrading.command.execution.TestOrders.bracketed;
import static io.papertrading.command.execution.TestOrders.limit;
import static io.papertrading.command.execution.TestOrders.market;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The saga's real commands into the real {@link io.papertrading.command.trade.Trade}, and the trade's real events
 * back into the saga, for every way a broker can end an order. Each test ends where a trader would look: the
 * trade's status and the reason on its last transition, the orders the broker saw, and no deadline left over.
 */
class TradeExecutionSeamTest {

    private static final Instant START = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private static final String ALICE = "alice";
    private static final OptionSymbol CALL_100 = OptionSymbol.parse("AAPL"
            + LocalDate.now(ZoneOffset.UTC).plusDays(3).format(DateTimeFormatter.ofPattern("yyMMdd")) + "C00100000");

    private ExecutionSeam seam;
    private FakeBroker broker;

    @BeforeEach
    void setUp() {
        seam = new ExecutionSeam(START, new ExecutionSettings(Duration.ofSeconds(1), 1.5, Duration.ofSeconds(5),
                Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(1), 60));
        broker = seam.broker;
    }

    @AfterEach
    void tearDown() {
        seam.close();
    }

    // ----------------------------------------------------------------------------------------------- entry

    @Test
    void anEntryTheBrokerRejectsEndsTheTradeWithTheBrokersReason() {
        TradeId id = place(market(2));
        broker.set(broker.lastId(), OrderState.REJECTED, 0, null, "not enough buying power");

        seam.advance(Duration.ofSeconds(1));

        assertThat(seam.status(id)).isEqualTo(CANCELED);
        assertThat(seam.events(id, TradeRejectedEvent.class)).singleElement()
                .satisfies(e -> assertThat(e.reason()).isEqualTo("not enough buying power"));
        assertEndedCleanly(1);
    }

    @Test
    void anEntryFilledInItsFirstReportOpensTheTradeWithItsBrokerOrderRecordedFirst() {
        TradeId id = place(market(2));
        broker.set(broker.lastId(), OrderState.FILLED, 2, "100.00", null);

        seam.advance(Duration.ofSeconds(1));

        assertThat(seam.status(id)).isEqualTo(OPEN);
        assertThat(seam.events(id, EntryOrderSubmittedEvent.class)).singleElement()
                .satisfies(e -> assertThat(e.brokerOrderId()).isEqualTo(broker.lastId()));
        assertThat(seam.events(id, TradeEvent.class)).extracting(e -> e.getClass().getSimpleName())
                .containsExactly("TradePlacedEvent", "EntryOrderSubmittedEvent", "TradeOpenedEvent");
        assertThat(seam.refusals).isEmpty();
    }

    @Test
    void anEntryTheBrokerCancelsCancelsTheTradeAsTheEngine() {
        TradeId id = place(market(2));
        broker.set(broker.lastId(), OrderState.CANCELED, 0, null, "halted");

        seam.advance(Duration.ofSeconds(1));

        assertThat(seam.status(id)).isEqualTo(CANCELED);
        assertThat(seam.events(id, TradeCanceledEvent.class)).singleElement().satisfies(e -> {
            assertThat(e.reason()).isEqualTo(CloseReason.CANCELED);
            assertThat(e.detail()).isEqualTo("canceled by the broker: halted");
            assertThat(e.actor()).isEqualTo(Actor.Engine.SAGA.id());
        });
        assertEndedCleanly(1);
    }

    @Test
    void anEntryThatExpiresAtTheBrokerCancelsTheTrade() {
        TradeId id = place(limit(2, "90"));
        seam.advance(Duration.ofSeconds(1));
        broker.set(broker.lastId(), OrderState.EXPIRED, 0, null, null);

        seam.advance(Duration.ofSeconds(5));

        assertThat(seam.status(id)).isEqualTo(CANCELED);
        assertThat(seam.events(id, TradeCanceledEvent.class)).singleElement()
                .satisfies(e -> assertThat(e.detail()).isEqualTo("order expired"));
        assertEndedCleanly(1);
    }

    @Test
    void anEntryCanceledByTheBrokerAfterAPartialFillOpensWithWhatFilled() {
        TradeId id = place(market(5));
        broker.set(broker.lastId(), OrderState.PARTIALLY_FILLED, 2, "100.00", null);
        seam.advance(Duration.ofSeconds(1));
        broker.set(broker.lastId(), OrderState.CANCELED, 2, "100.00", "halted");

        seam.advance(Duration.ofSeconds(1));

        assertThat(seam.status(id)).isEqualTo(OPEN);
        assertThat(seam.events(id, TradeOpenedEvent.class)).singleElement().satisfies(e -> {
            assertThat(e.filledQuantity()).isEqualTo(2);
            assertThat(e.entryPrice()).isEqualTo(Money.of("100.00"));
        });
        assertThat(seam.refusals).isEmpty();
    }

    @Test
    void anEntryTheBrokerNeverConfirmsTimesOutAndIsCanceledThere() {
        broker.hideNewOrders = true;
        TradeId id = place(market(1));

        seam.advance(Duration.ofSeconds(61));

        assertThat(seam.status(id)).isEqualTo(CANCELED);
        assertThat(seam.events(id, TradeCanceledEvent.class)).singleElement()
                .satisfies(e -> assertThat(e.reason()).isEqualTo(CloseReason.TIMEOUT));
        assertThat(broker.canceled).containsExactly(broker.lastId());
        assertEndedCleanly(1);
    }

    @Test
    void aPlacementWithAnUnknownOutcomeIsNeverResentAndTheTradeTimesOut() {
        broker.placeFailures.add(new BrokerTimeoutException("read timed out", null));
        TradeId id = place(market(1));

        seam.advance(Duration.ofSeconds(61));

        assertThat(seam.status(id)).isEqualTo(CANCELED);
        assertThat(seam.events(id, TradeCanceledEvent.class)).singleElement()
                .satisfies(e -> assertThat(e.reason()).isEqualTo(CloseReason.TIMEOUT));
        assertEndedCleanly(0);
    }

    @Test
    void aPlacementWhoseAnswerWasLostIsFoundByTagAndOpensWithOneOrder() {
        broker.failureAfterLanding = new BrokerOutcomeUnknownException("connection reset after the request was sent");
        TradeId id = place(market(2));
        broker.pastListWindow.add(broker.lastId());
        broker.set(broker.lastId(), OrderState.FILLED, 2, "100.00", null);

        seam.advance(Duration.ofSeconds(5));

        assertThat(seam.status(id)).isEqualTo(OPEN);
        assertThat(broker.placed).hasSize(1);
        assertThat(seam.refusals).isEmpty();
    }

    @Test
    void aPlacementWithAnUnknownOutcomeWaitsWhileTheBrokerCannotBeAskedAndAdoptsTheOrderOnceItCan() {
        broker.failureAfterLanding = new BrokerOutcomeUnknownException("POST answered HTTP 504");
        TradeId id = place(market(1));
        for (int i = 0; i < 8; i++) { // 1 + 2 + 4 + … s of a broker that answers nothing: past the 60 s window
            broker.listFailures.add(new io.papertrading.broker.BrokerUnavailableException("connection refused"));
        }

        seam.advance(Duration.ofSeconds(90));
        assertThat(seam.status(id)).as("the order may exist: not ended while the broker cannot say")
                .isEqualTo(PENDING);

        broker.set(broker.lastId(), OrderState.FILLED, 1, "100.00", null);
        seam.advance(Duration.ofSeconds(300));
        assertThat(seam.status(id)).isEqualTo(OPEN);
        assertThat(broker.placed).hasSize(1);
        assertThat(seam.refusals).isEmpty();
    }

    @Test
    void aRevokedTokenShowsOnTheTradeOnceAndClearsWhenTheAccountAnswersAgain() {
        TradeId id = place(limit(2, "90"));
        seam.advance(Duration.ofSeconds(1));
        for (int i = 0; i < 5; i++) { // polls back off: 1 + 2 + 4 + 8 + 16 s
            broker.listFailures.add(new BrokerAuthException("Tradier refused the access token (HTTP 401)"));
        }

        seam.advance(Duration.ofSeconds(20));
        assertThat(seam.events(id, BrokerProblemReportedEvent.class)).singleElement()
                .satisfies(e -> assertThat(e.problem()).contains("HTTP 401"));
        assertThat(seam.events(id, BrokerProblemClearedEvent.class)).isEmpty();
        assertThat(seam.status(id)).isEqualTo(PENDING);

        seam.advance(Duration.ofSeconds(60)); // the token was fixed: the next poll gets through
        assertThat(seam.events(id, BrokerProblemClearedEvent.class)).hasSize(1);
        broker.set(broker.lastId(), OrderState.FILLED, 2, "90.00", null);
        seam.advance(Duration.ofSeconds(30));
        assertThat(seam.status(id)).isEqualTo(OPEN);
        assertThat(seam.refusals).isEmpty();
    }

    @Test
    void aPollLeftByAnEarlierVersionHandsItsOrderToTheDeskWhichFindsItByTagAndSendsNoSecond() {
        TradeId id = place(market(2));
        String orderId = broker.lastId();
        seam.deskOrders.forget(id.value()); // as an earlier version left it: its saga polled the order itself
        broker.set(orderId, OrderState.FILLED, 2, "100.00", null);
        seam.advance(Duration.ofSeconds(5));
        assertThat(seam.status(id)).isEqualTo(PENDING);

        seam.fireDeadline(TradeExecutionSaga.POLL, id);

        assertThat(seam.status(id)).isEqualTo(OPEN);
        assertThat(broker.placed).hasSize(1);
        assertThat(seam.refusals).isEmpty();
    }

    @Test
    void aUserCancelOfAWorkingEntryCancelsTheBrokerOrder() {
        TradeId id = place(limit(2, "90"));
        seam.advance(Duration.ofSeconds(1));

        seam.send(new CancelTradeCommand(id, CloseReason.CANCELED, "canceled by user", Actor.user(ALICE), null));
        assertThat(seam.status(id)).as("until the broker says the order is canceled").isEqualTo(PENDING);

        seam.advance(Duration.ofSeconds(1));

        assertThat(seam.status(id)).isEqualTo(CANCELED);
        assertThat(seam.events(id, TradeCanceledEvent.class)).singleElement().satisfies(e -> {
            assertThat(e.actor()).isEqualTo(ALICE);
            assertThat(e.detail()).isEqualTo("canceled by user");
        });
        assertThat(broker.canceled).containsExactly(broker.lastId());
        assertEndedCleanly(1);
    }

    @Test
    void aUserCancelOfAnEntryNotYetSentSendsNothingAndCancelsTheTrade() {
        broker.placeFailures.add(new BrokerRateLimitException("429")); // the account backs off: the entry waits
        TradeId id = place(market(1));

        seam.send(new CancelTradeCommand(id, CloseReason.CANCELED, "canceled by user", Actor.user(ALICE), null));
        seam.advance(Duration.ofSeconds(1));

        assertThat(seam.status(id)).isEqualTo(CANCELED);
        assertEndedCleanly(0);
    }

    @Test
    void anEntryThatFilledWhileTheUsersCancelTravelledOpensTheTradeWithThatFill() {
        TradeId id = place(limit(2, "90"));
        seam.advance(Duration.ofSeconds(1));
        broker.set(broker.lastId(), OrderState.FILLED, 2, "89.90", null); // the broker fills first

        seam.send(new CancelTradeCommand(id, CloseReason.CANCELED, "canceled by user", Actor.user(ALICE), null));
        seam.advance(Duration.ofSeconds(1));

        assertThat(seam.status(id)).isEqualTo(OPEN);
        assertThat(seam.events(id, TradeOpenedEvent.class)).singleElement().satisfies(e -> {
            assertThat(e.filledQuantity()).isEqualTo(2);
            assertThat(e.entryPrice()).isEqualTo(Money.of("89.90"));
            assertThat(e.detail()).isEqualTo("entry filled before the cancel took effect");
        });
        assertThat(seam.events(id, TradeCanceledEvent.class)).isEmpty();
        assertThat(seam.refusals).isEmpty();
        assertThat(broker.placed).hasSize(1);
    }

    @Test
    void aUserCancelAfterAPartialFillOpensWithWhatFilledAndCancelsTheRestAtTheBroker() {
        TradeId id = place(limit(5, "90"));
        broker.set(broker.lastId(), OrderState.PARTIALLY_FILLED, 3, "89.95", null);
        seam.advance(Duration.ofSeconds(1));
        assertThat(seam.status(id)).isEqualTo(PARTIALLY_FILLED);

        seam.send(new CancelTradeCommand(id, CloseReason.CANCELED, "canceled by user", Actor.user(ALICE), null));
        seam.advance(Duration.ofSeconds(1));

        assertThat(seam.status(id)).isEqualTo(OPEN);
        assertThat(seam.events(id, TradeOpenedEvent.class)).singleElement().satisfies(e -> {
            assertThat(e.filledQuantity()).isEqualTo(3);
            assertThat(e.detail()).isEqualTo("remainder canceled");
        });
        assertThat(broker.canceled).containsExactly(broker.lastId());
        assertThat(seam.refusals).isEmpty();
    }

    @Test
    void aCloseOfAPartlyFilledTradeWhoseRestFillsBeforeItsCancelSellsEverythingBought() {
        TradeId id = place(limit(10, "90"));
        String entry = broker.lastId();
        broker.set(entry, OrderState.PARTIALLY_FILLED, 4, "89.90", null);
        seam.advance(Duration.ofSeconds(1));
        assertThat(seam.status(id)).isEqualTo(PARTIALLY_FILLED);

        seam.send(new RequestCloseCommand(id, CloseReason.MANUAL, Actor.user(ALICE), null));
        broker.set(entry, OrderState.FILLED, 10, "89.95", null); // the rest filled before the cancel reached it
        seam.advance(Duration.ofSeconds(1));
        awaitPlacement();

        assertThat(seam.status(id)).isEqualTo(CLOSING);
        assertThat(broker.placed).hasSize(2);
        assertThat(broker.placed.get(1).quantity()).as("the exit sells all ten").isEqualTo(10);
        broker.set(broker.lastId(), OrderState.FILLED, 10, "91.00", null);
        seam.advance(Duration.ofSeconds(1));

        assertThat(seam.status(id)).isEqualTo(CLOSED);
        assertThat(seam.events(id, TradeClosedEvent.class)).singleElement().satisfies(e -> {
            assertThat(e.quantity()).isEqualTo(10);
            assertThat(e.realizedPnl()).isEqualTo(Money.of("10.50")); // (91.00 - 89.95) × 10
        });
        assertEndedCleanly(2);
    }

    // ------------------------------------------------------------------------------------------------ exit

    @Test
    void aRejectedExitReturnsTheTradeToOpenWithTheBrokersReason() {
        TradeId id = open(market(3), "100.00");
        seam.send(new RequestCloseCommand(id, CloseReason.MANUAL, Actor.user(ALICE), null));
        assertThat(seam.status(id)).isEqualTo(CLOSING);
        awaitPlacement();
        broker.set(broker.lastId(), OrderState.REJECTED, 0, null, "market closed");

        seam.advance(Duration.ofSeconds(1));

        assertThat(seam.status(id)).isEqualTo(OPEN);
        assertThat(seam.events(id, ExitRejectedEvent.class)).singleElement()
                .satisfies(e -> assertThat(e.reason()).isEqualTo("market closed"));
        assertThat(seam.refusals).isEmpty();
        assertThat(seam.scheduledDeadlines()).isEmpty();
    }

    @Test
    void aTradeCountsAgainstTheLimitOnLiveTradesUntilItsExitFills() {
        TradeId first = open(market(3), "100.00");
        String key = "key-second";
        TradeId second = TradeId.forSubmission(ALICE, key);

        assertThatThrownBy(() -> seam.send(new PlaceTradeCommand(second, ALICE, market(1), key, 1)))
                .isInstanceOf(RiskLimitException.class).hasMessageContaining("1 live trades");
        assertThat(seam.events(second)).isEmpty();

        seam.send(new RequestCloseCommand(first, CloseReason.MANUAL, Actor.user(ALICE), null));
        awaitPlacement();
        broker.set(broker.lastId(), OrderState.FILLED, 3, "101.50", null);
        seam.advance(Duration.ofSeconds(1));
        assertThat(seam.status(first)).isEqualTo(CLOSED);

        seam.send(new PlaceTradeCommand(second, ALICE, market(1), key, 1));
        assertThat(seam.status(second)).isEqualTo(TradeStatus.PENDING);
        assertThat(seam.liveTrades.count(ALICE)).isEqualTo(1);
    }

    @Test
    void aFilledExitClosesTheTradeWithItsProfit() {
        TradeId id = open(market(3), "100.00");
        seam.send(new RequestCloseCommand(id, CloseReason.MANUAL, Actor.user(ALICE), null));
        awaitPlacement();
        broker.set(broker.lastId(), OrderState.FILLED, 3, "101.50", null);

        seam.advance(Duration.ofSeconds(1));

        assertThat(seam.status(id)).isEqualTo(CLOSED);
        assertThat(seam.events(id, TradeClosedEvent.class)).singleElement().satisfies(e -> {
            assertThat(e.reason()).isEqualTo(CloseReason.MANUAL);
            assertThat(e.realizedPnl()).isEqualTo(Money.of("4.50"));
        });
        assertEndedCleanly(2);
    }

    @Test
    void anExitCanceledAfterAPartialFillKeepsTheRestOpenAndTheNextExitSellsOnlyThat() {
        TradeId id = open(market(5), "100.00");
        seam.send(new RequestCloseCommand(id, CloseReason.MANUAL, Actor.user(ALICE), null));
        awaitPlacement();
        broker.set(broker.lastId(), OrderState.CANCELED, 2, "104.00", "canceled by the exchange");

        seam.advance(Duration.ofSeconds(1));

        assertThat(seam.status(id)).isEqualTo(OPEN);
        assertThat(seam.events(id, PositionReducedEvent.class)).singleElement().satisfies(e -> {
            assertThat(e.closedQuantity()).isEqualTo(2);
            assertThat(e.realizedPnl()).isEqualTo(Money.of("8.00"));
            assertThat(e.remainingQuantity()).isEqualTo(3);
        });
        assertThat(seam.events(id, ExitRejectedEvent.class)).singleElement()
                .satisfies(e -> assertThat(e.reason()).isEqualTo("canceled by the exchange"));

        seam.send(new RequestCloseCommand(id, CloseReason.MANUAL, Actor.user(ALICE), null));
        awaitPlacement();
        assertThat(broker.placed.get(broker.placed.size() - 1).quantity()).isEqualTo(3);
        broker.set(broker.lastId(), OrderState.FILLED, 3, "106.00", null);
        seam.advance(Duration.ofSeconds(1));

        assertThat(seam.status(id)).isEqualTo(CLOSED);
        assertThat(seam.events(id, TradeClosedEvent.class)).singleElement().satisfies(e -> {
            assertThat(e.quantity()).isEqualTo(3);
            assertThat(e.realizedPnl()).isEqualTo(Money.of("26.00")); // 2 × 4 + 3 × 6
        });
        assertEndedCleanly(3);
    }

    @Test
    void aBracketLegPartlyFilledBeforeACloseIsRecordedAndTheExitSellsOnlyTheRest() {
        TradeId id = open(bracketed(), "100.00");
        awaitPlacement();
        String oco = broker.lastId();
        broker.partFillLeg(oco, PriceType.LIMIT, 2, "110.00");

        seam.send(new RequestCloseCommand(id, CloseReason.MANUAL, Actor.user(ALICE), null));
        awaitPlacement();

        assertThat(broker.canceled).containsExactly(oco);
        assertThat(seam.events(id, PositionReducedEvent.class)).singleElement()
                .satisfies(e -> assertThat(e.realizedPnl()).isEqualTo(Money.of("20.00")));
        assertThat(broker.placed.get(broker.placed.size() - 1).quantity()).isEqualTo(3);
        broker.set(broker.lastId(), OrderState.FILLED, 3, "108.00", null);
        seam.advance(Duration.ofSeconds(1));

        assertThat(seam.status(id)).isEqualTo(CLOSED);
        assertThat(seam.events(id, TradeClosedEvent.class)).singleElement()
                .satisfies(e -> assertThat(e.realizedPnl()).isEqualTo(Money.of("44.00"))); // 2 × 10 + 3 × 8
        assertEndedCleanly(3);
    }

    @Test
    void anExitWaitsForABracketCancelTheBrokerCompletesLater() {
        TradeId id = open(bracketed(), "100.00");
        awaitPlacement();
        String oco = broker.lastId();
        broker.cancelsPending = true;

        seam.send(new RequestCloseCommand(id, CloseReason.MANUAL, Actor.user(ALICE), null));
        seam.advance(Duration.ofSeconds(5));
        assertThat(broker.placed).as("no exit while the bracket still works").hasSize(1);

        broker.set(oco, OrderState.CANCELED, 0, null, "canceled by request");
        seam.advance(Duration.ofSeconds(10));
        assertThat(broker.placed).hasSize(2);
        broker.set(broker.lastId(), OrderState.FILLED, 5, "101.00", null);
        seam.advance(Duration.ofSeconds(10));

        assertThat(seam.status(id)).isEqualTo(CLOSED);
        assertEndedCleanly(3);
    }

    @Test
    void aBracketCancelTheBrokerNeverCompletesRefusesTheExitAndTheBracketStaysWatched() {
        TradeId id = open(bracketed(), "100.00");
        awaitPlacement();
        String oco = broker.lastId();
        broker.cancelsPending = true;

        seam.send(new RequestCloseCommand(id, CloseReason.MANUAL, Actor.user(ALICE), null));
        seam.advance(Duration.ofSeconds(61));

        assertThat(seam.status(id)).isEqualTo(OPEN);
        assertThat(seam.events(id, ExitRejectedEvent.class)).singleElement()
                .satisfies(e -> assertThat(e.reason()).contains("not canceled at the broker within 60 s"));
        broker.fillLeg(oco, PriceType.LIMIT, "110.00");
        seam.advance(Duration.ofSeconds(30));
        assertThat(seam.status(id)).isEqualTo(CLOSED);
        assertThat(seam.events(id, TradeClosedEvent.class)).singleElement()
                .satisfies(e -> assertThat(e.reason()).isEqualTo(CloseReason.TAKE_PROFIT));
        assertEndedCleanly(2);
    }

    @Test
    void aCloseRequestedByThePriceMonitorIsAcceptedAndExecuted() {
        TradeId id = open(market(1), "100.00");

        seam.send(new RequestCloseCommand(id, CloseReason.STOP_LOSS, Actor.Engine.PRICE_MONITOR, null));
        awaitPlacement();
        broker.set(broker.lastId(), OrderState.FILLED, 1, "94.00", null);
        seam.advance(Duration.ofSeconds(1));

        assertThat(seam.status(id)).isEqualTo(CLOSED);
        assertThat(seam.events(id, TradeClosedEvent.class)).singleElement()
                .satisfies(e -> assertThat(e.reason()).isEqualTo(CloseReason.STOP_LOSS));
        assertEndedCleanly(2);
    }

    // -------------------------------------------------------------------------------------------- brackets

    @Test
    void aStopLossLegFillingAtTheBrokerClosesTheTradeAsStopLoss() {
        TradeId id = open(bracketed(), "100.00");
        awaitPlacement();
        assertThat(broker.ocos).hasSize(1);

        broker.fillLeg(broker.lastId(), PriceType.STOP, "95.00");
        seam.advance(Duration.ofSeconds(1));

        assertThat(seam.status(id)).isEqualTo(CLOSED);
        assertThat(seam.events(id, TradeClosedEvent.class)).singleElement().satisfies(e -> {
            assertThat(e.reason()).isEqualTo(CloseReason.STOP_LOSS);
            assertThat(e.realizedPnl()).isEqualTo(Money.of("-25.00"));
        });
        assertEndedCleanly(2);
    }

    // ---------------------------------------------------------------------------------------------- expiry

    @Test
    void anOptionOpenAtExpirySettlesInTheMoneyAtIntrinsicValue() {
        TradeId id = open(option(2), "3.00");
        broker.underlyingPrice = Money.of("104.25");

        seam.advance(Duration.ofDays(4));

        assertThat(seam.status(id)).isEqualTo(EXPIRED);
        assertThat(seam.events(id, TradeExpiredEvent.class)).singleElement().satisfies(e -> {
            assertThat(e.settlementPrice()).isEqualTo(Money.of("4.25"));
            assertThat(e.realizedPnl()).isEqualTo(Money.of("250.00")); // (4.25 - 3.00) × 2 × 100
        });
        assertEndedCleanly(1);
    }

    @Test
    void anOptionOpenAtExpirySettlesOutOfTheMoneyAtZero() {
        TradeId id = open(option(1), "3.00");
        broker.underlyingPrice = Money.of("97.00");

        seam.advance(Duration.ofDays(4));

        assertThat(seam.status(id)).isEqualTo(EXPIRED);
        assertThat(seam.events(id, TradeExpiredEvent.class)).singleElement()
                .satisfies(e -> assertThat(e.realizedPnl()).isEqualTo(Money.of("-300.00")));
        assertEndedCleanly(1);
    }

    // --------------------------------------------------------------------------------------------- helpers

    private TradeId place(TradeOrder order) {
        String key = "key-" + System.nanoTime();
        TradeId id = TradeId.forSubmission(ALICE, key);
        seam.send(new PlaceTradeCommand(id, ALICE, order, key));
        return id;
    }

    private TradeId open(TradeOrder order, String price) {
        TradeId id = place(order);
        broker.set(broker.lastId(), OrderState.FILLED, order.quantity(), price, null);
        seam.advance(Duration.ofSeconds(1));
        assertThat(seam.status(id)).isEqualTo(OPEN);
        return id;
    }

    /**
     * The account's order list was read this very second: a withdrawn order's end shows in the next list, and the
     * order that waited for it goes out after the list after that.
     */
    private void awaitPlacement() {
        seam.advance(Duration.ofSeconds(2));
    }

    /** No refused command, no deadline left, and exactly this many orders reached the broker. */
    private void assertEndedCleanly(int ordersAtTheBroker) {
        assertThat(seam.liveTrades.count(ALICE)).as("live trades left on the command side's count").isZero();
        assertThat(seam.refusals).isEmpty();
        assertThat(seam.scheduledDeadlines()).isEmpty();
        assertThat(broker.placed.size() + broker.ocos.size()).isEqualTo(ordersAtTheBroker);
    }

    private static TradeOrder option(int quantity) {
        return TestOrders.option(CALL_100, quantity);
    }
}
