package io.papertrading.command.execution;

import io.papertrading.broker.BrokerInsufficientFundsException;
import io.papertrading.broker.BrokerOutcomeUnknownException;
import io.papertrading.broker.BrokerRateLimitException;
import io.papertrading.broker.BrokerTimeoutException;
import io.papertrading.broker.OrderSide;
import io.papertrading.broker.OrderState;
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
import io.papertrading.kernel.trade.command.RejectExitCommand;
import io.papertrading.kernel.trade.command.RejectTradeCommand;
import io.papertrading.kernel.trade.event.BracketsChangedEvent;
import io.papertrading.kernel.trade.event.BrokerOrderObservedEvent;
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

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static io.papertrading.command.execution.TradeExecutionSaga.CONFIRM;
import static io.papertrading.command.execution.TradeExecutionSaga.EXPIRY;
import static io.papertrading.command.execution.TradeExecutionSaga.RECONCILE;
import static io.papertrading.command.execution.TestOrders.bracketed;
import static io.papertrading.command.execution.TestOrders.limit;
import static io.papertrading.command.execution.TestOrders.market;
import static org.assertj.core.api.Assertions.assertThat;

class TradeExecutionSagaTest {

    private static final TradeId ID = new TradeId("0b5c2a4e-7d1f-3c8b-9e2a-5f6d7c8b9a01");
    private static final String TAG = ID.value();
    /** A call expiring in three days: time travel to its expiry stays short even while an order is polled. */
    private static final OptionSymbol CALL = OptionSymbol.parse("AAPL"
            + java.time.LocalDate.now(ZoneOffset.UTC).plusDays(3).format(java.time.format.DateTimeFormatter.ofPattern("yyMMdd"))
            + "C00100000");

