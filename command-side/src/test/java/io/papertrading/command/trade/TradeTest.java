package io.papertrading.command.trade;

import io.papertrading.kernel.error.FieldError;
import io.papertrading.kernel.error.IdempotencyKeyReusedException;
import io.papertrading.kernel.error.RiskLimitException;
import io.papertrading.kernel.error.TradeNotFoundException;
import io.papertrading.kernel.error.ValidationFailedException;
import io.papertrading.kernel.trade.Actor;
import io.papertrading.kernel.instrument.Instrument;
import io.papertrading.kernel.trade.CloseReason;
import io.papertrading.kernel.trade.OrderType;
import io.papertrading.kernel.trade.Side;
import io.papertrading.kernel.trade.TradeAck;
import io.papertrading.kernel.trade.TradeId;
import io.papertrading.kernel.trade.TradeOrder;
import io.papertrading.kernel.trade.command.AnnotateTradeCommand;
import io.papertrading.kernel.trade.command.CancelTradeCommand;
import io.papertrading.kernel.trade.command.ChangeBracketsCommand;
import io.papertrading.kernel.trade.command.CloseTradeCommand;
import io.papertrading.kernel.trade.command.ExpireTradeCommand;
import io.papertrading.kernel.trade.command.PlaceTradeCommand;
import io.papertrading.kernel.trade.command.RecordEntryFillCommand;
import io.papertrading.kernel.trade.command.RecordEntryOrderCommand;
import io.papertrading.kernel.trade.command.RecordExitOrderCommand;
import io.papertrading.kernel.trade.command.RecordPartialExitCommand;
import io.papertrading.kernel.trade.command.RejectExitCommand;
import io.papertrading.kernel.trade.command.RejectTradeCommand;
import io.papertrading.kernel.trade.command.ReportBrokerProblemCommand;
import io.papertrading.kernel.trade.command.RequestCloseCommand;
import io.papertrading.kernel.trade.event.BracketsChangedEvent;
import io.papertrading.kernel.trade.event.BrokerProblemClearedEvent;
import io.papertrading.kernel.trade.event.BrokerProblemReportedEvent;
import io.papertrading.kernel.trade.event.CloseRequestedEvent;
import io.papertrading.kernel.trade.event.EntryOrderSubmittedEvent;
import io.papertrading.kernel.trade.event.EntryPartiallyFilledEvent;
import io.papertrading.kernel.trade.event.ExitOrderSubmittedEvent;
import io.papertrading.kernel.trade.event.ExitRejectedEvent;
import io.papertrading.kernel.trade.event.PositionReducedEvent;
import io.papertrading.kernel.trade.event.TradeAnnotatedEvent;
import io.papertrading.kernel.trade.event.CancelRequestedEvent;
import io.papertrading.kernel.trade.event.EntryFilledWhileClosingEvent;
import io.papertrading.kernel.trade.event.TradeCanceledEvent;
import io.papertrading.kernel.trade.event.TradeClosedEvent;
import io.papertrading.kernel.trade.event.TradeExpiredEvent;
import io.papertrading.kernel.trade.event.TradeOpenedEvent;
import io.papertrading.kernel.trade.event.TradePlacedEvent;
import io.papertrading.kernel.trade.event.TradeRejectedEvent;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.hamcrest.Description;
import org.hamcrest.Matcher;
import org.hamcrest.TypeSafeMatcher;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import static io.papertrading.command.trade.TradeFixtures.AAPL_CALL;
import static io.papertrading.command.trade.TradeFixtures.AAPL_PUT;
import static io.papertrading.command.trade.TradeFixtures.ALICE;
import static io.papertrading.command.trade.TradeFixtures.ID;
import static io.papertrading.command.trade.TradeFixtures.KEY;
import static io.papertrading.command.trade.TradeFixtures.NOW;
import static io.papertrading.command.trade.TradeFixtures.illegalTransition;
import static io.papertrading.command.trade.TradeFixtures.money;
import static io.papertrading.command.trade.TradeFixtures.newFixture;
import static io.papertrading.command.trade.TradeFixtures.optionOrder;
import static io.papertrading.command.trade.TradeFixtures.placed;
import static io.papertrading.command.trade.TradeFixtures.stockOrder;
import static io.papertrading.command.trade.TradeFixtures.versionConflict;
import static io.papertrading.kernel.trade.TradeStatus.CANCELED;
import static io.papertrading.kernel.trade.TradeStatus.CLOSED;
import static io.papertrading.kernel.trade.TradeStatus.CLOSING;
import static io.papertrading.kernel.trade.TradeStatus.EXPIRED;
import static io.papertrading.kernel.trade.TradeStatus.OPEN;
import static io.papertrading.kernel.trade.TradeStatus.PARTIALLY_FILLED;
import static io.papertrading.kernel.trade.TradeStatus.PENDING;
import static org.assertj.core.api.Assertions.assertThat;

class TradeTest {

    /** BUY 2 AAPL 2026-06-19 260 calls, LIMIT 2.15. */
    static final TradeOrder TWO_CALLS = optionOrder(AAPL_CALL, "BUY", 2, "2.15");

    private AggregateTestFixture<Trade> fixture;

    @BeforeEach
    void setUp() {
        fixture = newFixture();
    }

    private static TradeOpenedEvent opened(int quantity, String price) {
        return new TradeOpenedEvent(ID, quantity, money(price), "entry filled", NOW);
    }

    private static CloseRequestedEvent closeRequested(CloseReason reason) {
        return new CloseRequestedEvent(ID, reason, ALICE, NOW);
    }

    static Matcher<ValidationFailedException> validationFailedOn(String field) {
        return new TypeSafeMatcher<>() {
            @Override
            protected boolean matchesSafely(ValidationFailedException e) {
                return e.errors().stream().map(FieldError::field).anyMatch(field::equals);
            }

            @Override
            public void describeTo(Description description) {
                description.appendText("ValidationFailedException naming field " + field);
            }
        };
    }

    @Nested
    class Placing {

        @Test
        void placesAPendingTradeAtVersionOne() {
            fixture.givenNoPriorActivity()
                    .when(new PlaceTradeCommand(ID, ALICE, TWO_CALLS, KEY))
                    .expectEvents(new TradePlacedEvent(ID, ALICE, TWO_CALLS, KEY, TWO_CALLS.fingerprint(), NOW))
                    .expectResultMessagePayload(new TradeAck(ID, PENDING, 1));
        }

