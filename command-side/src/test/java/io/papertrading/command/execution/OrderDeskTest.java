package io.papertrading.command.execution;

import io.papertrading.broker.BrokerAuthException;
import io.papertrading.broker.BrokerInsufficientFundsException;
import io.papertrading.broker.BrokerOutcomeUnknownException;
import io.papertrading.broker.BrokerRateLimitException;
import io.papertrading.broker.BrokerTimeoutException;
import io.papertrading.broker.BrokerUnavailableException;
import io.papertrading.broker.OrderRequest;
import io.papertrading.broker.OrderSide;
import io.papertrading.broker.OrderState;
import io.papertrading.broker.TimeInForce;
import io.papertrading.broker.simulated.MutableClock;
import io.papertrading.broker.tradier.TradierBroker;
import io.papertrading.broker.tradier.TradierConfig;
import io.papertrading.broker.tradier.TradierTuning;
import io.papertrading.kernel.instrument.Instrument;
import io.papertrading.kernel.money.Money;
import io.papertrading.kernel.trade.TradeId;
import io.papertrading.kernel.trade.command.ReportBrokerProblemCommand;
import io.papertrading.kernel.trade.event.BrokerOrderReportedEvent;
import io.papertrading.kernel.trade.event.BrokerOrderReportedEvent.Kind;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The order desk as a plain object: a scripted broker, legs in memory, a clock moved by hand. */
class OrderDeskTest {

    private static final Instant START = Instant.parse("2026-11-30T15:00:00Z");

    private final MutableClock clock = new MutableClock(START);
    private final FakeBroker broker = new FakeBroker();
    private final DeskOrders legs = DeskOrders.inMemory();
    private final List<BrokerOrderReportedEvent> reports = new ArrayList<>();
    private final List<Object> commands = new ArrayList<>();
    /** 1 s first retry, 16 s ceiling, 60 s to confirm, 30 lists a minute: one list per account every 2 s at most. */
    private final ExecutionSettings settings = new ExecutionSettings(Duration.ofSeconds(1), 1.5, Duration.ofSeconds(5),
            Duration.ofSeconds(30), Duration.ofSeconds(16), Duration.ofSeconds(60), Duration.ofSeconds(1), 30);
    private OrderDesk desk;

    @BeforeEach
    void setUp() {
        desk = new OrderDesk(legs, user -> new BrokerAccount("fake:" + user, "FAKE", broker, true),
                batch -> batch.forEach(e -> reports.add((BrokerOrderReportedEvent) e)), commands::add, clock, settings);
    }

    // ---------------------------------------------------------------------------------------------- sending

    @Test
    void sendsANewLegOnceTaggedAndReportsTheOrderWhenTheAccountListsIt() {
        add("t1");

        round();
        assertThat(broker.placed).singleElement().satisfies(o -> assertThat(o.tag()).isEqualTo("t1"));
        round();

        assertThat(reports).singleElement().satisfies(r -> {
            assertThat(r.tradeId()).isEqualTo(new TradeId("t1"));
            assertThat(r.tag()).isEqualTo("t1");
            assertThat(r.kind()).isEqualTo(Kind.SEEN);
            assertThat(r.orderId()).isEqualTo(broker.lastId());
            assertThat(r.state()).isEqualTo("OPEN");
        });
        assertThat(broker.placed).hasSize(1);
    }

    @Test
    void anEntryHandedOverAgainAfterTheDeskIsDoneWithItIsNeitherSentNorReportedAgain() {
        add("t1"); // the placement's hand-over
        round();
        broker.set(broker.lastId(), OrderState.FILLED, 1, "100.00", null);
        round();
        assertThat(reports).last().satisfies(r -> assertThat(r.state()).isEqualTo("FILLED"));
        int reported = reports.size();

        add("t1"); // the saga's, late: the desk was done with the leg before the saga started
        round();
        round();

        assertThat(broker.placed).hasSize(1);
        assertThat(reports).hasSize(reported);
        assertThat(legs.all()).isEmpty();
    }

