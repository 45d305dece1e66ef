package io.papertrading.command.execution;

import io.papertrading.broker.BrokerAuthException;
import io.papertrading.broker.BrokerRateLimitException;
import io.papertrading.broker.OrderRequest;
import io.papertrading.broker.OrderSide;
import io.papertrading.broker.OrderState;
import io.papertrading.broker.simulated.MutableClock;
import io.papertrading.broker.tradier.TradierBroker;
import io.papertrading.broker.tradier.TradierConfig;
import io.papertrading.broker.tradier.TradierTuning;
import io.papertrading.kernel.instrument.Instrument;
import io.papertrading.kernel.trade.TradeId;
import io.papertrading.kernel.trade.command.ReportBrokerProblemCommand;
import io.papertrading.kernel.trade.event.BrokerOrderObservedEvent;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The account poller as a plain object: a fake broker, watches in memory, a clock moved by hand. */
class AccountOrderPollerTest {

    private static final Instant START = Instant.parse("2026-11-30T15:00:00Z");

    private final MutableClock clock = new MutableClock(START);
    private final FakeBroker broker = new FakeBroker();
    private final WatchedOrders watches = WatchedOrders.inMemory();
    private final List<BrokerOrderObservedEvent> sightings = new ArrayList<>();
    private final List<Object> commands = new ArrayList<>();
    /** 1 s first retry, 16 s ceiling, 30 lists a minute: one list per account every 2 s at most. */
    private final ExecutionSettings settings = new ExecutionSettings(Duration.ofSeconds(1), 1.5, Duration.ofSeconds(5),
            Duration.ofSeconds(30), Duration.ofSeconds(16), Duration.ofSeconds(60), Duration.ofSeconds(1), 30);
    private AccountOrderPoller poller;

    @BeforeEach
    void setUp() {
        poller = new AccountOrderPoller(watches, user -> new BrokerAccount("fake:" + user, "FAKE", broker, true),
                e -> sightings.add((BrokerOrderObservedEvent) e), commands::add, clock, settings);
    }

    @Test
    void reportsAWatchedOrderWhenItsWatchStartsAndThenOnlyWhenItChanges() {
        String id = watchNew("t1", 1);

        round();
        assertThat(sightings).singleElement().satisfies(s -> {
            assertThat(s.tradeId()).isEqualTo(new TradeId("t1"));
            assertThat(s.orderId()).isEqualTo(id);
            assertThat(s.watch()).isEqualTo(1);
            assertThat(s.state()).isEqualTo("OPEN");
        });
        round();
        round();
        assertThat(sightings).hasSize(1);

        broker.set(id, OrderState.PARTIALLY_FILLED, 4, "50.10", null);
        round();
        round();
        assertThat(sightings).hasSize(2).last().satisfies(s -> {
            assertThat(s.state()).isEqualTo("PARTIALLY_FILLED");
            assertThat(s.filledQuantity()).isEqualByComparingTo(BigDecimal.valueOf(4));
            assertThat(s.avgFillPrice().amount()).isEqualByComparingTo("50.10");
        });
    }

    @Test
    void aNewWatchOfAnUnchangedOrderIsReportedAgain() {
        String id = watchNew("t1", 1);
        round();
        watches.watch(new OrderWatch("t1", "alice", "fake:alice", id, 2, START));

        round();

        assertThat(sightings).extracting(BrokerOrderObservedEvent::watch).containsExactly(1L, 2L);
    }

    @Test
    void everyWatchedOrderOfOneAccountCostsOneListRequestPerRound() {
        for (int i = 0; i < 100; i++) {
            watchNew("t" + i, 1);
        }

        round();
        assertThat(broker.listCalls).isEqualTo(1);
        assertThat(sightings).hasSize(100);

        round();
        assertThat(broker.listCalls).isEqualTo(2);
        assertThat(sightings).as("nothing changed").hasSize(100);
    }

    @Test
    void anAccountWithARequestBudgetIsListedNoMoreOftenThanItsCapAllows() {
        watchNew("t1", 1);

        for (int i = 0; i < 60; i++) {
            tick(); // one round a second for a minute
        }

        assertThat(broker.listCalls).isEqualTo(30);
    }

