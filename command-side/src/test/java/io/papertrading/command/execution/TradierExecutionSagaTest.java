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
import io.papertrading.kernel.trade.TradeStatus;
import io.papertrading.kernel.trade.command.PlaceTradeCommand;
import io.papertrading.kernel.trade.event.EntryOrderSubmittedEvent;
import io.papertrading.kernel.trade.event.TradeOpenedEvent;
import io.papertrading.kernel.trade.event.TradeRejectedEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The saga, the trade aggregate and the order desk driving the real {@link TradierBroker} over HTTP against a
 * MockWebServer scripted as Tradier, on virtual time: what goes over the wire is what Tradier would see.
 */
class TradierExecutionSagaTest {

    private static final Instant START = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    private ScriptedTradier tradier;
    private ExecutionSeam seam;
    private BrokerAccount account;

    @BeforeEach
    void setUp() {
        tradier = new ScriptedTradier();
        ExecutionSettings settings = new ExecutionSettings(Duration.ofSeconds(1), 1.5, Duration.ofSeconds(5),
                Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(1), 50);
        seam = new ExecutionSeam(START, settings, user -> account);
        TradierTuning tuning = TradierTuning.defaults()
                // order reads (standard group) at the sandbox's 60 a minute; placements unthrottled here
                .withRateLimits(new TradierTuning.RateLimits(60, 60, 1000, Duration.ofMinutes(1), Duration.ZERO, 0))
                .withRetries(new TradierTuning.Retries(0, Duration.ofMillis(1)))
                .withTimeout(Duration.ofMillis(700))
                .withClock(seam.clock)
                .withSleeper(d -> { });
        account = new BrokerAccount("tradier:sandbox:" + ScriptedTradier.ACCOUNT, "TRADIER",
                new TradierBroker(new TradierConfig(tradier.baseUrl(), ScriptedTradier.ACCOUNT, "token", tuning)), true);
    }

    @AfterEach
    void stop() {
        seam.close();
        tradier.close();
    }

    @Test
    void placedThenPendingThenRejectedRejectsTheTradeWithTradiersReason() {
        TradeId id = place(1);
        assertThat(tradier.posts.get()).isEqualTo(1);
        seam.advance(Duration.ofSeconds(2));
        tradier.set(tradier.lastId(), "rejected", 0, 0, "Insufficient buying power for this order");

        seam.advance(Duration.ofSeconds(3));

        assertThat(seam.status(id).isTerminal()).isTrue();
        assertThat(seam.events(id, TradeRejectedEvent.class)).singleElement()
                .satisfies(e -> assertThat(e.reason()).isEqualTo("Insufficient buying power for this order"));
        assertThat(tradier.posts.get()).isEqualTo(1);
        assertThat(seam.deskOrders.all()).isEmpty();
    }

    @Test
    void aPlacementThatTimesOutIsFoundByTagAndNeverSentTwice() {
        tradier.nextPostDelay.set(Duration.ofSeconds(2)); // Tradier creates the order but answers too late
        TradeId id = place(2);
        assertThat(tradier.orderCount()).isEqualTo(1);
        String orderId = tradier.lastId();
        tradier.set(orderId, "filled", 2, 187.25, null);

        seam.advance(Duration.ofSeconds(5));

        assertThat(seam.events(id, EntryOrderSubmittedEvent.class)).singleElement()
                .satisfies(e -> assertThat(e.brokerOrderId()).isEqualTo(orderId));
        assertThat(seam.events(id, TradeOpenedEvent.class)).singleElement().satisfies(e -> {
            assertThat(e.filledQuantity()).isEqualTo(2);
            assertThat(e.entryPrice()).isEqualTo(Money.of("187.25"));
        });
        assertThat(tradier.posts.get()).isEqualTo(1);
    }

    @Test
    void partiallyFilledThenFilledOpensTheTradeAtTheAveragePrice() {
        TradeId id = place(10);
        String orderId = tradier.lastId();
        tradier.set(orderId, "partially_filled", 4, 50.10, null);
        seam.advance(Duration.ofSeconds(2));
        assertThat(seam.status(id)).isEqualTo(TradeStatus.PARTIALLY_FILLED);
        tradier.set(orderId, "filled", 10, 50.16, null);

        seam.advance(Duration.ofSeconds(2));

        assertThat(seam.events(id, TradeOpenedEvent.class)).singleElement().satisfies(e -> {
            assertThat(e.filledQuantity()).isEqualTo(10);
            assertThat(e.entryPrice()).isEqualTo(Money.of("50.16"));
        });
    }

    private TradeId place(int quantity) {
        TradeOrder order = new TradeOrder(Instrument.stock("AAPL"), Side.BUY, quantity, OrderType.MARKET, null, null,
                null, null, null);
        String key = "key-" + System.nanoTime();
        TradeId id = TradeId.forSubmission("alice", key);
        seam.send(new PlaceTradeCommand(id, "alice", order, key));
        return id;
    }
}
