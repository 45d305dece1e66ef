package io.papertrading.command.execution;

import io.papertrading.broker.OrderSide;
import io.papertrading.broker.PriceType;
import io.papertrading.kernel.instrument.OptionSymbol;
import io.papertrading.kernel.money.Money;
import io.papertrading.kernel.trade.Actor;
import io.papertrading.kernel.trade.CloseReason;
import io.papertrading.kernel.trade.TradeId;
import io.papertrading.kernel.trade.TradeOrder;
import io.papertrading.kernel.trade.command.CancelTradeCommand;
import io.papertrading.kernel.trade.command.CloseTradeCommand;
import io.papertrading.kernel.trade.command.ExpireTradeCommand;
import io.papertrading.kernel.trade.command.RecordEntryFillCommand;
import io.papertrading.kernel.trade.command.RecordEntryOrderCommand;
import io.papertrading.kernel.trade.command.RecordExitOrderCommand;
import io.papertrading.kernel.trade.command.RecordPartialExitCommand;
import io.papertrading.kernel.trade.command.RejectExitCommand;
import io.papertrading.kernel.trade.command.RejectTradeCommand;
import io.papertrading.kernel.trade.event.BracketsChangedEvent;
import io.papertrading.kernel.trade.event.BrokerOrderReportedEvent;
import io.papertrading.kernel.trade.event.CancelRequestedEvent;
import io.papertrading.kernel.trade.event.BrokerOrderReportedEvent.Kind;
import io.papertrading.kernel.trade.event.BrokerOrderReportedEvent.Leg;
import io.papertrading.kernel.trade.event.CloseRequestedEvent;
import io.papertrading.kernel.trade.event.ExitRejectedEvent;
import io.papertrading.kernel.trade.event.TradeCanceledEvent;
import io.papertrading.kernel.trade.event.TradeClosedEvent;
import io.papertrading.kernel.trade.event.TradeExpiredEvent;
import io.papertrading.kernel.trade.event.TradeOpenedEvent;
import io.papertrading.kernel.trade.event.TradePlacedEvent;
import io.papertrading.kernel.trade.event.TradeRejectedEvent;
import org.axonframework.test.saga.ContinuedGivenState;
import org.axonframework.test.saga.SagaTestFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import static io.papertrading.command.execution.TestOrders.bracketed;
import static io.papertrading.command.execution.TestOrders.limit;
import static io.papertrading.command.execution.TestOrders.market;
import static io.papertrading.command.execution.TradeExecutionSaga.EXPIRY;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The saga's decisions on their own: which legs it asks the order desk for, and what each report of the desk
 * means for the trade (the commands it sends). The desk's broker protocol is {@link OrderDeskTest}'s; both
 * together with the real aggregate are {@link TradeExecutionSeamTest}'s.
 */
class TradeExecutionSagaTest {

    private static final TradeId ID = new TradeId("0b5c2a4e-7d1f-3c8b-9e2a-5f6d7c8b9a01");
    private static final String TAG = ID.value();
    /** A call expiring in three days: time travel to its expiry stays short. */
    private static final OptionSymbol CALL = OptionSymbol.parse("AAPL"
            + LocalDate.now(ZoneOffset.UTC).plusDays(3).format(DateTimeFormatter.ofPattern("yyMMdd")) + "C00100000");
    /** Both of the fixture's clocks start here (left alone, they start a millisecond apart). */
    private static final Instant START = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    private SagaTestFixture<TradeExecutionSaga> fixture;
    private FakeBroker broker;
    private DeskOrders desk;

    @BeforeEach
    void setUp() {
        fixture = new SagaTestFixture<>(TradeExecutionSaga.class);
        broker = new FakeBroker();
        desk = DeskOrders.inMemory();
        Clock clock = new FixtureClock(fixture);
        fixture.registerResource(new ExecutionSettings(Duration.ofSeconds(1), 1.5, Duration.ofSeconds(5),
                Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(1), 60));
        fixture.registerResource(clock);
        fixture.registerResource((BrokerResolver) user -> new BrokerAccount("fake:" + user, "FAKE", broker, true));
        fixture.registerResource(desk);
    }