    @Test
    void aTradeThatEndsForgetsTheLegsTheDeskWasDoneWith() {
        add("t1");
        round();
        broker.set(broker.lastId(), OrderState.FILLED, 1, "100.00", null);
        round();

        legs.abandon("t1");
        add("t1"); // a hand-over after the trade ended would be a new leg: nothing of the old one is left

        assertThat(legs.all()).singleElement().satisfies(o -> assertThat(o.stage()).isEqualTo(WorkedOrder.Stage.TO_SEND));
    }

    @Test
    void aRememberedAccountOtherThanTheLegsIsReadAgainBeforeAnythingIsSent() {
        FakeBroker stale = new FakeBroker();
        List<String> reloads = new ArrayList<>();
        desk = new OrderDesk(legs, new BrokerResolver() {
            @Override
            public BrokerAccount resolve(String user) { // what another node's settings were a moment ago
                return new BrokerAccount("old:" + user, "OLD", stale, true);
            }

            @Override
            public BrokerAccount reload(String user) {
                reloads.add(user);
                return new BrokerAccount("fake:" + user, "FAKE", broker, true);
            }
        }, batch -> batch.forEach(e -> reports.add((BrokerOrderReportedEvent) e)), commands::add, clock, settings);
        add("t1");

        round();

        assertThat(reloads).containsExactly("alice");
        assertThat(stale.placed).isEmpty();
        assertThat(broker.placed).singleElement().satisfies(o -> assertThat(o.tag()).isEqualTo("t1"));
    }

    @Test
    void aLegTakenUpLateStillGetsItsWholeConfirmationWindow() {
        add("t1");
        clock.advance(Duration.ofMinutes(5)); // the desk was busy with other accounts

        round();

        assertThat(broker.placed).hasSize(1);
        assertThat(reports).as("not ended as unconfirmed").isEmpty();
        assertThat(legs.all()).singleElement()
                .satisfies(o -> assertThat(o.confirmBy()).isEqualTo(START.plus(Duration.ofMinutes(5)).plusSeconds(60)));
    }

    @Test
    void aLegWhoseTagIsAlreadyAtTheBrokerIsFollowedNotSentAgain() {
        String existing = broker.existing("t1", OrderState.FILLED);
        add("t1");

        round();

        assertThat(broker.placed).isEmpty();
        assertThat(reports).singleElement().satisfies(r -> {
            assertThat(r.orderId()).isEqualTo(existing);
            assertThat(r.state()).isEqualTo("FILLED");
        });
        assertThat(legs.all()).as("an ended order is forgotten").isEmpty();
    }

    @Test
    void anOldRequestIsLookedForInTheBrokersHistoryBecauseTheListNoLongerShowsIt() {
        String existing = broker.existing("t1", OrderState.FILLED);
        broker.pastListWindow.add(existing);
        legs.add(WorkedOrder.toSend("t1", "alice", "fake:alice", ticket("t1"), START.minus(Duration.ofDays(2))));

        round();

        assertThat(broker.placed).isEmpty();
        assertThat(broker.tagLookups).isEqualTo(1);
        assertThat(reports).singleElement().satisfies(r -> assertThat(r.orderId()).isEqualTo(existing));
    }

    @Test
    void aRefusedPlacementEndsTheLegWithTheBrokersReason() {
        BrokerInsufficientFundsException refusal = new BrokerInsufficientFundsException("insufficient buying power");
        broker.placeFailures.add(refusal);
        add("t1");

        round();

        assertThat(reports).singleElement().satisfies(r -> {
            assertThat(r.kind()).isEqualTo(Kind.REFUSED);
            assertThat(r.reason()).isEqualTo(refusal.getMessage()).contains("insufficient buying power");
        });
        assertThat(legs.all()).isEmpty();
    }

    @Test
    void aRateLimitedPlacementIsLookedForAgainThenSentExactlyOnce() {
        broker.placeFailures.add(new BrokerRateLimitException("429"));
        add("t1");

        round();
        assertThat(broker.placed).isEmpty();
        round();
        round();

        assertThat(broker.placed).hasSize(1);
        assertThat(reports).singleElement().satisfies(r -> assertThat(r.kind()).isEqualTo(Kind.SEEN));
    }