        @Test
        void answersARetryOfTheSameOrderWithTheExistingTradeAndNoEvent() {
            TradeOrder sameOrderRebuilt = optionOrder(AAPL_CALL, "BUY", 2, "2.150");
            fixture.given(placed(TWO_CALLS), opened(2, "2.15"))
                    .when(new PlaceTradeCommand(ID, ALICE, sameOrderRebuilt, KEY))
                    .expectNoEvents()
                    .expectResultMessagePayload(new TradeAck(ID, OPEN, 2));
        }

        @Test
        void refusesAPlacementWhenTheUserHasAsManyLiveTradesAsTheirLimit() {
            InMemoryLiveTrades live = new InMemoryLiveTrades();
            live.add(ALICE, TradeId.forSubmission(ALICE, "earlier"));
            newFixture(live).givenNoPriorActivity()
                    .when(new PlaceTradeCommand(ID, ALICE, TWO_CALLS, KEY, 1))
                    .expectNoEvents()
                    .expectException(RiskLimitException.class)
                    .expectExceptionMessage("you have 1 live trades and your limit is 1");
        }

        @Test
        void placesBelowTheLimitCountingOnlyTheUsersOwnLiveTrades() {
            InMemoryLiveTrades live = new InMemoryLiveTrades();
            live.add(ALICE, TradeId.forSubmission(ALICE, "earlier"));
            live.add("bob", TradeId.forSubmission("bob", "his"));
            live.add("bob", TradeId.forSubmission("bob", "other"));
            newFixture(live).givenNoPriorActivity()
                    .when(new PlaceTradeCommand(ID, ALICE, TWO_CALLS, KEY, 2))
                    .expectEvents(new TradePlacedEvent(ID, ALICE, TWO_CALLS, KEY, TWO_CALLS.fingerprint(), NOW));
        }

        @Test
        void answersARetryOfAPlacedTradeEvenWhenItFillsTheLimit() {
            InMemoryLiveTrades live = new InMemoryLiveTrades();
            live.add(ALICE, ID);
            newFixture(live).given(placed(TWO_CALLS))
                    .when(new PlaceTradeCommand(ID, ALICE, TWO_CALLS, KEY, 1))
                    .expectNoEvents()
                    .expectResultMessagePayload(new TradeAck(ID, PENDING, 1));
        }

        @Test
        void refusesTheSameIdempotencyKeyForADifferentOrder() {
            fixture.given(placed(TWO_CALLS))
                    .when(new PlaceTradeCommand(ID, ALICE, optionOrder(AAPL_CALL, "BUY", 3, "2.15"), KEY))
                    .expectNoEvents()
                    .expectException(IdempotencyKeyReusedException.class);
        }

        @Test
        void refusesAnotherUserLandingOnTheSameTrade() {
            fixture.given(placed(TWO_CALLS))
                    .when(new PlaceTradeCommand(ID, "bob", TWO_CALLS, KEY))
                    .expectNoEvents()
                    .expectException(IdempotencyKeyReusedException.class);
        }

        @Test
        void refusesALimitOrderWithoutALimitPrice() {
            TradeOrder noLimit = new TradeOrder(Instrument.stock("AAPL"), Side.BUY, 10, OrderType.LIMIT, null,
                    null, null, null, null);
            fixture.givenNoPriorActivity()
                    .when(new PlaceTradeCommand(ID, ALICE, noLimit, KEY))
                    .expectNoEvents()
                    .expectException(validationFailedOn("limitPrice"));
        }

        @Test
        void refusesAMarketOrderWithALimitPrice() {
            TradeOrder marketWithLimit = new TradeOrder(Instrument.stock("AAPL"), Side.BUY, 10, OrderType.MARKET,
                    money("190"), null, null, null, null);
            fixture.givenNoPriorActivity()
                    .when(new PlaceTradeCommand(ID, ALICE, marketWithLimit, KEY))
                    .expectException(validationFailedOn("limitPrice"));
        }

        @Test
        void refusesAZeroQuantity() {
            TradeOrder zero = new TradeOrder(Instrument.stock("AAPL"), Side.BUY, 0, OrderType.MARKET, null,
                    null, null, null, null);
            fixture.givenNoPriorActivity()
                    .when(new PlaceTradeCommand(ID, ALICE, zero, KEY))
                    .expectException(validationFailedOn("quantity"));
        }

        @Test
        void refusesABuyWithItsStopLossAboveTheLimit() {
            TradeOrder wrongSide = new TradeOrder(Instrument.stock("AAPL"), Side.BUY, 10, OrderType.LIMIT,
                    money("190"), money("195"), money("200"), null, null);
            fixture.givenNoPriorActivity()
                    .when(new PlaceTradeCommand(ID, ALICE, wrongSide, KEY))
                    .expectException(validationFailedOn("stopLoss"));
        }

        @Test
        void refusesASellWithItsTakeProfitAboveTheLimit() {
            TradeOrder wrongSide = new TradeOrder(Instrument.stock("AAPL"), Side.SELL, 10, OrderType.LIMIT,
                    money("190"), money("200"), money("195"), null, null);
            fixture.givenNoPriorActivity()
                    .when(new PlaceTradeCommand(ID, ALICE, wrongSide, KEY))
                    .expectException(validationFailedOn("takeProfit"));
        }
    }

    @Nested
    class Entry {

        @Test
        void recordsTheBrokerOrderOnceAndIgnoresTheSameOrderAgain() {
            fixture.given(placed(TWO_CALLS))
                    .when(new RecordEntryOrderCommand(ID, "tradier", "228175"))
                    .expectEvents(new EntryOrderSubmittedEvent(ID, "tradier", "228175", NOW))
                    .expectResultMessagePayload(new TradeAck(ID, PENDING, 2));
            fixture.given(placed(TWO_CALLS), new EntryOrderSubmittedEvent(ID, "tradier", "228175", NOW))
                    .when(new RecordEntryOrderCommand(ID, "tradier", "228175"))
                    .expectNoEvents()
                    .expectResultMessagePayload(new TradeAck(ID, PENDING, 2));
        }