    // ------------------------------------------------------------------------------------------------ entry

    @Test
    void leavesTheEntryToTheDeskWhenThePlacementHandedItOverItself() throws Exception {
        fixture.givenCurrentTime(START)
                .whenPublishingA(placed(market(3)), Map.of(EntryIntake.HANDED_OVER, "true"))
                .expectActiveSagas(1)
                .expectNoDispatchedCommands();

        assertThat(desk.all()).as("no second hand-over").isEmpty();
    }

    /** A trade an earlier version placed (its TradePlaced without the intake's mark): the saga hands the entry over. */
    @Test
    void asksTheDeskForTheEntryTaggedWithTheTradeIdAndCallsNoBroker() throws Exception {
        fixture.givenCurrentTime(START)
                .whenPublishingA(placed(market(3)))
                .expectActiveSagas(1)
                .expectNoDispatchedCommands()
                .expectNoScheduledDeadlines();
        WorkedOrder entry = leg(TAG);
        assertThat(entry.stage()).isEqualTo(WorkedOrder.Stage.TO_SEND);
        assertThat(entry.accountKey()).isEqualTo("fake:alice");
        assertThat(entry.confirmBy()).as("the desk starts the window when it takes the leg up").isNull();
        assertThat(entry.ticket().order()).satisfies(o -> {
            assertThat(o.side()).isEqualTo(OrderSide.BUY_TO_OPEN);
            assertThat(o.type()).isEqualTo(PriceType.MARKET);
            assertThat(o.quantity()).isEqualTo(3);
        });
        assertThat(broker.placed).isEmpty();
        assertThat(broker.listCalls).isZero();
    }

    @Test
    void theFirstReportOfTheEntryRecordsItsBrokerId() throws Exception {
        fixture.givenCurrentTime(START).andThenAPublished(placed(market(1)))
                .whenPublishingA(seen(TAG, "101", "OPEN", 0, null, null))
                .expectDispatchedCommands(new RecordEntryOrderCommand(ID, "FAKE", "101"));
    }

    @Test
    void aFilledEntryOpensTheTradeAtTheFillPrice() throws Exception {
        fixture.givenCurrentTime(START).andThenAPublished(placed(market(3)))
                .andThenAPublished(seen(TAG, "101", "OPEN", 0, null, null))
                .whenPublishingA(seen(TAG, "101", "FILLED", 3, "101.25", null))
                .expectDispatchedCommands(new RecordEntryFillCommand(ID, 3, Money.of("101.25")));
    }

    @Test
    void anEntryFilledInItsFirstReportIsRecordedWithItsOrderInOneCommand() throws Exception {
        fixture.givenCurrentTime(START).andThenAPublished(placed(market(3)))
                .whenPublishingA(seen(TAG, "101", "FILLED", 3, "101.25", null))
                .expectDispatchedCommands(new RecordEntryFillCommand(ID, 3, Money.of("101.25"), "FAKE", "101"));
    }

    @Test
    void anEntryCanceledInItsFirstReportIsRecordedBeforeTheTradeIsCanceled() throws Exception {
        fixture.givenCurrentTime(START).andThenAPublished(placed(market(1)))
                .whenPublishingA(seen(TAG, "101", "CANCELED", 0, null, "halted"))
                .expectDispatchedCommands(new RecordEntryOrderCommand(ID, "FAKE", "101"),
                        new CancelTradeCommand(ID, CloseReason.CANCELED, "canceled by the broker: halted",
                                Actor.Engine.SAGA, null));
    }