    @Test
    void aPlacementWithAnUnknownOutcomeIsFoundByItsTagAndNeverSentTwice() {
        broker.timeoutAfterLanding = true;
        add("t1");

        round();
        round();

        assertThat(broker.placed).hasSize(1);
        assertThat(reports).singleElement().satisfies(r -> assertThat(r.orderId()).isEqualTo(broker.lastId()));
    }

    @Test
    void aPlacementAnswered5xxIsLookedUpInTheHistoryWhenTheListCannotShowIt() {
        broker.failureAfterLanding = new BrokerOutcomeUnknownException("POST /orders answered HTTP 502");
        add("t1");
        round();
        broker.pastListWindow.add(broker.lastId());

        round();

        assertThat(broker.placed).hasSize(1);
        assertThat(reports).singleElement().satisfies(r -> assertThat(r.orderId()).isEqualTo(broker.lastId()));
    }

    @Test
    void aPlacementWithAnUnknownOutcomeAndNoOrderEndsUnconfirmedAndIsNeverResent() {
        broker.placeFailures.add(new BrokerTimeoutException("read timed out", null));

        assertEndsUnconfirmedWithNothingPlaced("the broker did not say whether it took the order, and no order"
                + " tagged t1 appeared within 60 s; it was not sent again");
        assertThat(legs.all()).isEmpty();
    }

    @Test
    void aBrokerThatCannotTakeTheOrderForTheWholeWindowEndsItSayingNothingWasPlaced() {
        for (int i = 0; i < 40; i++) {
            broker.placeFailures.add(new BrokerUnavailableException("connection refused"));
        }

        assertEndsUnconfirmedWithNothingPlaced(
                "the broker could not take the order within 60 s (unavailable or rate limited); nothing was placed");
    }

    /** A new leg worked through its 60 s window: no order reached the broker, and the leg ended saying why. */
    private void assertEndsUnconfirmedWithNothingPlaced(String reason) {
        add("t1");
        for (int i = 0; i < 35; i++) {
            round();
        }
        assertThat(broker.placed).isEmpty();
        assertThat(reports).singleElement().satisfies(r -> {
            assertThat(r.kind()).isEqualTo(Kind.UNCONFIRMED);
            assertThat(r.reason()).isEqualTo(reason);
        });
    }

    @Test
    void anOrderTheBrokerNeverAcknowledgesIsCanceledThereAndEndsUnconfirmed() {
        broker.hideNewOrders = true;
        add("t1");

        for (int i = 0; i < 35; i++) {
            round();
        }

        assertThat(broker.canceled).containsExactly(broker.lastId());
        assertThat(reports).singleElement().satisfies(r -> {
            assertThat(r.kind()).isEqualTo(Kind.UNCONFIRMED);
            assertThat(r.reason()).isEqualTo("the broker did not confirm the order within 60 s");
        });
    }

    // -------------------------------------------------------------------------------------------- following

    @Test
    void reportsAnOrderWhenFirstSeenAndThenOnlyWhenItChanges() {
        String id = sent("t1");

        round();
        round();
        round();
        assertThat(reports).hasSize(1);

        broker.set(id, OrderState.PARTIALLY_FILLED, 4, "50.10", null);
        round();
        round();
        assertThat(reports).hasSize(2).last().satisfies(s -> {
            assertThat(s.state()).isEqualTo("PARTIALLY_FILLED");
            assertThat(s.filledQuantity()).isEqualByComparingTo(BigDecimal.valueOf(4));
            assertThat(s.avgFillPrice().amount()).isEqualByComparingTo("50.10");
        });
    }

    @Test
    void anotherDeskContinuesWhereTheFirstStoppedWithoutRepeatingNews() {
        String id = sent("t1");
        round();
        OrderDesk other = new OrderDesk(legs, user -> new BrokerAccount("fake:" + user, "FAKE", broker, true),
                batch -> batch.forEach(e -> reports.add((BrokerOrderReportedEvent) e)), commands::add, clock, settings);

        other.workAll();
        broker.set(id, OrderState.FILLED, 1, "12", null);
        clock.advance(Duration.ofSeconds(2));
        other.workAll();

        assertThat(reports).extracting(BrokerOrderReportedEvent::state).containsExactly("OPEN", "FILLED");
    }