        @Test
        void aFillReportedWithItsNewOrderRecordsTheOrderAndTheFillInOneStep() {
            fixture.given(placed(TWO_CALLS))
                    .when(new RecordEntryFillCommand(ID, 2, money("2.14"), "tradier", "228175"))
                    .expectEvents(new EntryOrderSubmittedEvent(ID, "tradier", "228175", NOW),
                            new TradeOpenedEvent(ID, 2, money("2.14"), "entry filled", NOW))
                    .expectResultMessagePayload(new TradeAck(ID, OPEN, 3));
            fixture.given(placed(TWO_CALLS), new EntryOrderSubmittedEvent(ID, "tradier", "228175", NOW))
                    .when(new RecordEntryFillCommand(ID, 1, money("2.13"), "tradier", "228175"))
                    .expectEvents(new EntryPartiallyFilledEvent(ID, 1, money("2.13"), NOW));
        }

        @Test
        void aFillThatCannotBeTakenRecordsNotEvenItsOrder() {
            fixture.given(placed(TWO_CALLS))
                    .when(new RecordEntryFillCommand(ID, 3, money("2.14"), "tradier", "228175"))
                    .expectNoEvents()
                    .expectException(validationFailedOn("filledQuantity"));
            fixture.given(placed(TWO_CALLS), new TradeCanceledEvent(ID, CloseReason.CANCELED, "canceled", "alice", NOW))
                    .when(new RecordEntryFillCommand(ID, 2, money("2.14"), "tradier", "228175"))
                    .expectNoEvents()
                    .expectException(illegalTransition(CANCELED, CANCELED));
        }

        @Test
        void opensWhenTheEntryFillsCompletely() {
            fixture.given(placed(TWO_CALLS))
                    .when(new RecordEntryFillCommand(ID, 2, money("2.14")))
                    .expectEvents(new TradeOpenedEvent(ID, 2, money("2.14"), "entry filled", NOW))
                    .expectResultMessagePayload(new TradeAck(ID, OPEN, 2))
                    .expectState(trade -> {
                        assertThat(trade.filledQuantity()).isEqualTo(2);
                        assertThat(trade.entryPrice()).isEqualTo(money("2.14"));
                    });
        }

        @Test
        void recordsAPartialFillAndStaysPartiallyFilled() {
            fixture.given(placed(TWO_CALLS))
                    .when(new RecordEntryFillCommand(ID, 1, money("2.13")))
                    .expectEvents(new EntryPartiallyFilledEvent(ID, 1, money("2.13"), NOW))
                    .expectResultMessagePayload(new TradeAck(ID, PARTIALLY_FILLED, 2));
        }

        @Test
        void opensWhenTheRestFills() {
            fixture.given(placed(TWO_CALLS), new EntryPartiallyFilledEvent(ID, 1, money("2.13"), NOW))
                    .when(new RecordEntryFillCommand(ID, 2, money("2.14")))
                    .expectEvents(new TradeOpenedEvent(ID, 2, money("2.14"), "entry filled", NOW))
                    .expectResultMessagePayload(new TradeAck(ID, OPEN, 3));
        }

        @Test
        void ignoresAFillReportThatAddsNothing() {
            fixture.given(placed(TWO_CALLS), new EntryPartiallyFilledEvent(ID, 1, money("2.13"), NOW))
                    .when(new RecordEntryFillCommand(ID, 1, money("2.13")))
                    .expectNoEvents()
                    .expectResultMessagePayload(new TradeAck(ID, PARTIALLY_FILLED, 2));
        }

        @Test
        void refusesAFillBeyondTheOrderedQuantity() {
            fixture.given(placed(TWO_CALLS))
                    .when(new RecordEntryFillCommand(ID, 3, money("2.14")))
                    .expectNoEvents()
                    .expectException(validationFailedOn("filledQuantity"));
        }

        @Test
        void refusesAFillWithoutAPrice() {
            fixture.given(placed(TWO_CALLS))
                    .when(new RecordEntryFillCommand(ID, 1, null))
                    .expectNoEvents()
                    .expectException(validationFailedOn("averagePrice"));
        }

        @Test
        void refusesAFillOnAnOpenTrade() {
            fixture.given(placed(TWO_CALLS), opened(2, "2.15"))
                    .when(new RecordEntryFillCommand(ID, 2, money("2.15")))
                    .expectNoEvents()
                    .expectException(illegalTransition(OPEN, OPEN));
        }

        @Test
        void cancelsAPendingTradeOnTimeout() {
            fixture.given(placed(TWO_CALLS))
                    .when(new CancelTradeCommand(ID, CloseReason.TIMEOUT, "no confirmation in 60 s", Actor.Engine.SAGA, null))
                    .expectEvents(new TradeCanceledEvent(ID, CloseReason.TIMEOUT, "no confirmation in 60 s", Actor.Engine.SAGA.id(), NOW))
                    .expectResultMessagePayload(new TradeAck(ID, CANCELED, 2));
        }

        @Test
        void refusesACancelReasonOtherThanCanceledOrTimeout() {
            fixture.given(placed(TWO_CALLS))
                    .when(new CancelTradeCommand(ID, CloseReason.MANUAL, null, Actor.user(ALICE), null))
                    .expectNoEvents()
                    .expectException(validationFailedOn("reason"));
        }

        @Test
        void aUsersCancelWaitsForTheBrokersWordOnTheEntry() {
            fixture.given(placed(TWO_CALLS))
                    .when(new CancelTradeCommand(ID, CloseReason.CANCELED, "canceled by user", Actor.user(ALICE), 1L))
                    .expectEvents(new CancelRequestedEvent(ID, "canceled by user", ALICE, NOW))
                    .expectResultMessagePayload(new TradeAck(ID, PENDING, 2));
        }

        @Test
        void asksTheBrokerToCancelOnlyOnce() {
            fixture.given(placed(TWO_CALLS), new CancelRequestedEvent(ID, "canceled by user", ALICE, NOW))
                    .when(new CancelTradeCommand(ID, CloseReason.CANCELED, "canceled by user", Actor.user(ALICE), null))
                    .expectNoEvents()
                    .expectResultMessagePayload(new TradeAck(ID, PENDING, 2));
        }