    @Test
    void aPartialFillIsRecordedAndTheRestWhenItFills() throws Exception {
        var partial = fixture.givenCurrentTime(START).andThenAPublished(placed(market(10)))
                .andThenAPublished(seen(TAG, "101", "PARTIALLY_FILLED", 4, "50.10", null));

        partial.whenPublishingA(seen(TAG, "101", "FILLED", 10, "50.20", null))
                .expectDispatchedCommands(new RecordEntryFillCommand(ID, 10, Money.of("50.20")));
    }

    @Test
    void aRepeatedReportRecordsNothingTwice() throws Exception {
        fixture.givenCurrentTime(START).andThenAPublished(placed(market(10)))
                .andThenAPublished(seen(TAG, "101", "PARTIALLY_FILLED", 4, "50.10", null))
                .whenPublishingA(seen(TAG, "101", "PARTIALLY_FILLED", 4, "50.10", null))
                .expectNoDispatchedCommands();
    }

    @Test
    void aBrokerRejectionRejectsTheTradeWithTheBrokersReason() throws Exception {
        fixture.givenCurrentTime(START).andThenAPublished(placed(market(1)))
                .andThenAPublished(seen(TAG, "101", "OPEN", 0, null, null))
                .whenPublishingA(seen(TAG, "101", "REJECTED", 0, null, "Insufficient buying power"))
                .expectDispatchedCommands(new RejectTradeCommand(ID, "Insufficient buying power"));
    }

    @Test
    void aPlacementTheBrokerRefusedRejectsTheTradeWithItsReason() throws Exception {
        fixture.givenCurrentTime(START).andThenAPublished(placed(market(1)))
                .whenPublishingA(ended(TAG, Kind.REFUSED, "insufficient buying power: needs $5000"))
                .expectDispatchedCommands(new RejectTradeCommand(ID, "insufficient buying power: needs $5000"));
    }

    @Test
    void anOrderCanceledByTheBrokerCancelsTheTrade() throws Exception {
        fixture.givenCurrentTime(START).andThenAPublished(placed(market(1)))
                .andThenAPublished(seen(TAG, "101", "OPEN", 0, null, null))
                .whenPublishingA(seen(TAG, "101", "CANCELED", 0, null, "halted"))
                .expectDispatchedCommands(new CancelTradeCommand(ID, CloseReason.CANCELED,
                        "canceled by the broker: halted", Actor.Engine.SAGA, null));
    }

    @Test
    void anExpiredDayOrderCancelsTheTradeAsOrderExpired() throws Exception {
        fixture.givenCurrentTime(START).andThenAPublished(placed(limit(1, "90")))
                .andThenAPublished(seen(TAG, "101", "OPEN", 0, null, null))
                .whenPublishingA(seen(TAG, "101", "EXPIRED", 0, null, null))
                .expectDispatchedCommands(new CancelTradeCommand(ID, CloseReason.CANCELED, "order expired",
                        Actor.Engine.SAGA, null));
    }

    @Test
    void anEntryTheBrokerNeverConfirmedEndsTheTradeInTimeoutWithTheDesksReason() throws Exception {
        fixture.givenCurrentTime(START).andThenAPublished(placed(market(1)))
                .whenPublishingA(ended(TAG, Kind.UNCONFIRMED, "the broker did not confirm the order within 60 s"))
                .expectDispatchedCommands(new CancelTradeCommand(ID, CloseReason.TIMEOUT,
                        "the broker did not confirm the order within 60 s", Actor.Engine.SAGA, null));
    }

    @Test
    void aReportOfALegTheSagaHasLeftChangesNothing() throws Exception {
        givenOpen(market(2), 2, "100")
                .whenPublishingA(seen(TAG, "101", "CANCELED", 2, "100", "late news"))
                .expectNoDispatchedCommands();
    }

    @Test
    void cancelingAPendingTradeHasTheDeskCancelItsOrderSilentlyAndLeavesNoDeadlines() throws Exception {
        fixture.givenCurrentTime(START).andThenAPublished(placed(limit(1, "90")))
                .andThenAPublished(seen(TAG, "101", "OPEN", 0, null, null))
                .whenPublishingA(new TradeCanceledEvent(ID, CloseReason.CANCELED, null, "alice", now()))
                .expectActiveSagas(0)
                .expectNoScheduledDeadlines();
        assertThat(leg(TAG).withdraw()).isTrue();
        assertThat(leg(TAG).silent()).isTrue();
    }