    @Test
    void everyOrderOfOneAccountCostsOneListRequestPerRound() {
        for (int i = 0; i < 100; i++) {
            sent("t" + i);
        }

        round();
        assertThat(broker.listCalls).isEqualTo(1);
        assertThat(reports).hasSize(100);

        round();
        assertThat(broker.listCalls).isEqualTo(2);
        assertThat(reports).as("nothing changed").hasSize(100);
        assertThat(desk.listRequestsTotal()).as("the metric's count").isEqualTo(2);
    }

    @Test
    void anAccountWithARequestBudgetIsListedNoMoreOftenThanItsCapAllows() {
        desk = deskWithoutQuietPace(settings, broker);
        sent("t1");

        for (int i = 0; i < 60; i++) {
            tick(); // one round a second for a minute
        }

        assertThat(broker.listCalls).isEqualTo(30);
    }

    @Test
    void rateLimitedListsBackOffAndNeverEndTheOrder() {
        String id = sent("t1");
        for (int i = 0; i < 5; i++) {
            broker.listFailures.add(new BrokerRateLimitException("429"));
        }
        broker.set(id, OrderState.FILLED, 1, "20", null);

        for (int i = 0; i < 40; i++) {
            tick();
        }

        // tries at 0 s, then after 1, 2, 4, 8 and 16 s: the sixth list (31 s) sees the fill, and it is forgotten
        assertThat(reports).singleElement().satisfies(s -> assertThat(s.state()).isEqualTo("FILLED"));
        assertThat(commands).isEmpty();
        assertThat(broker.listCalls).isEqualTo(6);
    }

    @Test
    void aRevokedTokenIsToldToEveryTradeOfTheAccountOnceAndTakenBackWhenItAnswers() {
        sent("t1");
        sent("t2");
        for (int i = 0; i < 3; i++) {
            broker.listFailures.add(new BrokerAuthException("Tradier rejected the access token (HTTP 401)"));
        }

        for (int i = 0; i < 10; i++) {
            tick();
        }

        assertThat(commands).containsExactlyInAnyOrder(
                new ReportBrokerProblemCommand(new TradeId("t1"), "Tradier rejected the access token (HTTP 401)"),
                new ReportBrokerProblemCommand(new TradeId("t2"), "Tradier rejected the access token (HTTP 401)"),
                ReportBrokerProblemCommand.cleared(new TradeId("t1")),
                ReportBrokerProblemCommand.cleared(new TradeId("t2")));
        assertThat(reports).hasSize(2);
    }

    @Test
    void anOrderGoneFromTheListIsReadByIdOnlyOnceItHadBeenListed() {
        String listedBefore = sent("t1");
        round();
        broker.pastListWindow.add(listedBefore);
        broker.set(listedBefore, OrderState.FILLED, 1, "12", null);
        String neverListed = sent("t2");
        broker.pastListWindow.add(neverListed);

        round();

        assertThat(reports).hasSize(2).last().satisfies(s -> {
            assertThat(s.orderId()).isEqualTo(listedBefore);
            assertThat(s.state()).isEqualTo("FILLED");
        });
    }

    // ------------------------------------------------------------------------------------------- withdrawing

    @Test
    void aWithdrawnOrderIsCanceledOnceAndItsEndReported() {
        String id = sent("t1");
        round();
        legs.withdraw("t1", false);

        round();
        round();

        assertThat(broker.canceled).containsExactly(id);
        assertThat(reports).extracting(BrokerOrderReportedEvent::state).containsExactly("OPEN", "CANCELED");
        assertThat(legs.all()).isEmpty();
    }