        @Test
        void endsCanceledByTheUserWhoAskedOnceTheBrokerConfirms() {
            fixture.given(placed(TWO_CALLS), new CancelRequestedEvent(ID, "canceled by user", ALICE, NOW))
                    .when(new CancelTradeCommand(ID, CloseReason.CANCELED, null, Actor.Engine.SAGA, null))
                    .expectEvents(new TradeCanceledEvent(ID, CloseReason.CANCELED, "canceled by user", ALICE, NOW))
                    .expectResultMessagePayload(new TradeAck(ID, CANCELED, 3));
        }

        @Test
        void opensWithTheFillTheBrokerMadeBeforeTheCancelArrived() {
            fixture.given(placed(TWO_CALLS), new CancelRequestedEvent(ID, "canceled by user", ALICE, NOW))
                    .when(new RecordEntryFillCommand(ID, 2, money("2.14")))
                    .expectEvents(new TradeOpenedEvent(ID, 2, money("2.14"), "entry filled before the cancel took effect",
                            NOW))
                    .expectResultMessagePayload(new TradeAck(ID, OPEN, 3));
        }

        @Test
        void keepsTheFilledPartWhenARemainderIsCanceled() {
            fixture.given(placed(optionOrder(AAPL_CALL, "BUY", 5, "2.00")),
                            new EntryPartiallyFilledEvent(ID, 3, money("1.98"), NOW),
                            new CancelRequestedEvent(ID, "canceled by user", ALICE, NOW))
                    .when(new CancelTradeCommand(ID, CloseReason.CANCELED, null, Actor.Engine.SAGA, null))
                    .expectEvents(new TradeOpenedEvent(ID, 3, money("1.98"), "remainder canceled", NOW))
                    .expectResultMessagePayload(new TradeAck(ID, OPEN, 4));
        }

        @Test
        void keepsTheFilledPartWhenTheBrokerRejectsTheRemainder() {
            fixture.given(placed(TWO_CALLS), new EntryPartiallyFilledEvent(ID, 1, money("2.13"), NOW))
                    .when(new RejectTradeCommand(ID, "order expired"))
                    .expectEvents(new TradeOpenedEvent(ID, 1, money("2.13"), "remainder rejected: order expired", NOW));
        }

        @Test
        void endsCanceledWhenTheBrokerRejectsAnUnfilledOrder() {
            fixture.given(placed(TWO_CALLS))
                    .when(new RejectTradeCommand(ID, "insufficient buying power"))
                    .expectEvents(new TradeRejectedEvent(ID, "insufficient buying power", NOW))
                    .expectResultMessagePayload(new TradeAck(ID, CANCELED, 2));
        }

        @Test
        void cancelsAPartiallyFilledTradeThatFilledNothingOutright() {
            // A broker can report "partially_filled" before any quantity executed; then there is nothing to keep.
            fixture.given(placed(TWO_CALLS), new EntryPartiallyFilledEvent(ID, 0, money("2.13"), NOW))
                    .when(new CancelTradeCommand(ID, CloseReason.CANCELED, "canceled by the broker", Actor.Engine.SAGA,
                            null))
                    .expectEvents(new TradeCanceledEvent(ID, CloseReason.CANCELED, "canceled by the broker",
                            Actor.Engine.SAGA.id(), NOW))
                    .expectResultMessagePayload(new TradeAck(ID, CANCELED, 3));
        }

        @Test
        void refusesToCancelAnOpenTrade() {
            fixture.given(placed(TWO_CALLS), opened(2, "2.15"))
                    .when(new CancelTradeCommand(ID, CloseReason.CANCELED, null, Actor.user(ALICE), null))
                    .expectNoEvents()
                    .expectException(illegalTransition(OPEN, CANCELED));
        }
    }

    @Nested
    class Brackets {

        @Test
        void changesBracketsOnTheRightSideOfTheEntry() {
            fixture.given(placed(TWO_CALLS), opened(2, "2.15"))
                    .when(new ChangeBracketsCommand(ID, money("1.60"), money("3.20"), Actor.user(ALICE), 2L))
                    .expectEvents(new BracketsChangedEvent(ID, money("1.60"), money("3.20"), ALICE, NOW))
                    .expectResultMessagePayload(new TradeAck(ID, OPEN, 3))
                    .expectState(trade -> {
                        assertThat(trade.stopLoss()).isEqualTo(money("1.60"));
                        assertThat(trade.takeProfit()).isEqualTo(money("3.20"));
                    });
        }

        @Test
        void clearsBothBrackets() {
            fixture.given(placed(TWO_CALLS))
                    .when(new ChangeBracketsCommand(ID, null, null, Actor.user(ALICE), null))
                    .expectEvents(new BracketsChangedEvent(ID, null, null, ALICE, NOW));
        }

        @Test
        void refusesAStopLossAboveTheEntryOfALong() {
            fixture.given(placed(TWO_CALLS), opened(2, "2.15"))
                    .when(new ChangeBracketsCommand(ID, money("2.20"), null, Actor.user(ALICE), null))
                    .expectNoEvents()
                    .expectException(validationFailedOn("stopLoss"));
        }

        @Test
        void judgesBracketsAgainstTheFillNotTheLimitOnceFilled() {
            // limit 2.15, filled at 2.05: a stop at 2.10 is below the limit but above the real entry
            fixture.given(placed(TWO_CALLS), opened(2, "2.05"))
                    .when(new ChangeBracketsCommand(ID, money("2.10"), null, Actor.user(ALICE), null))
                    .expectNoEvents()
                    .expectException(validationFailedOn("stopLoss"));
        }

        @Test
        void refusesATakeProfitAboveTheEntryOfAShort() {
            fixture.given(placed(stockOrder("AAPL", "SELL", 100, "50")), opened(100, "50"))
                    .when(new ChangeBracketsCommand(ID, money("52"), money("51"), Actor.user(ALICE), null))
                    .expectNoEvents()
                    .expectException(validationFailedOn("takeProfit"));
        }

        @Test
        void acceptsBracketsOnTheRightSideOfAShort() {
            fixture.given(placed(stockOrder("AAPL", "SELL", 100, "50")), opened(100, "50"))
                    .when(new ChangeBracketsCommand(ID, money("52"), money("47.5"), Actor.user(ALICE), null))
                    .expectEvents(new BracketsChangedEvent(ID, money("52"), money("47.5"), ALICE, NOW));
        }