    @Test
    void aUsersCancelWithdrawsTheEntryAndWaitsForTheBrokersWord() throws Exception {
        fixture.givenCurrentTime(START).andThenAPublished(placed(limit(1, "90")))
                .andThenAPublished(seen(TAG, "101", "OPEN", 0, null, null))
                .whenPublishingA(cancelRequested())
                .expectActiveSagas(1)
                .expectNoDispatchedCommands();
        assertThat(leg(TAG).withdraw()).isTrue();
        assertThat(leg(TAG).silent()).as("its end is what the trade waits for").isFalse();
    }

    @Test
    void theBrokersCancelAfterTheUsersRequestCancelsTheTrade() throws Exception {
        givenCancelRequestedOfAWorkingLimitBuy(1)
                .whenPublishingA(seen(TAG, "101", "CANCELED", 0, null, null))
                .expectDispatchedCommands(new CancelTradeCommand(ID, CloseReason.CANCELED, null, Actor.Engine.SAGA,
                        null));
    }

    @Test
    void anEntryThatFilledBeforeTheCancelArrivedOpensTheTrade() throws Exception {
        givenCancelRequestedOfAWorkingLimitBuy(2)
                .whenPublishingA(seen(TAG, "101", "FILLED", 2, "89.95", null))
                .expectDispatchedCommands(new RecordEntryFillCommand(ID, 2, Money.of("89.95")));
    }

    @Test
    void whatFilledBeforeTheCancelIsRecordedAndTheRestCanceled() throws Exception {
        givenCancelRequestedOfAWorkingLimitBuy(5)
                .whenPublishingA(seen(TAG, "101", "CANCELED", 3, "89.90", null))
                .expectDispatchedCommands(new RecordEntryFillCommand(ID, 3, Money.of("89.90")),
                        new CancelTradeCommand(ID, CloseReason.CANCELED, null, Actor.Engine.SAGA, null));
    }

    @Test
    void anEntryWithdrawnBeforeItWasSentCancelsTheTrade() throws Exception {
        fixture.givenCurrentTime(START).andThenAPublished(placed(limit(1, "90")))
                .andThenAPublished(cancelRequested())
                .whenPublishingA(ended(TAG, Kind.NOT_PLACED, "withdrawn before it was sent"))
                .expectDispatchedCommands(new CancelTradeCommand(ID, CloseReason.CANCELED, null, Actor.Engine.SAGA,
                        null));
    }

    // ------------------------------------------------------------------------------------------------- exits

    @Test
    void aCloseRequestPlacesTheExitAndItsFillClosesTheTradeAtTheExitPrice() throws Exception {
        var closing = givenOpen(market(2), 2, "100")
                .andThenAPublished(new CloseRequestedEvent(ID, CloseReason.MANUAL, "alice", now()));
        assertThat(leg(TAG + "-x1").ticket().order()).satisfies(o -> {
            assertThat(o.side()).isEqualTo(OrderSide.SELL_TO_CLOSE);
            assertThat(o.type()).isEqualTo(PriceType.MARKET);
            assertThat(o.quantity()).isEqualTo(2);
        });

        closing.whenPublishingA(seen(TAG + "-x1", "201", "FILLED", 2, "105.5", null))
                .expectDispatchedCommands(new RecordExitOrderCommand(ID, "201"),
                        new CloseTradeCommand(ID, Money.of("105.5"), null));
    }