    @Test
    void anEntryStillWorkingAWindowAfterItsCancelIsCanceledAgainAndItsEndReported() {
        broker.cancelsPending = true; // the broker takes the cancel and never carries it out
        String id = sent("t1");
        round();
        legs.withdraw("t1", false);
        round();
        assertThat(broker.canceled).containsExactly(id);

        for (int i = 0; i < 25; i++) {
            round(); // 50 s: within the 60 s window nothing is sent again
        }
        assertThat(broker.canceled).hasSize(1);
        broker.cancelsPending = false;
        for (int i = 0; i < 10; i++) {
            round();
        }

        assertThat(broker.canceled).containsExactly(id, id);
        assertThat(reports).last().satisfies(r -> assertThat(r.state()).isEqualTo("CANCELED"));
        assertThat(legs.all()).isEmpty();
    }

    @Test
    void aBracketWithdrawnForAnExitIsCanceledOnlyOnce() {
        broker.cancelsPending = true;
        String id = broker.existing("t1-b1", OrderState.OPEN);
        legs.add(WorkedOrder.toSend("t1", "alice", "fake:alice", ticket("t1-b1"), clock.instant()).sent(id));
        round();
        legs.withdraw("t1-b1", false);

        for (int i = 0; i < 100; i++) {
            round();
        }

        assertThat(broker.canceled).as("the saga's deadline decides what comes of it").containsExactly(id);
    }

    @Test
    void aLegWithdrawnBeforeItWasSentIsNeverSent() {
        add("t1");
        legs.withdraw("t1", false);

        round();

        assertThat(broker.placed).isEmpty();
        assertThat(reports).singleElement().satisfies(r -> assertThat(r.kind()).isEqualTo(Kind.NOT_PLACED));
    }

    @Test
    void anAbandonedTradesOrdersAreCanceledWithoutAWord() {
        String id = sent("t1");
        round();
        legs.abandon("t1");

        round();
        round();

        assertThat(broker.canceled).containsExactly(id);
        assertThat(reports).hasSize(1);
        assertThat(legs.all()).isEmpty();
    }

    @Test
    void anAccountWithNothingToWorkIsNeverListed() {
        String id = sent("t1");
        broker.set(id, OrderState.FILLED, 1, "12", null);
        round();

        round();
        round();

        assertThat(broker.listCalls).isEqualTo(1);
        assertThat(reports).hasSize(1);
    }

    @Test
    void aHundredTradierOrdersCostAtMostTheAccountsListCapAndNoSingleOrderReads() throws Exception {
        try (ScriptedTradier tradier = new ScriptedTradier()) {
            TradierBroker tradierBroker = new TradierBroker(new TradierConfig(tradier.baseUrl(), ScriptedTradier.ACCOUNT,
                    "token", TradierTuning.defaults().withClock(clock).withSleeper(d -> { })
                            .withRateLimits(new TradierTuning.RateLimits(1000, 1000, 1000, Duration.ofMinutes(1),
                                    Duration.ZERO, 0))));
            OrderDesk tradierDesk = new OrderDesk(legs,
                    user -> new BrokerAccount("tradier:sandbox:" + ScriptedTradier.ACCOUNT, "TRADIER", tradierBroker, true),
                    batch -> batch.forEach(e -> reports.add((BrokerOrderReportedEvent) e)), commands::add, clock,
                    withWorkingCeiling(settings, Duration.ofSeconds(1))); // the cap alone, not the quiet pace
            for (int i = 0; i < 100; i++) {
                String tag = "t" + i;
                String id = tradierBroker.placeOrder(OrderRequest.limit(tag, Instrument.stock("AAPL"),
                        OrderSide.BUY_TO_OPEN, 1, Money.of("90"), TimeInForce.DAY)).orderId();
                legs.add(WorkedOrder.toSend(tag, "alice", "tradier", ticket(tag), START));
                legs.update(legs.all().stream().filter(o -> o.tag().equals(tag)).findFirst().orElseThrow().sent(id));
            }

            for (int i = 0; i < 120; i++) {
                tradierDesk.workAll();
                clock.advance(Duration.ofSeconds(1));
            }

            assertThat(tradier.lists.get()).isEqualTo(60); // 30 a minute for two minutes
            assertThat(tradier.gets.get()).isZero();
            assertThat(reports).hasSize(100);
        }
    }

