package io.papertrading.command.execution;

import io.papertrading.broker.tradier.TradierBroker;
import io.papertrading.broker.tradier.TradierConfig;
import io.papertrading.broker.tradier.TradierTuning;
import io.papertrading.kernel.instrument.Instrument;
import io.papertrading.kernel.money.Money;
import io.papertrading.kernel.trade.OrderType;
import io.papertrading.kernel.trade.Side;
import io.papertrading.kernel.trade.TradeId;
import io.papertrading.kernel.trade.TradeOrder;
import io.papertrading.kernel.trade.command.RecordEntryFillCommand;
import io.papertrading.kernel.trade.command.RecordEntryOrderCommand;
import io.papertrading.kernel.trade.command.RejectTradeCommand;
import io.papertrading.kernel.trade.event.TradePlacedEvent;
import io.papertrading.kernel.trade.event.BrokerOrderObservedEvent;
import org.axonframework.test.saga.SagaTestFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The saga driving the real {@link TradierBroker} over HTTP against a MockWebServer scripted as Tradier, with
 * the account poller's sightings and the fixture's time travel: what goes over the wire is what Tradier would see.
 */
class TradierExecutionSagaTest {

    private static final Instant START = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private static final TradeId ID = new TradeId("7f0c9a7e-1d2b-3c4d-8e9f-0a1b2c3d4e5f");

    private SagaTestFixture<TradeExecutionSaga> fixture;
    private ScriptedTradier tradier;
    private WatchedOrders watches;
    private BrokerResolver resolver;
    private Clock clock;
    private ExecutionSettings settings;

    @BeforeEach
    void setUp() {
        fixture = new SagaTestFixture<>(TradeExecutionSaga.class);
        tradier = new ScriptedTradier();
        clock = new FixtureClock(fixture);
        TradierTuning tuning = TradierTuning.defaults()
                // order reads (standard group) at the sandbox's 60 a minute; placements unthrottled here
                .withRateLimits(new TradierTuning.RateLimits(60, 60, 1000, Duration.ofMinutes(1), Duration.ZERO, 0))
                .withRetries(new TradierTuning.Retries(0, Duration.ofMillis(1)))
                .withTimeout(Duration.ofMillis(700))
                .withClock(clock)
                .withSleeper(d -> { });
        TradierBroker broker = new TradierBroker(new TradierConfig(tradier.baseUrl(), ScriptedTradier.ACCOUNT, "token", tuning));
        settings = new ExecutionSettings(Duration.ofSeconds(1), 1.5, Duration.ofSeconds(5),
                Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(1), 50);
        watches = WatchedOrders.inMemory();
        resolver = user -> new BrokerAccount("tradier:sandbox:" + ScriptedTradier.ACCOUNT, "TRADIER", broker, true);
        fixture.registerResource(settings);
        fixture.registerResource(clock);
        fixture.registerResource(new OrderStatusBook(clock, settings));
        fixture.registerResource(resolver);
        fixture.registerResource(watches);
    }

    /** What a fresh account poller tells the saga about its watched order now, read from Tradier's order list. */
    private BrokerOrderObservedEvent sighting() {
        List<Object> seen = new ArrayList<>();
        new AccountOrderPoller(watches, resolver, seen::add, command -> { }, clock, settings).pollAll();
        assertThat(seen).as("one sighting").hasSize(1);
        return (BrokerOrderObservedEvent) seen.get(0);
    }

    @AfterEach
    void stop() {
        tradier.close();
    }

    @Test
    void placedThenPendingThenRejectedRejectsTheTradeWithTradiersReason() throws Exception {
        var given = fixture.givenCurrentTime(START).andThenAPublished(placed(ID, 1));
        String id = tradier.lastId();
        var pending = given.andThenAPublished(sighting());
        tradier.set(id, "rejected", 0, 0, "Insufficient buying power for this order");

        pending.whenPublishingA(sighting())
                .expectDispatchedCommands(new RejectTradeCommand(ID, "Insufficient buying power for this order"));
        assertThat(tradier.posts.get()).isEqualTo(1);
        assertThat(watches.all()).isEmpty();
    }

    @Test
    void aPlacementThatTimesOutIsReconciledByTagAndNeverSentTwice() throws Exception {
        tradier.nextPostDelay.set(Duration.ofSeconds(2)); // Tradier creates the order but answers too late
        var given = fixture.givenCurrentTime(START).andThenAPublished(placed(ID, 2));
        assertThat(tradier.orderCount()).isEqualTo(1);
        String id = tradier.lastId();
        tradier.set(id, "filled", 2, 187.25, null);

        given.whenTimeElapses(Duration.ofSeconds(3))
                .expectDispatchedCommands(new RecordEntryOrderCommand(ID, "TRADIER", id),
                        new RecordEntryFillCommand(ID, 2, Money.of("187.25")));
        assertThat(tradier.posts.get()).isEqualTo(1);
    }

    @Test
    void partiallyFilledThenFilledOpensTheTrade() throws Exception {
        var given = fixture.givenCurrentTime(START).andThenAPublished(placed(ID, 10));
        String id = tradier.lastId();
        tradier.set(id, "partially_filled", 4, 50.10, null);
        var partial = given.andThenAPublished(sighting());
        tradier.set(id, "filled", 10, 50.16, null);

        partial.whenPublishingA(sighting())
                .expectDispatchedCommands(new RecordEntryFillCommand(ID, 10, Money.of("50.16")));
    }

    private TradePlacedEvent placed(TradeId id, int quantity) {
        TradeOrder order = new TradeOrder(Instrument.stock("AAPL"), Side.BUY, quantity, OrderType.MARKET, null, null,
                null, null, null);
        return new TradePlacedEvent(id, "alice", order, "key-" + id, order.fingerprint(), fixture.currentTime());
    }
}