        @Test
        void refusesToChangeBracketsWhileClosing() {
            fixture.given(placed(TWO_CALLS), opened(2, "2.15"), closeRequested(CloseReason.MANUAL))
                    .when(new ChangeBracketsCommand(ID, money("1.60"), null, Actor.user(ALICE), null))
                    .expectNoEvents()
                    .expectException(illegalTransition(CLOSING, CLOSING));
        }
    }

    @Nested
    class Closing {

        @Test
        void holdsWhatTheRestOfThePartlyFilledEntryFillsWhileItsCloseWaitsForTheCancel() {
            fixture.given(placed(optionOrder(AAPL_CALL, "BUY", 5, "2.00")),
                            new EntryPartiallyFilledEvent(ID, 2, money("1.98"), NOW), closeRequested(CloseReason.MANUAL))
                    .when(new RecordEntryFillCommand(ID, 4, money("1.99")))
                    .expectEvents(new EntryFilledWhileClosingEvent(ID, 4, money("1.99"), NOW))
                    .expectResultMessagePayload(new TradeAck(ID, CLOSING, 4));
        }

        @Test
        void closesTheWholePositionTheEntryFilledBeforeItsRestWasCanceled() {
            // 4 held at 1.99 (2 before the close, 2 more while its rest was canceled), sold at 2.49: 0.50 × 4 × 100
            fixture.given(placed(optionOrder(AAPL_CALL, "BUY", 5, "2.00")),
                            new EntryPartiallyFilledEvent(ID, 2, money("1.98"), NOW), closeRequested(CloseReason.MANUAL),
                            new EntryFilledWhileClosingEvent(ID, 4, money("1.99"), NOW),
                            new ExitOrderSubmittedEvent(ID, "x-1", NOW))
                    .when(new CloseTradeCommand(ID, money("2.49"), null))
                    .expectEvents(new TradeClosedEvent(ID, CloseReason.MANUAL, 4, money("2.49"), money("200.00"), NOW));
        }

        @Test
        void refusesAnEntryFillOnceATradeClosedWhilePartlyFilledHasEnded() {
            fixture.given(placed(optionOrder(AAPL_CALL, "BUY", 5, "2.00")),
                            new EntryPartiallyFilledEvent(ID, 2, money("1.98"), NOW), closeRequested(CloseReason.MANUAL),
                            new TradeClosedEvent(ID, CloseReason.MANUAL, 2, money("2.48"), money("100.00"), NOW))
                    .when(new RecordEntryFillCommand(ID, 4, money("1.99")))
                    .expectNoEvents()
                    .expectException(illegalTransition(CLOSED, PARTIALLY_FILLED));
        }

        @Test
        void refusesAnEntryFillOnceTheExitIsPlaced() {
            fixture.given(placed(optionOrder(AAPL_CALL, "BUY", 5, "2.00")),
                            new EntryPartiallyFilledEvent(ID, 2, money("1.98"), NOW), closeRequested(CloseReason.MANUAL),
                            new ExitOrderSubmittedEvent(ID, "x-1", NOW))
                    .when(new RecordEntryFillCommand(ID, 4, money("1.99")))
                    .expectNoEvents()
                    .expectException(illegalTransition(CLOSING, PARTIALLY_FILLED));
        }

        @Test
        void requestsACloseOfAnOpenTrade() {
            fixture.given(placed(TWO_CALLS), opened(2, "2.15"))
                    .when(new RequestCloseCommand(ID, CloseReason.STOP_LOSS, Actor.Engine.PRICE_MONITOR, 2L))
                    .expectEvents(new CloseRequestedEvent(ID, CloseReason.STOP_LOSS, Actor.Engine.PRICE_MONITOR.id(), NOW))
                    .expectResultMessagePayload(new TradeAck(ID, CLOSING, 3));
        }

        @Test
        void rejectsCloseOfACanceledTrade() {
            fixture.given(placed(TWO_CALLS), new TradeCanceledEvent(ID, CloseReason.CANCELED, null, ALICE, NOW))
                    .when(new RequestCloseCommand(ID, CloseReason.MANUAL, Actor.user(ALICE), null))
                    .expectNoEvents()
                    .expectException(illegalTransition(CANCELED, CLOSING))
                    .expectExceptionMessage("a CANCELED trade cannot become CLOSING");
        }

        @Test
        void rejectsCloseOfAPendingTrade() {
            fixture.given(placed(TWO_CALLS))
                    .when(new RequestCloseCommand(ID, CloseReason.MANUAL, Actor.user(ALICE), null))
                    .expectNoEvents()
                    .expectException(illegalTransition(PENDING, CLOSING));
        }

        @Test
        void refusesACloseRequestWithAnEndReason() {
            fixture.given(placed(TWO_CALLS), opened(2, "2.15"))
                    .when(new RequestCloseCommand(ID, CloseReason.EXPIRED, Actor.user(ALICE), null))
                    .expectNoEvents()
                    .expectException(validationFailedOn("reason"));
        }

        @Test
        void recordsTheExitOrderOnce() {
            fixture.given(placed(TWO_CALLS), opened(2, "2.15"), closeRequested(CloseReason.MANUAL))
                    .when(new RecordExitOrderCommand(ID, "228190"))
                    .expectEvents(new ExitOrderSubmittedEvent(ID, "228190", NOW));
            fixture.given(placed(TWO_CALLS), opened(2, "2.15"), closeRequested(CloseReason.MANUAL),
                            new ExitOrderSubmittedEvent(ID, "228190", NOW))
                    .when(new RecordExitOrderCommand(ID, "228190"))
                    .expectNoEvents()
                    .expectResultMessagePayload(new TradeAck(ID, CLOSING, 4));
        }

        @Test
        void goesBackToOpenWhenTheExitIsRejected() {
            fixture.given(placed(TWO_CALLS), opened(2, "2.15"), closeRequested(CloseReason.MANUAL))
                    .when(new RejectExitCommand(ID, "order canceled"))
                    .expectEvents(new ExitRejectedEvent(ID, "order canceled", NOW))
                    .expectResultMessagePayload(new TradeAck(ID, OPEN, 4));
        }

        @Test
        void refusesAnExitRejectionOfAPendingTrade() {
            // The table lets PENDING become OPEN, but only through a fill: an exit rejection means nothing here.
            fixture.given(placed(TWO_CALLS))
                    .when(new RejectExitCommand(ID, "order canceled"))
                    .expectNoEvents()
                    .expectException(illegalTransition(PENDING, OPEN));
        }