    // ------------------------------------------------------------------------------------ a cheap broker

    @Test
    void aCheapBrokersAnswerToAPlacementIsReportedAtOnceWithoutAnyList() {
        broker.cheap = true;
        broker.answersWithOrder = true;
        add("t1");

        round();

        assertThat(broker.placed).hasSize(1);
        assertThat(broker.tagLookups).as("looked for once before sending").isEqualTo(1);
        assertThat(broker.listCalls).isZero();
        assertReportedOpenAsTheLastPlacedOrder();
    }

    @Test
    void aBrokerThatPlacesOncePerTagIsSentANewLegWithoutALookupFirst() {
        broker.cheap = true;
        broker.answersWithOrder = true;
        broker.oncePerTag = true;
        add("t1");

        round();

        assertThat(broker.placed).hasSize(1);
        assertThat(broker.tagLookups).as("the placement itself checks the tag").isZero();
        assertReportedOpenAsTheLastPlacedOrder();
    }

    @Test
    void aLegWhoseTagABrokerPlacingOncePerTagAlreadyHoldsIsFollowedAsThatOrder() {
        broker.cheap = true;
        broker.answersWithOrder = true;
        broker.oncePerTag = true;
        String existing = broker.existing("t1", OrderState.FILLED); // placed before the desk could record it
        add("t1");

        round();

        assertThat(broker.placed).as("never placed twice").isEmpty();
        assertThat(broker.placementsAnsweredByTag).isEqualTo(1);
        assertThat(reports).singleElement().satisfies(r -> {
            assertThat(r.orderId()).isEqualTo(existing);
            assertThat(r.state()).isEqualTo("FILLED");
        });
        assertThat(legs.all()).as("an ended order is forgotten").isEmpty();
    }

    @Test
    void aCheapAccountsFewOrdersAreReadByIdAndItsQuietPaceStillApplies() {
        broker.cheap = true;
        String id = sent("t1");

        for (int i = 0; i < 600; i++) {
            tick(); // ten minutes of rounds, nothing changing at the broker
        }
        assertThat(broker.listCalls).isZero();
        assertThat(broker.orderReads).as("full pace, then gaps growing to the ceiling").isBetween(25, 35);

        broker.set(id, OrderState.FILLED, 1, "90.00", null);
        for (int i = 0; i < 30; i++) {
            tick();
        }
        assertThat(reports).last().satisfies(r -> assertThat(r.state()).isEqualTo("FILLED"));
        assertThat(legs.all()).isEmpty();
    }

    @Test
    void aCheapAccountWithMoreLegsThanItReadsAloneListsThemOnce() {
        broker.cheap = true;
        for (int i = 0; i <= OrderDesk.CHEAP_READS; i++) {
            add("t" + i);
        }

        round();

        assertThat(broker.placed).hasSize(OrderDesk.CHEAP_READS + 1);
        assertThat(broker.tagLookups).isZero();
        assertThat(broker.listCalls).as("one to look for the tags, one to read back what was sent").isEqualTo(2);
        assertThat(broker.orderReads).isZero();
    }

    // ------------------------------------------------------------------------------------------ quiet pace

    @Test
    void anAccountWhoseOrdersOnlyRestIsLookedAtLessAndLessOftenUpToTheWorkingCeiling() {
        desk = deskWithoutCap();
        sent("t1");

        for (int i = 0; i < 600; i++) {
            tick(); // ten minutes of rounds, nothing changing at the broker
        }

        // full pace for the first rounds, then gaps growing ×1.5 from a second to the 30 s ceiling
        assertThat(broker.listCalls).isBetween(25, 35);
        int before = broker.listCalls;
        for (int i = 0; i < 300; i++) {
            tick();
        }
        assertThat(broker.listCalls - before).as("lists in five quiet minutes").isBetween(9, 11);
        assertThat(reports).hasSize(1); // seen once when it was first listed, and never again: nothing changed
    }