    @Test
    void aRejectedExitReturnsTheTradeToOpenWithTheReason() throws Exception {
        givenOpen(market(2), 2, "100")
                .andThenAPublished(new CloseRequestedEvent(ID, CloseReason.MANUAL, "alice", now()))
                .andThenAPublished(seen(TAG + "-x1", "201", "OPEN", 0, null, null))
                .whenPublishingA(seen(TAG + "-x1", "201", "REJECTED", 0, null, "market closed"))
                .expectDispatchedCommands(new RejectExitCommand(ID, "market closed"));
    }

    @Test
    void anExitCanceledAfterSellingPartOfThePositionRecordsThatPartAndRefusesTheExit() throws Exception {
        givenOpen(market(10), 10, "100")
                .andThenAPublished(new CloseRequestedEvent(ID, CloseReason.MANUAL, "alice", now()))
                .andThenAPublished(seen(TAG + "-x1", "201", "PARTIALLY_FILLED", 4, "103", null))
                .whenPublishingA(seen(TAG + "-x1", "201", "CANCELED", 4, "103", null))
                .expectDispatchedCommands(
                        new RecordPartialExitCommand(ID, 4, Money.of("103"), "exit order canceled after filling 4 of 10"),
                        new RejectExitCommand(ID, "exit order canceled"));
    }

    @Test
    void closingAPartiallyFilledTradeWithdrawsTheEntryRestAndWaitsForItsEndBeforeTheExit() throws Exception {
        fixture.givenCurrentTime(START).andThenAPublished(placed(market(10)))
                .andThenAPublished(seen(TAG, "101", "PARTIALLY_FILLED", 4, "50", null))
                .whenPublishingA(new CloseRequestedEvent(ID, CloseReason.MANUAL, "alice", now()))
                .expectNoDispatchedCommands();
        assertThat(leg(TAG).withdraw()).isTrue();
        assertThat(leg(TAG).silent()).as("its last fills are what the exit sells").isFalse();
        assertThat(desk.all()).extracting(WorkedOrder::tag).doesNotContain(TAG + "-x1");
    }

    @Test
    void whatTheRestOfTheEntryFilledBeforeItsCancelIsRecordedAndExitedToo() throws Exception {
        givenCloseOfAPartlyFilledEntry()
                .whenPublishingA(seen(TAG, "101", "CANCELED", 7, "50.10", "canceled by request"))
                .expectDispatchedCommands(new RecordEntryFillCommand(ID, 7, Money.of("50.10")));
        assertThat(leg(TAG + "-x1").ticket().order().quantity()).isEqualTo(7);
    }

    @Test
    void anEntryRestCanceledWithNothingMoreFilledExitsWhatWasFilled() throws Exception {
        givenCloseOfAPartlyFilledEntry()
                .whenPublishingA(seen(TAG, "101", "CANCELED", 4, "50", "canceled by request"))
                .expectNoDispatchedCommands();
        assertThat(leg(TAG + "-x1").ticket().order().quantity()).isEqualTo(4);
    }

    // ---------------------------------------------------------------------------------------------- brackets

    @Test
    void anOpenedTradeWithBracketsGetsAnOcoLeg() throws Exception {
        givenOpen(bracketed(), 5, "100");

        assertThat(leg(TAG + "-b1").ticket().oco()).satisfies(oco -> {
            assertThat(oco.stopLoss()).isEqualTo(Money.of("95"));
            assertThat(oco.takeProfit()).isEqualTo(Money.of("110"));
            assertThat(oco.side()).isEqualTo(OrderSide.SELL_TO_CLOSE);
            assertThat(oco.quantity()).isEqualTo(5);
        });
    }

    @Test
    void aStopLossLegFillClosesTheTradeAsStopLoss() throws Exception {
        givenOpen(bracketed(), 5, "100")
                .whenPublishingA(ocoFilled(TAG + "-b1", PriceType.STOP, 5, "94.90"))
                .expectDispatchedCommands(new CloseTradeCommand(ID, Money.of("94.90"), CloseReason.STOP_LOSS));
    }