        @Test
        void closesWithTheReasonOfTheCloseRequest() {
            fixture.given(placed(TWO_CALLS), opened(2, "2.15"), closeRequested(CloseReason.STOP_LOSS))
                    .when(new CloseTradeCommand(ID, money("1.60"), null))
                    // (1.60 - 2.15) × 2 × 100
                    .expectEvents(new TradeClosedEvent(ID, CloseReason.STOP_LOSS, 2, money("1.60"), money("-110.00"), NOW))
                    .expectResultMessagePayload(new TradeAck(ID, CLOSED, 4))
                    .expectState(trade -> assertThat(trade.realizedPnl()).isEqualTo(money("-110")));
        }

        @Test
        void closesAnOpenTradeWhenABracketLegFills() {
            fixture.given(placed(TWO_CALLS), opened(2, "2.15"))
                    .when(new CloseTradeCommand(ID, money("3.20"), CloseReason.TAKE_PROFIT))
                    .expectEvents(new TradeClosedEvent(ID, CloseReason.TAKE_PROFIT, 2, money("3.20"), money("210.00"), NOW));
        }

        @Test
        void refusesAManualCloseOfAnOpenTradeWithoutACloseRequest() {
            fixture.given(placed(TWO_CALLS), opened(2, "2.15"))
                    .when(new CloseTradeCommand(ID, money("3.20"), CloseReason.MANUAL))
                    .expectNoEvents()
                    .expectException(validationFailedOn("reason"));
        }

        @Test
        void refusesToCloseAClosedTradeAgain() {
            fixture.given(placed(TWO_CALLS), opened(2, "2.15"), closeRequested(CloseReason.MANUAL),
                            new TradeClosedEvent(ID, CloseReason.MANUAL, 2, money("3.20"), money("210.00"), NOW))
                    .when(new CloseTradeCommand(ID, money("3.30"), null))
                    .expectNoEvents()
                    .expectException(illegalTransition(CLOSED, CLOSED));
        }
    }

    @Nested
    class Ownership {

        @Test
        void hidesATradeFromAnotherUserAsNotFound() {
            fixture.given(placed(TWO_CALLS))
                    .when(new CancelTradeCommand(ID, CloseReason.CANCELED, null, Actor.user("mallory"), null))
                    .expectNoEvents()
                    .expectException(TradeNotFoundException.class);
        }

        @Test
        void checksTheOwnerBeforeTheVersionSoAStrangerLearnsNothing() {
            fixture.given(placed(TWO_CALLS))
                    .when(new AnnotateTradeCommand(ID, "hello", Actor.user("mallory"), 7L))
                    .expectNoEvents()
                    .expectException(TradeNotFoundException.class);
        }

        @Test
        void refusesAStrangersClose() {
            fixture.given(placed(TWO_CALLS), opened(2, "2.12"))
                    .when(new RequestCloseCommand(ID, CloseReason.MANUAL, Actor.user("mallory"), null))
                    .expectNoEvents()
                    .expectException(TradeNotFoundException.class);
        }

        @Test
        void refusesAStrangersBrackets() {
            fixture.given(placed(TWO_CALLS))
                    .when(new ChangeBracketsCommand(ID, money("1.00"), money("4.00"), Actor.user("mallory"), null))
                    .expectNoEvents()
                    .expectException(TradeNotFoundException.class);
        }

        @Test
        void letsTheEngineActOnAnyTrade() {
            fixture.given(placed(TWO_CALLS), opened(2, "2.12"))
                    .when(new RequestCloseCommand(ID, CloseReason.STOP_LOSS, Actor.Engine.PRICE_MONITOR, null))
                    .expectEvents(new CloseRequestedEvent(ID, CloseReason.STOP_LOSS, Actor.Engine.PRICE_MONITOR.id(), NOW));
        }
    }

    @Nested
    class Versions {

        @Test
        void countsEveryEventOfTheStream() {
            fixture.given(placed(TWO_CALLS), new EntryOrderSubmittedEvent(ID, "sim", "1", NOW),
                            new EntryPartiallyFilledEvent(ID, 1, money("2.10"), NOW), opened(2, "2.12"),
                            new TradeAnnotatedEvent(ID, "note", ALICE, NOW))
                    .when(new AnnotateTradeCommand(ID, "another note", Actor.user(ALICE), 5L))
                    .expectEvents(new TradeAnnotatedEvent(ID, "another note", ALICE, NOW))
                    .expectResultMessagePayload(new TradeAck(ID, OPEN, 6))
                    .expectState(trade -> assertThat(trade.version()).isEqualTo(6));
        }

        @Test
        void refusesAStaleVersionNamingTheCurrentOne() {
            fixture.given(placed(TWO_CALLS), opened(2, "2.15"))
                    .when(new RequestCloseCommand(ID, CloseReason.MANUAL, Actor.user(ALICE), 1L))
                    .expectNoEvents()
                    .expectException(versionConflict(2));
        }

        @Test
        void checksTheVersionBeforeTheState() {
            fixture.given(placed(TWO_CALLS), new TradeCanceledEvent(ID, CloseReason.CANCELED, null, ALICE, NOW))
                    .when(new CancelTradeCommand(ID, CloseReason.CANCELED, null, Actor.user(ALICE), 1L))
                    .expectNoEvents()
                    .expectException(versionConflict(2));
        }

        @Test
        void refusesAStaleVersionOnBracketsAndAnnotations() {
            fixture.given(placed(TWO_CALLS))
                    .when(new ChangeBracketsCommand(ID, money("1.50"), null, Actor.user(ALICE), 7L))
                    .expectException(versionConflict(1));
            fixture.given(placed(TWO_CALLS))
                    .when(new AnnotateTradeCommand(ID, "x", Actor.user(ALICE), 0L))
                    .expectException(versionConflict(1));
        }
    }

    @Nested
    class Annotations {

        @Test
        void annotatesAnEndedTrade() {
            fixture.given(placed(TWO_CALLS), new TradeRejectedEvent(ID, "no", NOW))
                    .when(new AnnotateTradeCommand(ID, "broker said no; retry tomorrow", Actor.user(ALICE), null))
                    .expectEvents(new TradeAnnotatedEvent(ID, "broker said no; retry tomorrow", ALICE, NOW))
                    .expectResultMessagePayload(new TradeAck(ID, CANCELED, 3));
        }