    @Test
    void aFillOfAQuietAccountsOrderIsSeenWithinTheCeilingAndTheAccountIsBackAtFullPace() {
        desk = deskWithoutCap();
        String id = sent("t1");
        for (int i = 0; i < 300; i++) {
            tick();
        }

        broker.set(id, OrderState.PARTIALLY_FILLED, 1, "20", null);
        int ticks = 0;
        while (reports.size() < 2 && ticks < 60) {
            tick();
            ticks++;
        }

        assertThat(ticks).as("seconds until the change was seen").isLessThanOrEqualTo(30);
        int before = broker.listCalls;
        for (int i = 0; i < 3; i++) {
            tick();
        }
        assertThat(broker.listCalls - before).as("back at one list a round").isEqualTo(3);
    }

    @Test
    void aNewLegOrAWithdrawalOnAQuietAccountIsWorkedAtTheNextRound() {
        desk = deskWithoutCap();
        sent("t1");
        for (int i = 0; i < 300; i++) {
            tick();
        }

        add("t2");
        tick();
        assertThat(broker.placed).singleElement().satisfies(o -> assertThat(o.tag()).isEqualTo("t2"));

        for (int i = 0; i < 300; i++) {
            tick();
        }
        int cancels = broker.canceled.size();
        legs.withdraw("t1", false);
        tick();
        assertThat(broker.canceled).hasSize(cancels + 1);
    }

    private OrderDesk deskWithoutCap() {
        return new OrderDesk(legs, user -> new BrokerAccount("fake:" + user, "FAKE", broker, true),
                batch -> batch.forEach(e -> reports.add((BrokerOrderReportedEvent) e)), commands::add, clock,
                new ExecutionSettings(Duration.ofSeconds(1), 1.5, Duration.ofSeconds(5), Duration.ofSeconds(30),
                        Duration.ofSeconds(16), Duration.ofSeconds(60), Duration.ofSeconds(1), 60));
    }

    private OrderDesk deskWithoutQuietPace(ExecutionSettings s, FakeBroker b) {
        return new OrderDesk(legs, user -> new BrokerAccount("fake:" + user, "FAKE", b, true),
                batch -> batch.forEach(e -> reports.add((BrokerOrderReportedEvent) e)), commands::add, clock,
                withWorkingCeiling(s, Duration.ofSeconds(1)));
    }

    private static ExecutionSettings withWorkingCeiling(ExecutionSettings s, Duration ceiling) {
        return new ExecutionSettings(s.firstPoll(), s.backoffFactor(), s.maxUnconfirmedPoll(), ceiling,
                s.maxBrokerBackoff(), s.confirmationTimeout(), s.snapshotTick(), s.maxListRequestsPerMinute());
    }

    // -------------------------------------------------------------------------------------------- fixtures

    private static OrderTicket ticket(String tag) {
        return OrderTicket.of(OrderRequest.limit(tag, Instrument.stock("AAPL"), OrderSide.BUY_TO_OPEN, 1,
                Money.of("90"), TimeInForce.DAY));
    }

    /** A new leg for trade {@code tradeId}, tagged with its id, to be sent. */
    private void add(String tradeId) {
        legs.add(WorkedOrder.toSend(tradeId, "alice", "fake:alice", ticket(tradeId), clock.instant()));
    }

    /** A leg already at the broker (a resting order), not reported yet. */
    private String sent(String tradeId) {
        String id = broker.existing(tradeId, OrderState.OPEN);
        legs.add(WorkedOrder.toSend(tradeId, "alice", "fake:alice", ticket(tradeId), clock.instant()).sent(id));
        return id;
    }

    /** One round, then the account's list cap (2 s) passes. */
    private void round() {
        desk.workAll();
        clock.advance(Duration.ofSeconds(2));
    }

    /** One round, then a second passes. */
    private void tick() {
        desk.workAll();
        clock.advance(Duration.ofSeconds(1));
    }

    private void assertReportedOpenAsTheLastPlacedOrder() {
        assertThat(reports).singleElement().satisfies(r -> {
            assertThat(r.orderId()).isEqualTo(broker.lastId());
            assertThat(r.state()).isEqualTo("OPEN");
        });
    }
}