    /** Both of the fixture's clocks start here (left alone, they start a millisecond apart). */
    private static final Instant START = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);

    private SagaTestFixture<TradeExecutionSaga> fixture;
    private FakeBroker broker;
    private WatchedOrders watches;
    private BrokerResolver resolver;
    private Clock clock;
    private ExecutionSettings settings;

    @BeforeEach
    void setUp() {
        fixture = new SagaTestFixture<>(TradeExecutionSaga.class);
        broker = new FakeBroker();
        clock = new FixtureClock(fixture);
        // 60 lists a minute: one per 1 s tick, so the first poll after a placement sees a fresh list
        settings = new ExecutionSettings(Duration.ofSeconds(1), 1.5, Duration.ofSeconds(5),
                Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(1), 60);
        watches = WatchedOrders.inMemory();
        resolver = user -> new BrokerAccount("fake:" + user, "FAKE", broker, true);
        fixture.registerResource(settings);
        fixture.registerResource(clock);
        fixture.registerResource(new OrderStatusBook(clock, settings));
        fixture.registerResource(resolver);
        fixture.registerResource(watches);
    }

    /**
     * What the account's poller tells the saga now about the order it watches: a poller that has not seen the
     * order yet (as after a restart) reports it whatever its state.
     */
    private BrokerOrderObservedEvent sighting() {
        List<Object> seen = new ArrayList<>();
        new AccountOrderPoller(watches, resolver, seen::add, command -> { }, clock, settings).pollAll();
        assertThat(seen).as("one sighting of the watched order").hasSize(1);
        return (BrokerOrderObservedEvent) seen.get(0);
    }

    /** The order the saga follows now, by its broker id. */
    private String watched() {
        assertThat(watches.all()).as("one watched order").hasSize(1);
        return watches.all().get(0).orderId();
    }

    // ------------------------------------------------------------------------------------------------ entry

    @Test
    void placesTheEntryTaggedWithTheTradeIdRecordsItAndFollowsIt() throws Exception {
        fixture.givenCurrentTime(START)
                .whenPublishingA(placed(market(1)))
                .expectActiveSagas(1)
                .expectDispatchedCommands(new RecordEntryOrderCommand(ID, "FAKE", broker.lastId()))
                .expectScheduledDeadlineWithName(Duration.ofSeconds(60), CONFIRM);
        assertThat(watched()).isEqualTo(broker.lastId());
        assertThat(broker.placed).singleElement().satisfies(o -> {
            assertThat(o.tag()).isEqualTo(TAG);
            assertThat(o.side()).isEqualTo(OrderSide.BUY_TO_OPEN);
            assertThat(o.type()).isEqualTo(PriceType.MARKET);
        });
    }

    @Test
    void aFilledEntryOpensTheTradeAtTheFillPriceAndStopsFollowingTheOrder() throws Exception {
        var given = fixture.givenCurrentTime(START).andThenAPublished(placed(market(3)));
        broker.set(broker.lastId(), OrderState.FILLED, 3, "101.25", null);

        given.whenPublishingA(sighting())
                .expectDispatchedCommands(new RecordEntryFillCommand(ID, 3, Money.of("101.25")))
                .expectNoScheduledDeadlineWithName(Duration.ofSeconds(60), CONFIRM);
        assertThat(watches.all()).isEmpty();
    }

    @Test
    void aSightingOfAnEarlierWatchChangesNothing() throws Exception {
        var given = fixture.givenCurrentTime(START).andThenAPublished(placed(market(3)));
        broker.set(broker.lastId(), OrderState.FILLED, 3, "101.25", null);
        BrokerOrderObservedEvent current = sighting();
        BrokerOrderObservedEvent old = new BrokerOrderObservedEvent(ID, current.watch() - 1, current.orderId(),
                current.state(), current.filledQuantity(), current.avgFillPrice(), current.lastFillPrice(), null,
                List.of(), current.occurredAt());

        given.whenPublishingA(old).expectNoDispatchedCommands();
    }

    @Test
    void aPartialFillIsRecordedAndPollingContinuesUntilTheRestFills() throws Exception {
        var given = fixture.givenCurrentTime(START).andThenAPublished(placed(market(10)));
        String id = broker.lastId();
        broker.set(id, OrderState.PARTIALLY_FILLED, 4, "50.10", null);
        var afterPartial = given.andThenAPublished(sighting());
        broker.set(id, OrderState.FILLED, 10, "50.20", null);

        afterPartial.whenPublishingA(sighting())
                .expectDispatchedCommands(new RecordEntryFillCommand(ID, 10, Money.of("50.20")));
    }

    @Test
    void aPartialFillDispatchesThePartialQuantityAndKeepsFollowingTheOrder() throws Exception {
        var given = fixture.givenCurrentTime(START).andThenAPublished(placed(market(10)));
        broker.set(broker.lastId(), OrderState.PARTIALLY_FILLED, 4, "50.10", null);

        given.whenPublishingA(sighting())
                .expectDispatchedCommands(new RecordEntryFillCommand(ID, 4, Money.of("50.10")));
        assertThat(watched()).isEqualTo(broker.lastId());
    }

    @Test
    void aRepeatedSightingOfAPartialFillRecordsNothingTwice() throws Exception {
        var given = fixture.givenCurrentTime(START).andThenAPublished(placed(market(10)));
        broker.set(broker.lastId(), OrderState.PARTIALLY_FILLED, 4, "50.10", null);

        given.andThenAPublished(sighting())
                .whenPublishingA(sighting())
                .expectNoDispatchedCommands();
    }

    @Test
    void aBrokerRejectionRejectsTheTradeWithTheBrokersReason() throws Exception {
        var given = fixture.givenCurrentTime(START).andThenAPublished(placed(market(1)));
        broker.set(broker.lastId(), OrderState.REJECTED, 0, null, "Insufficient buying power");

        given.whenPublishingA(sighting())
                .expectDispatchedCommands(new RejectTradeCommand(ID, "Insufficient buying power"));
    }

    @Test
    void aPlacementRefusedForBuyingPowerRejectsTheTradeWithoutPolling() throws Exception {
        BrokerInsufficientFundsException refusal = new BrokerInsufficientFundsException("insufficient buying power: needs $5000");
        broker.placeFailures.add(refusal);

        fixture.givenCurrentTime(START)
                .whenPublishingA(placed(market(1)))
                .expectDispatchedCommands(new RejectTradeCommand(ID, refusal.getMessage()))
                .expectNoScheduledDeadlineWithName(Duration.ofSeconds(60), CONFIRM);
        assertThat(watches.all()).isEmpty();
    }

    @Test
    void anOrderCanceledByTheBrokerCancelsTheTrade() throws Exception {
        var given = fixture.givenCurrentTime(START).andThenAPublished(placed(market(1)));
        broker.set(broker.lastId(), OrderState.CANCELED, 0, null, "halted");

        given.whenPublishingA(sighting())
                .expectDispatchedCommands(new CancelTradeCommand(ID, CloseReason.CANCELED, "canceled by the broker: halted",
                        Actor.Engine.SAGA, null));
    }

    @Test
    void anExpiredDayOrderCancelsTheTradeAsOrderExpired() throws Exception {
        var given = fixture.givenCurrentTime(START).andThenAPublished(placed(limit(1, "90")));
        broker.set(broker.lastId(), OrderState.EXPIRED, 0, null, null);

        given.whenPublishingA(sighting())
                .expectDispatchedCommands(new CancelTradeCommand(ID, CloseReason.CANCELED, "order expired", Actor.Engine.SAGA, null));
    }

    @Test
    void aWorkingLimitOrderSeenAtTheBrokerKeepsTheTradePendingAndFollowed() throws Exception {
        var given = fixture.givenCurrentTime(START).andThenAPublished(placed(limit(1, "90")));

        given.andThenAPublished(sighting())
                .whenTimeElapses(Duration.ofMinutes(10))
                .expectNoDispatchedCommands()
                .expectActiveSagas(1);
        assertThat(watched()).isEqualTo(broker.lastId());
    }

    @Test
    void anOrderTheBrokerNeverAcknowledgesIsCanceledThereAndTheTradeTimesOut() throws Exception {
        broker.hideNewOrders = true;
        var given = fixture.givenCurrentTime(START).andThenAPublished(placed(market(1)));
        String id = broker.lastId();

        given.whenTimeElapses(Duration.ofSeconds(60))
                .expectDispatchedCommands(new CancelTradeCommand(ID, CloseReason.TIMEOUT,
                        "the broker did not confirm the order within 60 s", Actor.Engine.SAGA, null));
        assertThat(broker.canceled).containsExactly(id);
        assertThat(watches.all()).isEmpty();
    }

    @Test
    void aPlacementTimeoutIsReconciledByTagAndTheFoundOrderIsFollowedWithoutASecondOrder() throws Exception {
        broker.timeoutAfterLanding = true;
        var given = fixture.givenCurrentTime(START).andThenAPublished(placed(market(2)));
        String id = broker.lastId();
        broker.set(id, OrderState.FILLED, 2, "10.00", null);

        given.whenTimeElapses(Duration.ofSeconds(1))
                .expectDispatchedCommands(new RecordEntryOrderCommand(ID, "FAKE", id),
                        new RecordEntryFillCommand(ID, 2, Money.of("10.00")));
        assertThat(broker.placed).hasSize(1);
    }

    @Test
    void aPlacementTimeoutWithNoOrderAtTheBrokerIsNeverResentAndEndsInTimeout() throws Exception {
        broker.placeFailures.add(new BrokerTimeoutException("read timed out", null));
        var given = fixture.givenCurrentTime(START).andThenAPublished(placed(market(1)));

        given.whenTimeElapses(Duration.ofSeconds(61))
                .expectDispatchedCommands(new CancelTradeCommand(ID, CloseReason.TIMEOUT,
                        "the broker did not say whether it took the order, and no order tagged " + TAG
                                + " appeared within 60 s; it was not sent again", Actor.Engine.SAGA, null))
                .expectNoScheduledDeadlineWithName(Duration.ofMinutes(10), RECONCILE);
        assertThat(broker.placed).isEmpty();
    }

    @Test
    void aPlacementAnswered5xxIsReconciledByTagInTheHistoryAndFollowedWithoutASecondOrder() throws Exception {
        broker.failureAfterLanding = new BrokerOutcomeUnknownException("POST /orders answered HTTP 502");
        var given = fixture.givenCurrentTime(START).andThenAPublished(placed(market(1)));
        String landed = broker.lastId();
        broker.pastListWindow.add(landed); // the list will not show it: only the history lookup can
        broker.set(landed, OrderState.FILLED, 1, "101.00", null);

        given.whenTimeElapses(Duration.ofSeconds(1))
                .expectDispatchedCommands(new RecordEntryOrderCommand(ID, "FAKE", landed),
                        new RecordEntryFillCommand(ID, 1, Money.of("101.00")));
        assertThat(broker.placed).hasSize(1);
    }

    @Test
    void aBrokerThatCouldNotTakeThePlacementForTheWholeWindowEndsTheTradeSayingNothingWasPlaced() throws Exception {
        for (int i = 0; i < 20; i++) {
            broker.placeFailures.add(new io.papertrading.broker.BrokerUnavailableException("connection refused"));
        }
        var given = fixture.givenCurrentTime(START).andThenAPublished(placed(market(1)));

        given.whenTimeElapses(Duration.ofSeconds(61))
                .expectDispatchedCommands(new CancelTradeCommand(ID, CloseReason.TIMEOUT,
                        "the broker could not take the order within 60 s (unavailable or rate limited); nothing was placed",
                        Actor.Engine.SAGA, null));
        assertThat(broker.placed).isEmpty();
    }

    @Test
    void aTradePlacedRedeliveredAfterALongOutageFindsItsOrderInTheHistoryAndPlacesNoSecond() throws Exception {
        String existing = broker.existing(TAG, OrderState.FILLED);
        broker.set(existing, OrderState.FILLED, 1, "99.00", null);
        broker.pastListWindow.add(existing); // placed two days ago: out of the account's list

        fixture.givenCurrentTime(START)
                .whenPublishingA(new TradePlacedEvent(ID, "alice", market(1), "key-1", market(1).fingerprint(),
                        START.minus(Duration.ofDays(2))))
                .expectDispatchedCommands(new RecordEntryOrderCommand(ID, "FAKE", existing),
                        new RecordEntryFillCommand(ID, 1, Money.of("99.00")));
        assertThat(broker.placed).isEmpty();
    }

    @Test
    void aRateLimitedPlacementIsReconciledThenPlacedExactlyOnce() throws Exception {
        broker.placeFailures.add(new BrokerRateLimitException("429"));
        var given = fixture.givenCurrentTime(START).andThenAPublished(placed(market(1)));
        assertThat(broker.placed).isEmpty();

        given.whenTimeElapses(Duration.ofSeconds(1))
                .expectDispatchedCommands(new RecordEntryOrderCommand(ID, "FAKE", broker.lastId()));
        assertThat(broker.placed).hasSize(1);
        assertThat(watched()).isEqualTo(broker.lastId());
    }

    @Test
    void aRedeliveredTradePlacedWithTheOrderAlreadyAtTheBrokerPlacesNoSecondOrder() throws Exception {
        String existing = broker.existing(TAG, OrderState.OPEN);

        fixture.givenCurrentTime(START)
                .whenPublishingA(placed(market(1)))
                .expectDispatchedCommands(new RecordEntryOrderCommand(ID, "FAKE", existing));
        assertThat(broker.placed).isEmpty();
        assertThat(watched()).isEqualTo(existing);
    }

    @Test
    void cancelingAPendingTradeCancelsTheBrokerOrderAndLeavesNoDeadlines() throws Exception {
        var given = fixture.givenCurrentTime(START).andThenAPublished(placed(limit(1, "90")));
        String id = broker.lastId();

        given.whenPublishingA(new TradeCanceledEvent(ID, CloseReason.CANCELED, null, "alice", now()))
                .expectActiveSagas(0)
                .expectNoScheduledDeadlines();
        assertThat(broker.canceled).containsExactly(id);
    }

    // ------------------------------------------------------------------------------------------------- exits

    @Test
    void aCloseRequestPlacesTheExitAndItsFillClosesTheTradeAtTheExitPrice() throws Exception {
        var given = givenOpen(market(2), 2, "100");
        var closing = given.andThenAPublished(new CloseRequestedEvent(ID, CloseReason.MANUAL, "alice", now()))
                .andThenTimeElapses(Duration.ofSeconds(1));
        String exitId = broker.lastId();
        assertThat(broker.placed).last().satisfies(o -> {
            assertThat(o.side()).isEqualTo(OrderSide.SELL_TO_CLOSE);
            assertThat(o.quantity()).isEqualTo(2);
            assertThat(o.tag()).isEqualTo(TAG + "-x1");
        });
        broker.set(exitId, OrderState.FILLED, 2, "105.5", null);

        closing.whenPublishingA(sighting())
                .expectDispatchedCommands(new CloseTradeCommand(ID, Money.of("105.5"), null));
    }

    @Test
    void theExitOrderIsRecordedOnTheTrade() throws Exception {
        var given = givenOpen(market(2), 2, "100")
                .andThenAPublished(new CloseRequestedEvent(ID, CloseReason.MANUAL, "alice", now()));

        // reconciled first (no order with the exit tag), then placed one tick later
        given.whenTimeElapses(Duration.ofSeconds(1))
                .expectDispatchedCommands(new RecordExitOrderCommand(ID, broker.lastId()));
        assertThat(broker.placed).hasSize(2);
        assertThat(watched()).isEqualTo(broker.lastId());
    }

    @Test
    void aRejectedExitReturnsTheTradeToOpenWithTheReason() throws Exception {
        var closing = givenOpen(market(2), 2, "100")
                .andThenAPublished(new CloseRequestedEvent(ID, CloseReason.MANUAL, "alice", now()))
                .andThenTimeElapses(Duration.ofSeconds(1));
        broker.set(broker.lastId(), OrderState.REJECTED, 0, null, "market closed");

        closing.whenPublishingA(sighting())
                .expectDispatchedCommands(new RejectExitCommand(ID, "market closed"));
    }

    @Test
    void closingAPartiallyFilledTradeCancelsTheEntryRemainderAndExitsWhatWasFilled() throws Exception {
        var given = fixture.givenCurrentTime(START).andThenAPublished(placed(market(10)));
        String entry = broker.lastId();
        broker.set(entry, OrderState.PARTIALLY_FILLED, 4, "50", null);
        var partial = given.andThenAPublished(sighting());

        partial.andThenAPublished(new CloseRequestedEvent(ID, CloseReason.MANUAL, "alice", now()))
                .whenTimeElapses(Duration.ofSeconds(1))
                .expectDispatchedCommands(new RecordExitOrderCommand(ID, broker.lastId()));
        assertThat(broker.canceled).containsExactly(entry);
        assertThat(broker.placed).last().satisfies(o -> assertThat(o.quantity()).isEqualTo(4));
    }

    // ---------------------------------------------------------------------------------------------- brackets

    @Test
    void anOpenedTradeWithBracketsGetsAnOcoExitAtTheBroker() throws Exception {
        var given = givenOpen(bracketed(), 5, "100");

        given.whenTimeElapses(Duration.ofSeconds(1));
        assertThat(watched()).isEqualTo(broker.lastId());
        assertThat(broker.ocos).singleElement().satisfies(oco -> {
            assertThat(oco.tag()).isEqualTo(TAG + "-b1");
            assertThat(oco.stopLoss()).isEqualTo(Money.of("95"));
            assertThat(oco.takeProfit()).isEqualTo(Money.of("110"));
            assertThat(oco.side()).isEqualTo(OrderSide.SELL_TO_CLOSE);
            assertThat(oco.quantity()).isEqualTo(5);
        });
    }

    @Test
    void aStopLossLegFillClosesTheTradeAsStopLoss() throws Exception {
        var open = givenOpen(bracketed(), 5, "100")
                .andThenTimeElapses(Duration.ofSeconds(1));
        broker.fillLeg(broker.lastId(), PriceType.STOP, "94.90");

        open.whenPublishingA(sighting())
                .expectDispatchedCommands(new CloseTradeCommand(ID, Money.of("94.90"), CloseReason.STOP_LOSS));
    }

    @Test
    void aCloseRequestReachingTheSagaAfterABracketLegSoldEverythingPlacesNoExit() throws Exception {
        var open = givenOpen(bracketed(), 5, "100")
                .andThenTimeElapses(Duration.ofSeconds(1));
        broker.fillLeg(broker.lastId(), PriceType.LIMIT, "110");
        int placed = broker.placed.size();
        // the user's close was accepted, but the saga hears of the filled bracket before it handles the request
        var closedByBracket = open.andThenAPublished(sighting());

        closedByBracket.andThenAPublished(new CloseRequestedEvent(ID, CloseReason.MANUAL, "alice", now()))
                .whenTimeElapses(Duration.ofSeconds(10))
                .expectNoDispatchedCommands();
        assertThat(broker.placed).as("no exit order").hasSize(placed);
    }

    @Test
    void aTakeProfitLegFillClosesTheTradeAsTakeProfit() throws Exception {
        var open = givenOpen(bracketed(), 5, "100")
                .andThenTimeElapses(Duration.ofSeconds(1));
        broker.fillLeg(broker.lastId(), PriceType.LIMIT, "110.05");

        open.whenPublishingA(sighting())
                .expectDispatchedCommands(new CloseTradeCommand(ID, Money.of("110.05"), CloseReason.TAKE_PROFIT));
    }

    @Test
    void changingTheBracketsReplacesTheOco() throws Exception {
        var open = givenOpen(bracketed(), 5, "100")
                .andThenTimeElapses(Duration.ofSeconds(1));
        String first = broker.lastId();

        open.andThenAPublished(new BracketsChangedEvent(ID, Money.of("97"), Money.of("120"), "alice", now()))
                .whenTimeElapses(Duration.ofSeconds(1));
        assertThat(watched()).isEqualTo(broker.lastId()).isNotEqualTo(first);
        assertThat(broker.canceled).containsExactly(first);
        assertThat(broker.ocos).hasSize(2).last().satisfies(oco -> {
            assertThat(oco.stopLoss()).isEqualTo(Money.of("97"));
            assertThat(oco.takeProfit()).isEqualTo(Money.of("120"));
            assertThat(oco.tag()).isEqualTo(TAG + "-b2");
        });
    }

    @Test
    void aCloseRequestWithdrawsTheOcoBeforePlacingTheExit() throws Exception {
        var open = givenOpen(bracketed(), 5, "100")
                .andThenTimeElapses(Duration.ofSeconds(1));
        String oco = broker.lastId();

        open.andThenAPublished(new CloseRequestedEvent(ID, CloseReason.MANUAL, "alice", now()))
                .whenTimeElapses(Duration.ofSeconds(1))
                .expectDispatchedCommands(new RecordExitOrderCommand(ID, broker.lastId()));
        assertThat(broker.canceled).containsExactly(oco);
    }

    @Test
    void aRejectedExitReArmsTheBrackets() throws Exception {
        var closing = givenOpen(bracketed(), 5, "100")
                .andThenTimeElapses(Duration.ofSeconds(1))
                .andThenAPublished(new CloseRequestedEvent(ID, CloseReason.MANUAL, "alice", now()))
                .andThenTimeElapses(Duration.ofSeconds(1));

        closing.andThenAPublished(new ExitRejectedEvent(ID, "market closed", now()))
                .whenTimeElapses(Duration.ofSeconds(1));
        assertThat(broker.ocos).hasSize(2);
        assertThat(watched()).isEqualTo(broker.lastId());
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
        var given = fixture.givenCurrentTime(START).andThenAPublished(placed(option(2)));
        String id = broker.lastId();
        var atExpiry = given.andThenTimeAdvancesTo(TradeExecutionSaga.expiryInstant(CALL).minusSeconds(1));
        broker.set(id, OrderState.EXPIRED, 0, null, "option expired");

        atExpiry.whenPublishingA(sighting())
                .expectDispatchedCommands(new ExpireTradeCommand(ID, Money.of("100")));
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

    @Test
    void anOptionTradeSchedulesItsExpiryAtFourPmNewYork() throws Exception {
        fixture.givenCurrentTime(START)
                .whenPublishingA(placed(option(1)))
                .expectScheduledDeadlineWithName(TradeExecutionSaga.expiryInstant(CALL), EXPIRY);
    }

    // --------------------------------------------------------------------------------------------- fixtures

    /** Placed, filled at the broker, seen by a poll, opened by the aggregate. */
    private ContinuedGivenState givenOpen(TradeOrder order, int quantity, String price) throws Exception {
        var given = fixture.givenCurrentTime(START).andThenAPublished(placed(order));
        broker.set(broker.lastId(), OrderState.FILLED, quantity, price, null);
        return given.andThenAPublished(sighting()).andThenAPublished(opened(quantity, price));
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