        @Test
        void refusesAnEmptyNote() {
            fixture.given(placed(TWO_CALLS))
                    .when(new AnnotateTradeCommand(ID, "", Actor.user(ALICE), null))
                    .expectNoEvents()
                    .expectException(validationFailedOn("text"));
        }

        @Test
        void acceptsANoteOfExactly2000CharactersAndRefuses2001() {
            String longest = "x".repeat(2000);
            fixture.given(placed(TWO_CALLS))
                    .when(new AnnotateTradeCommand(ID, longest, Actor.user(ALICE), null))
                    .expectEvents(new TradeAnnotatedEvent(ID, longest, ALICE, NOW));
            fixture.given(placed(TWO_CALLS))
                    .when(new AnnotateTradeCommand(ID, longest + "x", Actor.user(ALICE), null))
                    .expectNoEvents()
                    .expectException(validationFailedOn("text"));
        }
    }

    @Nested
    class BrokerProblems {

        private static final String REVOKED = "Tradier refused the access token (HTTP 401)";

        @Test
        void putsTheAccountsProblemOnALiveTradeOnce() {
            fixture.given(placed(TWO_CALLS))
                    .when(new ReportBrokerProblemCommand(ID, REVOKED))
                    .expectEvents(new BrokerProblemReportedEvent(ID, REVOKED, NOW))
                    .expectResultMessagePayload(new TradeAck(ID, PENDING, 2));
            fixture.given(placed(TWO_CALLS), new BrokerProblemReportedEvent(ID, REVOKED, NOW))
                    .when(new ReportBrokerProblemCommand(ID, REVOKED))
                    .expectNoEvents();
        }

        @Test
        void clearsTheProblemWhenTheAccountAnswersAgainAndOnlyThen() {
            fixture.given(placed(TWO_CALLS), new BrokerProblemReportedEvent(ID, REVOKED, NOW))
                    .when(ReportBrokerProblemCommand.cleared(ID))
                    .expectEvents(new BrokerProblemClearedEvent(ID, NOW));
            fixture.given(placed(TWO_CALLS))
                    .when(ReportBrokerProblemCommand.cleared(ID))
                    .expectNoEvents();
        }

        @Test
        void saysNothingOnATradeThatHasEnded() {
            fixture.given(placed(TWO_CALLS), new TradeRejectedEvent(ID, "no", NOW))
                    .when(new ReportBrokerProblemCommand(ID, REVOKED))
                    .expectNoEvents()
                    .expectSuccessfulHandlerExecution();
        }
    }

    /** Two calls bought at 2.15: one sold by an exit that then ended, the other closed later. */
    @Nested
    class PartialExits {

        @Test
        void recordsWhatAnEndedExitSoldWithItsProfit() {
            fixture.given(placed(TWO_CALLS), opened(2, "2.15"), closeRequested(CloseReason.MANUAL))
                    .when(new RecordPartialExitCommand(ID, 1, money("2.65"), "exit order canceled after filling 1 of 2"))
                    .expectEvents(new PositionReducedEvent(ID, 1, money("2.65"), money("50.00"), 1,
                            "exit order canceled after filling 1 of 2", NOW));
        }

        @Test
        void theFinalCloseRealizesTheRestAndReportsTheTradesTotal() {
            fixture.given(placed(TWO_CALLS), opened(2, "2.15"),
                            new PositionReducedEvent(ID, 1, money("2.65"), money("50.00"), 1, "partial", NOW),
                            closeRequested(CloseReason.MANUAL))
                    .when(new CloseTradeCommand(ID, money("1.95"), null))
                    .expectEvents(new TradeClosedEvent(ID, CloseReason.MANUAL, 1, money("1.95"), money("30.00"), NOW));
        }

        @Test
        void refusesToRecordTheWholePositionOrMoreAsAPartialExit() {
            fixture.given(placed(TWO_CALLS), opened(2, "2.15"))
                    .when(new RecordPartialExitCommand(ID, 2, money("2.65"), "all of it"))
                    .expectNoEvents()
                    .expectException(validationFailedOn("quantity"));
        }

        @Test
        void refusesAPartialExitBeforeThereIsAPosition() {
            fixture.given(placed(TWO_CALLS))
                    .when(new RecordPartialExitCommand(ID, 1, money("2.65"), "nothing held"))
                    .expectNoEvents()
                    .expectException(io.papertrading.kernel.error.IllegalTransitionException.class);
        }
    }

    /** Realized P&L with the figures worked out by hand. */
    @Nested
    class ProfitAndLossOnClose {

        private void expectCloseWithPnl(TradeOrder order, int filled, String entry, String exit, String pnl) {
            fixture.given(placed(order), opened(filled, entry), closeRequested(CloseReason.MANUAL))
                    .when(new CloseTradeCommand(ID, money(exit), null))
                    .expectEvents(new TradeClosedEvent(ID, CloseReason.MANUAL, filled, money(exit), money(pnl), NOW));
        }

        @Test
        void longCallsAtAProfit() {
            // BUY 2 calls at 2.15, sold at 3.20: 1.05 × 2 × 100
            expectCloseWithPnl(optionOrder(AAPL_CALL, "BUY", 2, "2.15"), 2, "2.15", "3.20", "210.00");
        }

        @Test
        void longCallsAtALoss() {
            // 1.05 - 2.15 = -1.10 × 2 × 100
            expectCloseWithPnl(optionOrder(AAPL_CALL, "BUY", 2, "2.15"), 2, "2.15", "1.05", "-220.00");
        }

        @Test
        void shortPutsAtAProfit() {
            // SELL 3 puts at 4.50, bought back at 1.25: 3.25 × 3 × 100
            expectCloseWithPnl(optionOrder(AAPL_PUT, "SELL", 3, "4.50"), 3, "4.50", "1.25", "975.00");
        }

        @Test
        void shortPutAtALoss() {
            // SELL 1 put at 1.00, bought back at 2.75: -1.75 × 100
            expectCloseWithPnl(optionOrder(AAPL_PUT, "SELL", 1, "1.00"), 1, "1.00", "2.75", "-175.00");
        }

        @Test
        void longSharesAtAProfit() {
            expectCloseWithPnl(stockOrder("AAPL", "BUY", 100, "50"), 100, "50", "52.5", "250");
        }