    @Test
    void aTakeProfitLegFillClosesTheTradeAsTakeProfit() throws Exception {
        givenOpen(bracketed(), 5, "100")
                .whenPublishingA(ocoFilled(TAG + "-b1", PriceType.LIMIT, 5, "110.05"))
                .expectDispatchedCommands(new CloseTradeCommand(ID, Money.of("110.05"), CloseReason.TAKE_PROFIT));
    }

    @Test
    void aCloseRequestReachingTheSagaAfterABracketLegSoldEverythingPlacesNoExit() throws Exception {
        givenOpen(bracketed(), 5, "100")
                .andThenAPublished(ocoFilled(TAG + "-b1", PriceType.LIMIT, 5, "110"))
                .whenPublishingA(new CloseRequestedEvent(ID, CloseReason.MANUAL, "alice", now()))
                .expectNoDispatchedCommands();
        assertThat(desk.all()).extracting(WorkedOrder::tag).doesNotContain(TAG + "-x1");
    }

    @Test
    void aCloseRequestWithdrawsTheOcoAndPlacesTheExitOnceItHasEnded() throws Exception {
        var withdrawing = givenOpen(bracketed(), 5, "100")
                .andThenAPublished(seen(TAG + "-b1", "301", "OPEN", 0, null, null))
                .andThenAPublished(new CloseRequestedEvent(ID, CloseReason.MANUAL, "alice", now()));
        assertThat(leg(TAG + "-b1").withdraw()).isTrue();
        assertThat(desk.all()).extracting(WorkedOrder::tag).doesNotContain(TAG + "-x1");

        withdrawing.whenPublishingA(seen(TAG + "-b1", "301", "CANCELED", 0, null, "canceled by request"))
                .expectNoDispatchedCommands();
        assertThat(leg(TAG + "-x1").ticket().order().quantity()).isEqualTo(5);
    }

    @Test
    void aBracketThatSoldPartOfThePositionWhileWithdrawnLeavesOnlyTheRestToExit() throws Exception {
        givenOpen(bracketed(), 5, "100")
                .andThenAPublished(seen(TAG + "-b1", "301", "OPEN", 0, null, null))
                .andThenAPublished(new CloseRequestedEvent(ID, CloseReason.MANUAL, "alice", now()))
                .whenPublishingA(new BrokerOrderReportedEvent(ID, TAG + "-b1", Kind.SEEN, "301", "CANCELED", "LIMIT",
                        BigDecimal.ZERO, null, null, null, List.of(
                        new Leg("301-tp", "CANCELED", "LIMIT", BigDecimal.valueOf(2), Money.of("110"), Money.of("110")),
                        new Leg("301-sl", "CANCELED", "STOP", BigDecimal.ZERO, null, null)), now()))
                .expectDispatchedCommands(new RecordPartialExitCommand(ID, 2, Money.of("110"),
                        "bracket order canceled after filling 2 of 5"));
        assertThat(leg(TAG + "-x1").ticket().order().quantity()).isEqualTo(3);
    }

    @Test
    void aBracketCancelTheBrokerNeverCompletesRefusesTheExitAfterTheWindowAndTheBracketStays() throws Exception {
        givenOpen(bracketed(), 5, "100")
                .andThenAPublished(seen(TAG + "-b1", "301", "OPEN", 0, null, null))
                .andThenAPublished(new CloseRequestedEvent(ID, CloseReason.MANUAL, "alice", now()))
                .whenTimeElapses(Duration.ofSeconds(60))
                .expectDispatchedCommands(new RejectExitCommand(ID,
                        "the bracket order was not canceled at the broker within 60 s; it stays in place"));
        assertThat(desk.all()).extracting(WorkedOrder::tag).contains(TAG + "-b1").doesNotContain(TAG + "-x1");
    }

