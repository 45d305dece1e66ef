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

import static io.papertrading.command.execution.TradeExecutionSaga.CONFIRM;
import static io.papertrading.command.execution.TradeExecutionSaga.EXPIRY;
import static io.papertrading.command.execution.TradeExecutionSaga.POLL;
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
    private OrderStatusBook book;

    @BeforeEach
    void setUp() {
        fixture = new SagaTestFixture<>(TradeExecutionSaga.class);
        broker = new FakeBroker();
        Clock clock = new FixtureClock(fixture);
        // 60 lists a minute: one per 1 s tick, so the first poll after a placement sees a fresh list
        ExecutionSettings settings = new ExecutionSettings(Duration.ofSeconds(1), 1.5, Duration.ofSeconds(5),
                Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(1), 60);
        book = new OrderStatusBook(clock, settings);
        fixture.registerResource(settings);
        fixture.registerResource(clock);
        fixture.registerResource(book);
        fixture.registerResource((BrokerResolver) user -> new BrokerAccount("fake:" + user, "FAKE", broker, true));
    }

    // ------------------------------------------------------------------------------------------------ entry

    @Test
    void placesTheEntryTaggedWithTheTradeIdRecordsItAndPollsAfterOneSecond() throws Exception {
        fixture.givenCurrentTime(START)
                .whenPublishingA(placed(market(1)))
                .expectActiveSagas(1)
                .expectDispatchedCommands(new RecordEntryOrderCommand(ID, "FAKE", broker.lastId()))
                .expectScheduledDeadlineWithName(Duration.ofSeconds(1), POLL)
                .expectScheduledDeadlineWithName(Duration.ofSeconds(60), CONFIRM);
        assertThat(broker.placed).singleElement().satisfies(o -> {
            assertThat(o.tag()).isEqualTo(TAG);
            assertThat(o.side()).isEqualTo(OrderSide.BUY_TO_OPEN);
            assertThat(o.type()).isEqualTo(PriceType.MARKET);
        });
    }

    @Test
    void aFilledEntryOpensTheTradeAtTheFillPriceAndStopsPolling() throws Exception {
        var given = fixture.givenCurrentTime(START).andThenAPublished(placed(market(3)));
        broker.set(broker.lastId(), OrderState.FILLED, 3, "101.25", null);

        given.whenTimeElapses(Duration.ofSeconds(1))
                .expectDispatchedCommands(new RecordEntryFillCommand(ID, 3, Money.of("101.25")))
                .expectNoScheduledDeadlineWithName(Duration.ofMinutes(10), POLL);
    }

    @Test
    void aPartialFillIsRecordedAndPollingContinuesUntilTheRestFills() throws Exception {
        var given = fixture.givenCurrentTime(START).andThenAPublished(placed(market(10)));
        String id = broker.lastId();
        broker.set(id, OrderState.PARTIALLY_FILLED, 4, "50.10", null);
        var afterPartial = given.andThenTimeElapses(Duration.ofSeconds(1));
        broker.set(id, OrderState.FILLED, 10, "50.20", null);

        afterPartial.whenTimeElapses(Duration.ofSeconds(1))
                .expectDispatchedCommands(new RecordEntryFillCommand(ID, 10, Money.of("50.20")));
    }

    @Test
    void aPartialFillDispatchesThePartialQuantityAndKeepsPolling() throws Exception {
        var given = fixture.givenCurrentTime(START).andThenAPublished(placed(market(10)));
        broker.set(broker.lastId(), OrderState.PARTIALLY_FILLED, 4, "50.10", null);

        given.whenTimeElapses(Duration.ofSeconds(1))
                .expectDispatchedCommands(new RecordEntryFillCommand(ID, 4, Money.of("50.10")))
                .expectScheduledDeadlineWithName(Duration.ofSeconds(1), POLL);
    }

    @Test
    void aBrokerRejectionRejectsTheTradeWithTheBrokersReason() throws Exception {
        var given = fixture.givenCurrentTime(START).andThenAPublished(placed(market(1)));
        broker.set(broker.lastId(), OrderState.REJECTED, 0, null, "Insufficient buying power");

        given.whenTimeElapses(Duration.ofSeconds(1))
                .expectDispatchedCommands(new RejectTradeCommand(ID, "Insufficient buying power"));
    }

    @Test
    void aPlacementRefusedForBuyingPowerRejectsTheTradeWithoutPolling() throws Exception {
        BrokerInsufficientFundsException refusal = new BrokerInsufficientFundsException("insufficient buying power: needs $5000");
        broker.placeFailures.add(refusal);

        fixture.givenCurrentTime(START)
                .whenPublishingA(placed(market(1)))
                .expectDispatchedCommands(new RejectTradeCommand(ID, refusal.getMessage()))
                .expectNoScheduledDeadlineWithName(Duration.ofSeconds(1), POLL)
                .expectNoScheduledDeadlineWithName(Duration.ofSeconds(60), CONFIRM);
    }

    @Test
    void anOrderCanceledByTheBrokerCancelsTheTrade() throws Exception {
        var given = fixture.givenCurrentTime(START).andThenAPublished(placed(market(1)));
        broker.set(broker.lastId(), OrderState.CANCELED, 0, null, "halted");

        given.whenTimeElapses(Duration.ofSeconds(1))
                .expectDispatchedCommands(new CancelTradeCommand(ID, CloseReason.CANCELED, "canceled by the broker: halted",
                        Actor.Engine.SAGA, null));
    }

    @Test
    void anExpiredDayOrderCancelsTheTradeAsOrderExpired() throws Exception {
        var given = fixture.givenCurrentTime(START).andThenAPublished(placed(limit(1, "90")));
        broker.set(broker.lastId(), OrderState.EXPIRED, 0, null, null);

        given.whenTimeElapses(Duration.ofSeconds(1))
                .expectDispatchedCommands(new CancelTradeCommand(ID, CloseReason.CANCELED, "order expired", Actor.Engine.SAGA, null));
    }

    @Test
    void aWorkingLimitOrderKeepsTheTradePendingAndIsPolledMoreSlowlyUpToThirtySeconds() throws Exception {
        var given = fixture.givenCurrentTime(START).andThenAPublished(placed(limit(1, "90")));
        int listsBefore = broker.listCalls;

        given.whenTimeElapses(Duration.ofMinutes(10))
                .expectNoDispatchedCommands()
                .expectActiveSagas(1)
                .expectNoScheduledDeadlineWithName(Duration.ofSeconds(60), CONFIRM);
        // 1, 1.5, 2.25 ... 30 s: about 25 polls in ten minutes instead of 600
        assertThat(broker.listCalls - listsBefore).isBetween(15, 40);
    }

    @Test
    void anOrderTheBrokerNeverAcknowledgesIsCanceledThereAndTheTradeTimesOut() throws Exception {
        broker.hideNewOrders = true;
        var given = fixture.givenCurrentTime(START).andThenAPublished(placed(market(1)));
        String id = broker.lastId();

        given.whenTimeElapses(Duration.ofSeconds(60))
                .expectDispatchedCommands(new CancelTradeCommand(ID, CloseReason.TIMEOUT,
                        "the broker did not confirm the order within 60 s", Actor.Engine.SAGA, null))
                .expectNoScheduledDeadlineWithName(Duration.ofMinutes(10), POLL);
        assertThat(broker.canceled).containsExactly(id);
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
                .expectDispatchedCommands(new RecordEntryOrderCommand(ID, "FAKE", broker.lastId()))
                .expectScheduledDeadlineWithName(Duration.ofSeconds(1), POLL);
        assertThat(broker.placed).hasSize(1);
    }

    @Test
    void rateLimitedPollsBackOffAndNeverFailTheTrade() throws Exception {
        var given = fixture.givenCurrentTime(START).andThenAPublished(placed(market(1)));
        for (int i = 0; i < 5; i++) {
            broker.listFailures.add(new BrokerRateLimitException("429"));
        }
        broker.set(broker.lastId(), OrderState.FILLED, 1, "20", null);

        // polls at 1 s then retries after 1, 2, 4, 8, 16 s: the fill is seen on the sixth attempt
        given.whenTimeElapses(Duration.ofSeconds(40))
                .expectDispatchedCommands(new RecordEntryFillCommand(ID, 1, Money.of("20")));
        assertThat(broker.listCalls).isEqualTo(1 + 6);
    }

    @Test
    void aRedeliveredTradePlacedWithTheOrderAlreadyAtTheBrokerPlacesNoSecondOrder() throws Exception {
        String existing = broker.existing(TAG, OrderState.OPEN);

        fixture.givenCurrentTime(START)
                .whenPublishingA(placed(market(1)))
                .expectDispatchedCommands(new RecordEntryOrderCommand(ID, "FAKE", existing))
                .expectScheduledDeadlineWithName(Duration.ofSeconds(1), POLL);
        assertThat(broker.placed).isEmpty();
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

        closing.whenTimeElapses(Duration.ofSeconds(1))
                .expectDispatchedCommands(new CloseTradeCommand(ID, Money.of("105.5"), null));
    }

    @Test
    void theExitOrderIsRecordedOnTheTrade() throws Exception {
        var given = givenOpen(market(2), 2, "100")
                .andThenAPublished(new CloseRequestedEvent(ID, CloseReason.MANUAL, "alice", now()));

        // reconciled first (no order with the exit tag), then placed one tick later
        given.whenTimeElapses(Duration.ofSeconds(1))
                .expectDispatchedCommands(new RecordExitOrderCommand(ID, broker.lastId()))
                .expectScheduledDeadlineWithName(Duration.ofSeconds(1), POLL);
        assertThat(broker.placed).hasSize(2);
    }

    @Test
    void aRejectedExitReturnsTheTradeToOpenWithTheReason() throws Exception {
        var closing = givenOpen(market(2), 2, "100")
                .andThenAPublished(new CloseRequestedEvent(ID, CloseReason.MANUAL, "alice", now()))
                .andThenTimeElapses(Duration.ofSeconds(1));
        broker.set(broker.lastId(), OrderState.REJECTED, 0, null, "market closed");

        closing.whenTimeElapses(Duration.ofSeconds(1))
                .expectDispatchedCommands(new RejectExitCommand(ID, "market closed"));
    }

    @Test
    void closingAPartiallyFilledTradeCancelsTheEntryRemainderAndExitsWhatWasFilled() throws Exception {
        var given = fixture.givenCurrentTime(START).andThenAPublished(placed(market(10)));
        String entry = broker.lastId();
        broker.set(entry, OrderState.PARTIALLY_FILLED, 4, "50", null);
        var partial = given.andThenTimeElapses(Duration.ofSeconds(1));

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

        given.whenTimeElapses(Duration.ofSeconds(1))
                .expectScheduledDeadlineWithName(Duration.ofSeconds(1), POLL);
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

        open.whenTimeElapses(Duration.ofSeconds(1))
                .expectDispatchedCommands(new CloseTradeCommand(ID, Money.of("94.90"), CloseReason.STOP_LOSS));
    }

    @Test
    void aCloseRequestReachingTheSagaAfterABracketLegSoldEverythingPlacesNoExit() throws Exception {
        var open = givenOpen(bracketed(), 5, "100")
                .andThenTimeElapses(Duration.ofSeconds(1));
        broker.fillLeg(broker.lastId(), PriceType.LIMIT, "110");
        int placed = broker.placed.size();
        // the user's close was accepted, but the saga polls the filled bracket before it handles the request
        var closedByBracket = open.andThenTimeElapses(Duration.ofSeconds(1));

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

        open.whenTimeElapses(Duration.ofSeconds(1))
                .expectDispatchedCommands(new CloseTradeCommand(ID, Money.of("110.05"), CloseReason.TAKE_PROFIT));
    }

    @Test
    void changingTheBracketsReplacesTheOco() throws Exception {
        var open = givenOpen(bracketed(), 5, "100")
                .andThenTimeElapses(Duration.ofSeconds(1));
        String first = broker.lastId();

        open.andThenAPublished(new BracketsChangedEvent(ID, Money.of("97"), Money.of("120"), "alice", now()))
                .whenTimeElapses(Duration.ofSeconds(1))
                .expectScheduledDeadlineWithName(Duration.ofSeconds(1), POLL);
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
                .whenTimeElapses(Duration.ofSeconds(1))
                .expectScheduledDeadlineWithName(Duration.ofSeconds(1), POLL);
        assertThat(broker.ocos).hasSize(2);
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

        atExpiry.whenTimeElapses(Duration.ofSeconds(40))
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

    @Test
    void aHundredPendingTradesOfOneAccountCostOneListRequestPerTick() throws Exception {
        var given = fixture.givenCurrentTime(START).andThenAPublished(new TradePlacedEvent(new TradeId("trade-0"), "alice", limit(1, "90"), "k0", "h", now()));
        for (int i = 1; i < 100; i++) {
            given = given.andThenAPublished(new TradePlacedEvent(new TradeId("trade-" + i), "alice", limit(1, "90"),
                    "k" + i, "h", now()));
        }
        long before = book.listRequests("fake:alice");
        given.whenTimeElapses(Duration.ofSeconds(60));
        long lists = book.listRequests("fake:alice") - before;
        assertThat(broker.placed).hasSize(100);
        assertThat(lists).isLessThanOrEqualTo(60);
    }

    // --------------------------------------------------------------------------------------------- fixtures

    /** Placed, filled at the broker, seen by a poll, opened by the aggregate. */
    private ContinuedGivenState givenOpen(TradeOrder order, int quantity, String price) throws Exception {
        var given = fixture.givenCurrentTime(START).andThenAPublished(placed(order));
        broker.set(broker.lastId(), OrderState.FILLED, quantity, price, null);
        return given.andThenTimeElapses(Duration.ofSeconds(1)).andThenAPublished(opened(quantity, price));
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