        @Test
        void longSharesAtALoss() {
            // 10 × (180.00 - 187.42)
            expectCloseWithPnl(stockOrder("AAPL", "BUY", 10, null), 10, "187.42", "180.00", "-74.20");
        }

        @Test
        void shortSharesAtALoss() {
            // SELL 100 at 50, covered at 52.5
            expectCloseWithPnl(stockOrder("AAPL", "SELL", 100, "50"), 100, "50", "52.5", "-250");
        }

        @Test
        void shortSharesAtAProfit() {
            // SELL 50 at 20.10, covered at 19.85: 0.25 × 50
            expectCloseWithPnl(stockOrder("AAPL", "SELL", 50, null), 50, "20.10", "19.85", "12.50");
        }

        @Test
        void closesOnlyTheFilledQuantityWhenTheRemainderWasCanceled() {
            // BUY 5 calls, 3 filled at 1.98 before the remainder was canceled; sold at 2.50: 0.52 × 3 × 100
            fixture.given(placed(optionOrder(AAPL_CALL, "BUY", 5, "2.00")),
                            new EntryPartiallyFilledEvent(ID, 3, money("1.98"), NOW),
                            new TradeOpenedEvent(ID, 3, money("1.98"), "remainder canceled", NOW),
                            closeRequested(CloseReason.MANUAL))
                    .when(new CloseTradeCommand(ID, money("2.50"), null))
                    .expectEvents(new TradeClosedEvent(ID, CloseReason.MANUAL, 3, money("2.50"), money("156.00"), NOW));
        }

        @Test
        void closesWhatWasFilledWhenACloseIsRequestedMidEntry() {
            // PARTIALLY_FILLED -> CLOSING closes the 1 filled contract of 2 bought at 2.10; sold at 2.60
            fixture.given(placed(TWO_CALLS), new EntryPartiallyFilledEvent(ID, 1, money("2.10"), NOW),
                            closeRequested(CloseReason.MANUAL))
                    .when(new CloseTradeCommand(ID, money("2.60"), null))
                    .expectEvents(new TradeClosedEvent(ID, CloseReason.MANUAL, 1, money("2.60"), money("50.00"), NOW));
        }
    }

    /** Settlement at intrinsic value with the figures worked out by hand (strike 260). */
    @Nested
    class Expiry {

        private void expectExpiry(TradeOrder order, int filled, String entry, String underlying, String settlement,
                                  String pnl) {
            fixture.given(placed(order), opened(filled, entry))
                    .when(new ExpireTradeCommand(ID, money(underlying)))
                    .expectEvents(new TradeExpiredEvent(ID, money(underlying), money(settlement), filled, money(pnl), NOW))
                    .expectResultMessagePayload(new TradeAck(ID, EXPIRED, 3));
        }

        @Test
        void longCallInTheMoney() {
            // 268.40 - 260 = 8.40; (8.40 - 5.00) × 2 × 100
            expectExpiry(optionOrder(AAPL_CALL, "BUY", 2, "5.00"), 2, "5.00", "268.40", "8.40", "680.00");
        }

        @Test
        void longCallOutOfTheMoneyLosesThePremium() {
            expectExpiry(optionOrder(AAPL_CALL, "BUY", 2, "5.00"), 2, "5.00", "250", "0", "-1000.00");
        }

        @Test
        void longPutInTheMoney() {
            // 260 - 251.25 = 8.75; (8.75 - 3.00) × 100
            expectExpiry(optionOrder(AAPL_PUT, "BUY", 1, "3.00"), 1, "3.00", "251.25", "8.75", "575.00");
        }

        @Test
        void longPutOutOfTheMoney() {
            expectExpiry(optionOrder(AAPL_PUT, "BUY", 1, "3.00"), 1, "3.00", "275", "0", "-300.00");
        }

        @Test
        void shortPutOutOfTheMoneyKeepsThePremium() {
            expectExpiry(optionOrder(AAPL_PUT, "SELL", 2, "3.00"), 2, "3.00", "270", "0", "600.00");
        }

        @Test
        void shortPutInTheMoney() {
            // 260 - 255 = 5; -(5 - 3.00) × 100
            expectExpiry(optionOrder(AAPL_PUT, "SELL", 1, "3.00"), 1, "3.00", "255", "5", "-200.00");
        }

        @Test
        void shortCallInTheMoney() {
            // 266.10 - 260 = 6.10; -(6.10 - 4.00) × 100
            expectExpiry(optionOrder(AAPL_CALL, "SELL", 1, "4.00"), 1, "4.00", "266.10", "6.10", "-210.00");
        }

        @Test
        void shortCallOutOfTheMoneyKeepsThePremium() {
            expectExpiry(optionOrder(AAPL_CALL, "SELL", 1, "4.00"), 1, "4.00", "259.99", "0", "400.00");
        }

        @Test
        void aPendingOrderExpiresWithNothingFilledAndNoProfitOrLoss() {
            fixture.given(placed(TWO_CALLS))
                    .when(new ExpireTradeCommand(ID, money("262")))
                    .expectEvents(new TradeExpiredEvent(ID, money("262"), money("2"), 0, money("0"), NOW))
                    .expectResultMessagePayload(new TradeAck(ID, EXPIRED, 2));
        }

        @Test
        void aClosingTradeSettlesWhatItHolds() {
            fixture.given(placed(TWO_CALLS), opened(2, "2.15"), closeRequested(CloseReason.MANUAL))
                    .when(new ExpireTradeCommand(ID, money("261")))
                    // (1 - 2.15) × 2 × 100
                    .expectEvents(new TradeExpiredEvent(ID, money("261"), money("1"), 2, money("-230.00"), NOW));
        }

        @Test
        void refusesToExpireAStockTrade() {
            fixture.given(placed(stockOrder("AAPL", "BUY", 10, null)), opened(10, "190"))
                    .when(new ExpireTradeCommand(ID, money("190")))
                    .expectNoEvents()
                    .expectException(validationFailedOn("instrument"));
        }

        @Test
        void refusesToExpireAnExpiredTrade() {
            fixture.given(placed(TWO_CALLS),
                            new TradeExpiredEvent(ID, money("250"), money("0"), 0, money("0"), NOW))
                    .when(new ExpireTradeCommand(ID, money("250")))
                    .expectNoEvents()
                    .expectException(illegalTransition(EXPIRED, EXPIRED));
        }
    }
}