    @Test
    void changingTheBracketsWithdrawsTheOcoThenPlacesTheNewOne() throws Exception {
        givenOpen(bracketed(), 5, "100")
                .andThenAPublished(seen(TAG + "-b1", "301", "OPEN", 0, null, null))
                .andThenAPublished(new BracketsChangedEvent(ID, Money.of("97"), Money.of("120"), "alice", now()))
                .whenPublishingA(seen(TAG + "-b1", "301", "CANCELED", 0, null, null))
                .expectNoScheduledDeadlines()
                .expectNoDispatchedCommands();
        assertThat(leg(TAG + "-b2").ticket().oco()).satisfies(oco -> {
            assertThat(oco.stopLoss()).isEqualTo(Money.of("97"));
            assertThat(oco.takeProfit()).isEqualTo(Money.of("120"));
        });
    }

    @Test
    void aRejectedExitReArmsTheBrackets() throws Exception {
        givenOpen(bracketed(), 5, "100")
                .andThenAPublished(seen(TAG + "-b1", "301", "OPEN", 0, null, null))
                .andThenAPublished(new CloseRequestedEvent(ID, CloseReason.MANUAL, "alice", now()))
                .andThenAPublished(seen(TAG + "-b1", "301", "CANCELED", 0, null, null))
                .whenPublishingA(new ExitRejectedEvent(ID, "market closed", now()))
                .expectNoDispatchedCommands();
        assertThat(desk.all()).extracting(WorkedOrder::tag).contains(TAG + "-b2");
    }

    // ------------------------------------------------------------------------------------------------ expiry

    @Test
    void anOptionStillOpenAtExpirySettlesFromTheUnderlyingPriceInTheMoney() throws Exception {
        var open = givenOpen(option(2), 2, "3.10");
        broker.underlyingPrice = Money.of("104.20");

        open.whenTimeAdvancesTo(TradeExecutionSaga.expiryInstant(CALL))
                .expectDispatchedCommands(new ExpireTradeCommand(ID, Money.of("104.20")));
    }

    @Test
    void anOptionStillOpenAtExpirySettlesFromTheUnderlyingPriceOutOfTheMoney() throws Exception {
        var open = givenOpen(option(2), 2, "3.10");
        broker.underlyingPrice = Money.of("93.00");

        open.whenTimeAdvancesTo(TradeExecutionSaga.expiryInstant(CALL))
                .expectDispatchedCommands(new ExpireTradeCommand(ID, Money.of("93.00")));
        assertThat(TradeExecutionSaga.expiryInstant(OptionSymbol.parse("AAPL300621C00100000")))
                .isEqualTo(Instant.parse("2030-06-21T20:00:00Z")); // 16:00 in New York, daylight time
    }

    @Test
    void anEntryOrderThatExpiredWithItsContractExpiresTheTrade() throws Exception {
        fixture.givenCurrentTime(START).andThenAPublished(placed(option(2)))
                .andThenAPublished(seen(TAG, "101", "OPEN", 0, null, null))
                .andThenTimeAdvancesTo(TradeExecutionSaga.expiryInstant(CALL).minusSeconds(1))
                .whenPublishingA(seen(TAG, "101", "EXPIRED", 0, null, "option expired"))
                .expectDispatchedCommands(new ExpireTradeCommand(ID, Money.of("100")));
    }

    @Test
    void anOptionTradeSchedulesItsExpiryAtFourPmNewYork() throws Exception {
        fixture.givenCurrentTime(START)
                .whenPublishingA(placed(option(1)))
                .expectScheduledDeadlineWithName(TradeExecutionSaga.expiryInstant(CALL), EXPIRY);
    }

    // ------------------------------------------------------------------------------------------------- ends

    @Test
    void everyEndOfTheTradeEndsTheSagaWithoutLeftoverDeadlines() throws Exception {
        for (Object end : new Object[]{
                new TradeClosedEvent(ID, CloseReason.MANUAL, 2, Money.of("1"), Money.of("1"), now()),
                new TradeExpiredEvent(ID, Money.of("1"), Money.ZERO, 2, Money.of("-620"), now()),
                new TradeRejectedEvent(ID, "no", now()),
                new TradeCanceledEvent(ID, CloseReason.TIMEOUT, "x", "system", now())}) {
            setUp();
            fixture.givenCurrentTime(START).andThenAPublished(placed(option(2)))
                    .whenPublishingA(end)
                    .expectActiveSagas(0)
                    .expectNoScheduledDeadlines();
        }
    }