    @Test
    void rateLimitedListsBackOffAndNeverTouchTheTrade() {
        String id = watchNew("t1", 1);
        for (int i = 0; i < 5; i++) {
            broker.listFailures.add(new BrokerRateLimitException("429"));
        }
        broker.set(id, OrderState.FILLED, 1, "20", null);

        for (int i = 0; i < 40; i++) {
            tick();
        }

        // tries at 0 s, then after 1, 2, 4, 8 and 16 s: the sixth list (31 s) sees the fill; then one every 2 s
        assertThat(sightings).singleElement().satisfies(s -> assertThat(s.state()).isEqualTo("FILLED"));
        assertThat(commands).isEmpty();
        assertThat(broker.listCalls).isEqualTo(6 + 4);
    }

    @Test
    void aRevokedTokenIsToldToEveryWatchedTradeOnceAndTakenBackWhenTheAccountAnswers() {
        watchNew("t1", 1);
        watchNew("t2", 1);
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
        assertThat(sightings).hasSize(2);
    }

    @Test
    void anOrderGoneFromTheListIsAskedForByIdOnlyOnceItHadBeenListed() {
        String listedBefore = watchNew("t1", 1);
        round();
        broker.pastListWindow.add(listedBefore);
        broker.set(listedBefore, OrderState.FILLED, 1, "12", null);
        String neverListed = watchNew("t2", 1);
        broker.pastListWindow.add(neverListed);

        round();

        assertThat(sightings).hasSize(2).last().satisfies(s -> {
            assertThat(s.orderId()).isEqualTo(listedBefore);
            assertThat(s.state()).isEqualTo("FILLED");
        });
    }

    @Test
    void anAccountWithNothingWatchedIsNeverListed() {
        String id = watchNew("t1", 1);
        round();
        watches.unwatch("t1");
        broker.set(id, OrderState.FILLED, 1, "12", null);

        round();
        round();

        assertThat(broker.listCalls).isEqualTo(1);
        assertThat(sightings).hasSize(1);
    }

    @Test
    void aHundredWatchedTradierOrdersCostAtMostTheAccountsListCapAndNoSingleOrderReads() throws Exception {
        try (ScriptedTradier tradier = new ScriptedTradier()) {
            TradierBroker tradierBroker = new TradierBroker(new TradierConfig(tradier.baseUrl(), ScriptedTradier.ACCOUNT,
                    "token", TradierTuning.defaults().withClock(clock).withSleeper(d -> { })
                            .withRateLimits(new TradierTuning.RateLimits(1000, 1000, 1000, Duration.ofMinutes(1),
                                    Duration.ZERO, 0))));
            AccountOrderPoller tradierPoller = new AccountOrderPoller(watches,
                    user -> new BrokerAccount("tradier:sandbox:" + ScriptedTradier.ACCOUNT, "TRADIER", tradierBroker, true),
                    e -> sightings.add((BrokerOrderObservedEvent) e), commands::add, clock, settings);
            for (int i = 0; i < 100; i++) {
                String id = tradierBroker.placeOrder(OrderRequest.limit("t" + i, Instrument.stock("AAPL"),
                        OrderSide.BUY_TO_OPEN, 1, io.papertrading.kernel.money.Money.of("90"),
                        io.papertrading.broker.TimeInForce.DAY)).orderId();
                watches.watch(new OrderWatch("t" + i, "alice", "tradier", id, 1, START));
            }

            for (int i = 0; i < 120; i++) {
                tradierPoller.pollAll();
                clock.advance(Duration.ofSeconds(1));
            }

            assertThat(tradier.lists.get()).isEqualTo(60); // 30 a minute for two minutes
            assertThat(tradier.gets.get()).isZero();
            assertThat(sightings).hasSize(100);
        }
    }

    /** A new order at the fake broker, watched for trade {@code tradeId}. */
    private String watchNew(String tradeId, long generation) {
        String id = broker.existing(tradeId, OrderState.OPEN);
        watches.watch(new OrderWatch(tradeId, "alice", "fake:alice", id, generation, clock.instant()));
        return id;
    }

    /** One round, then the account's list cap (2 s) passes. */
    private void round() {
        poller.pollAll();
        clock.advance(Duration.ofSeconds(2));
    }

    /** One round, then a second passes. */
    private void tick() {
        poller.pollAll();
        clock.advance(Duration.ofSeconds(1));
    }
}