    // --------------------------------------------------------------------------------------------- fixtures

    /** A market buy of 10 that filled 4, and the user's close of it. */
    private ContinuedGivenState givenCloseOfAPartlyFilledEntry() throws Exception {
        return fixture.givenCurrentTime(START).andThenAPublished(placed(market(10)))
                .andThenAPublished(seen(TAG, "101", "PARTIALLY_FILLED", 4, "50", null))
                .andThenAPublished(new CloseRequestedEvent(ID, CloseReason.MANUAL, "alice", now()));
    }

    /** A limit buy of {@code quantity} working at the broker, and the user's cancel of it. */
    private ContinuedGivenState givenCancelRequestedOfAWorkingLimitBuy(int quantity) throws Exception {
        return fixture.givenCurrentTime(START).andThenAPublished(placed(limit(quantity, "90")))
                .andThenAPublished(seen(TAG, "101", "OPEN", 0, null, null))
                .andThenAPublished(cancelRequested());
    }

    /** Placed, filled at the broker, opened by the aggregate. */
    private ContinuedGivenState givenOpen(TradeOrder order, int quantity, String price) throws Exception {
        return fixture.givenCurrentTime(START).andThenAPublished(placed(order))
                .andThenAPublished(seen(TAG, "101", "FILLED", quantity, price, null))
                .andThenAPublished(opened(quantity, price));
    }

    private WorkedOrder leg(String tag) {
        return desk.all().stream().filter(o -> o.tag().equals(tag)).findFirst()
                .orElseThrow(() -> new AssertionError("no leg " + tag + " at the desk: " + desk.all()));
    }

    private BrokerOrderReportedEvent seen(String tag, String orderId, String state, int filled, String price,
                                          String reason) {
        Money fill = price == null ? null : Money.of(price);
        return new BrokerOrderReportedEvent(ID, tag, Kind.SEEN, orderId, state, "MARKET", BigDecimal.valueOf(filled),
                fill, fill, reason, List.of(), now());
    }

    private BrokerOrderReportedEvent ended(String tag, Kind kind, String reason) {
        return new BrokerOrderReportedEvent(ID, tag, kind, null, null, null, null, null, null, reason, List.of(), now());
    }

    /** An OCO whose leg of {@code type} filled {@code quantity} at {@code price}; the other leg canceled. */
    private BrokerOrderReportedEvent ocoFilled(String tag, PriceType type, int quantity, String price) {
        PriceType other = type == PriceType.STOP ? PriceType.LIMIT : PriceType.STOP;
        return new BrokerOrderReportedEvent(ID, tag, Kind.SEEN, "301", "FILLED", type.name(),
                BigDecimal.valueOf(quantity), Money.of(price), Money.of(price), null, List.of(
                new Leg("301-a", "FILLED", type.name(), BigDecimal.valueOf(quantity), Money.of(price), Money.of(price)),
                new Leg("301-b", "CANCELED", other.name(), BigDecimal.ZERO, null, null)), now());
    }

    private CancelRequestedEvent cancelRequested() {
        return new CancelRequestedEvent(ID, "canceled by user", "alice", now());
    }

    private TradePlacedEvent placed(TradeOrder order) {
        return new TradePlacedEvent(ID, "alice", order, "key-1", order.fingerprint(), now());
    }

    private TradeOpenedEvent opened(int quantity, String price) {
        return new TradeOpenedEvent(ID, quantity, Money.of(price), "entry filled", now());
    }

    private static TradeOrder option(int quantity) {
        return TestOrders.option(CALL, quantity);
    }

    private Instant now() {
        return fixture.currentTime();
    }
}
