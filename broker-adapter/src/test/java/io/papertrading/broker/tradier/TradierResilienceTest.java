package io.papertrading.broker.tradier;

import io.papertrading.broker.BrokerOutcomeUnknownException;
import io.papertrading.broker.BrokerRateLimitException;
import io.papertrading.broker.BrokerTimeoutException;
import io.papertrading.broker.BrokerUnavailableException;
import io.papertrading.broker.OrderRequest;
import io.papertrading.broker.OrderSide;
import io.papertrading.broker.OrderStatusReport;
import io.papertrading.kernel.instrument.Instrument;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.papertrading.broker.tradier.TradierFixtures.fixture;
import static io.papertrading.broker.tradier.TradierFixtures.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Retries, the circuit breaker, rate limiting and timeouts. */
class TradierResilienceTest {

    private static final OrderRequest BUY_AAPL = OrderRequest.market("9d2c6a3e-0d6c-4f59-9f43-3c0b8e1f2a77",
            Instrument.stock("AAPL"), OrderSide.BUY_TO_OPEN, 1);

    private final MockTradier tradier = new MockTradier();

    @AfterEach
    void stop() {
        tradier.close();
    }

    @Test
    void retriesAGetAfter503() {
        tradier.enqueue(status(503), fixture("quotes_single.json"));

        assertThat(tradier.broker().getQuotes(List.of("AAPL"))).hasSize(1);
        assertThat(tradier.requestCount()).isEqualTo(2);
    }

    @Test
    void retriesAGetAfter429() {
        tradier.enqueue(status(429), status(429), fixture("positions_single.json"));

        assertThat(tradier.broker().getPositions()).hasSize(1);
        assertThat(tradier.requestCount()).isEqualTo(3);
    }

    @Test
    void retriesADeleteAfter502() {
        tradier.enqueue(status(502), fixture("order_cancel_ok.json"));

        tradier.broker().cancelOrder("123456");

        assertThat(tradier.requestCount()).isEqualTo(2);
    }

    @Test
    void givesUpAfterTwoRetriesAsUnavailable() {
        tradier.enqueue(status(500), status(500), status(500), fixture("quotes_single.json"));

        assertThatThrownBy(() -> tradier.broker().getQuotes(List.of("AAPL")))
                .isInstanceOf(BrokerUnavailableException.class).hasMessageContaining("HTTP 500");
        assertThat(tradier.requestCount()).isEqualTo(3);
    }

    @ParameterizedTest
    @ValueSource(ints = {500, 502, 503, 504})
    void anOrderPostAnswered5xxHasAnUnknownOutcomeAndIsNeverRetried(int code) {
        tradier.enqueue(status(code), fixture("order_place_ok.json"));

        assertThatThrownBy(() -> tradier.broker().placeOrder(BUY_AAPL))
                .isInstanceOf(BrokerOutcomeUnknownException.class).hasMessageContaining("HTTP " + code);
        assertThat(tradier.requestCount()).isEqualTo(1);
    }

    @Test
    void anOrderPostWhoseConnectionBreaksAfterTheRequestWasWrittenHasAnUnknownOutcome() {
        tradier.enqueue(new MockResponse.Builder(fixture("order_place_ok.json"))
                .onResponseStart(new SocketEffect.CloseSocket(true, true, true)).build());

        assertThatThrownBy(() -> tradier.broker().placeOrder(BUY_AAPL))
                .isInstanceOf(BrokerOutcomeUnknownException.class)
                .isNotInstanceOf(BrokerTimeoutException.class);
        assertThat(tradier.requestCount()).isEqualTo(1);
    }

    @Test
    void anOrderPostThatCannotConnectCertainlyPlacedNothing() throws Exception {
        String closedPort;
        try (MockWebServer gone = new MockWebServer()) {
            gone.start();
            closedPort = gone.url("/v1").toString();
        }
        TradierBroker broker = new TradierBroker(new TradierConfig(closedPort, MockTradier.ACCOUNT, MockTradier.TOKEN,
                tradier.tuning()));

        assertThatThrownBy(() -> broker.placeOrder(BUY_AAPL))
                .isInstanceOf(BrokerUnavailableException.class)
                .isNotInstanceOf(BrokerOutcomeUnknownException.class);
    }

    @Test
    void anUnreadableAnswerToAnOrderPostHasAnUnknownOutcome() {
        tradier.enqueue(TradierFixtures.json(200, "<html>upstream hiccup</html>"),
                TradierFixtures.json(200, "{\"order\":{\"status\":\"ok\"}}"));

        assertThatThrownBy(() -> tradier.broker().placeOrder(BUY_AAPL)).isInstanceOf(BrokerOutcomeUnknownException.class);
        assertThatThrownBy(() -> tradier.broker().placeOrder(BUY_AAPL)).isInstanceOf(BrokerOutcomeUnknownException.class);
    }

    @Test
    void findingAnOrderByTagLooksBeyondTheSessionIntoTheMonthsHistory() {
        tradier.enqueue(TradierFixtures.json(200, "{\"orders\":{\"order\":{\"id\":1,\"status\":\"filled\",\"tag\":\"other\"}}}"),
                TradierFixtures.json(200, "{\"orders\":{\"order\":[{\"id\":1,\"status\":\"filled\",\"tag\":\"other\"},"
                        + "{\"id\":257459,\"status\":\"filled\",\"tag\":\"" + BUY_AAPL.tag() + "\"}]}}"));

        assertThat(tradier.broker().findOrderByTag(BUY_AAPL.tag())).map(OrderStatusReport::orderId).contains("257459");
        assertThat(tradier.take().getUrl().queryParameter("filter")).isNull();
        var history = tradier.take().getUrl();
        assertThat(history.queryParameter("filter")).isEqualTo("all");
        assertThat(history.queryParameter("page")).isEqualTo("1");
        assertThat(history.queryParameter("includeTags")).isEqualTo("true");
    }

    @Test
    void anOrderAbsentFromSessionAndHistoryIsNotFound() {
        tradier.enqueue(TradierFixtures.json(200, "{\"orders\":\"null\"}"), TradierFixtures.json(200, "{\"orders\":\"null\"}"));

        assertThat(tradier.broker().findOrderByTag(BUY_AAPL.tag())).isEmpty();
        assertThat(tradier.requestCount()).isEqualTo(2);
    }

    @Test
    void circuitOpensAfterRepeatedFailuresAndFailsFastWithoutCallingTradier() {
        TradierBroker broker = tradier.broker(tradier.tuning()
                .withRetries(new TradierTuning.Retries(0, Duration.ofMillis(1)))
                .withBreaker(new TradierTuning.Breaker(4, 4, 50f, Duration.ofMinutes(5))));
        for (int i = 0; i < 4; i++) {
            tradier.enqueue(status(503));
        }
        tradier.enqueue(fixture("quotes_single.json"));
        for (int i = 0; i < 4; i++) {
            assertThatThrownBy(broker::getBalance).isInstanceOf(BrokerUnavailableException.class);
        }

        assertThatThrownBy(() -> broker.getQuotes(List.of("AAPL")))
                .isInstanceOf(BrokerUnavailableException.class).hasMessageContaining("circuit open");
        assertThat(tradier.requestCount()).isEqualTo(4);
    }

    @Test
    void rejectionsDoNotOpenTheCircuit() {
        TradierBroker broker = tradier.broker(tradier.tuning()
                .withBreaker(new TradierTuning.Breaker(2, 2, 50f, Duration.ofMinutes(5))));
        tradier.enqueueFixture("order_place_error_200.json", "order_place_error_200.json", "quotes_single.json");
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> broker.placeOrder(BUY_AAPL))
                    .isInstanceOf(io.papertrading.broker.BrokerOrderRejectedException.class);
        }

        assertThat(broker.getQuotes(List.of("AAPL"))).hasSize(1);
    }

    @Test
    void t0911_rateLimiterRefusesTheCallBeyondItsLimit() {
        TradierBroker broker = tradier.broker(tradier.tuning().withRateLimits(
                new TradierTuning.RateLimits(2, 2, 2, Duration.ofMinutes(10), Duration.ZERO, 5)));
        tradier.enqueueFixture("quotes_single.json", "quotes_single.json", "balances_margin.json");

        broker.getQuotes(List.of("AAPL"));
        broker.getQuotes(List.of("AAPL"));

        assertThatThrownBy(() -> broker.getQuotes(List.of("AAPL"))).isInstanceOf(BrokerRateLimitException.class);
        assertThat(tradier.requestCount()).isEqualTo(2);
        // Each Tradier limit group has its own budget: market data being spent leaves account reads free.
        assertThat(broker.getBalance().accountType()).isEqualTo("margin");
    }

    @Test
    void rateLimiterMakesTheCallBeyondItsLimitWaitForTheNextPeriod() {
        TradierBroker broker = tradier.broker(tradier.tuning().withRateLimits(
                new TradierTuning.RateLimits(1, 1, 1, Duration.ofMillis(100), Duration.ofSeconds(10), 5)));
        tradier.enqueueFixture("quotes_single.json", "quotes_single.json");

        broker.getQuotes(List.of("AAPL"));
        List<?> second = broker.getQuotes(List.of("AAPL"));

        assertThat(second).hasSize(1);
        assertThat(tradier.requestCount()).isEqualTo(2);
    }

    @Test
    void waitsUntilTheHeaderExpiryWhenFewRequestsRemain() {
        TradierBroker broker = tradier.broker(patient());
        long expiry = MockTradier.NOW.toEpochMilli() + 4_000;
        tradier.enqueue(new MockResponse.Builder(fixture("quotes_single.json"))
                .addHeader("X-Ratelimit-Available", "5").addHeader("X-Ratelimit-Expiry", expiry).build());
        tradier.enqueueFixture("quotes_single.json", "balances_margin.json");

        broker.getQuotes(List.of("AAPL"));
        broker.getBalance();
        assertThat(tradier.sleeper.waits).isEmpty();
        broker.getQuotes(List.of("AAPL"));

        assertThat(tradier.sleeper.waits).containsExactly(Duration.ofSeconds(4));
    }

    @Test
    void aWindowClosedForLongerThanTheWaitBoundIsRefusedAtOnceNotSleptThrough() {
        TradierBroker broker = tradier.broker(); // the defaults wait at most 2 s
        long expiry = MockTradier.NOW.toEpochMilli() + 4_000;
        tradier.enqueue(new MockResponse.Builder(fixture("quotes_single.json"))
                .addHeader("X-Ratelimit-Available", "0").addHeader("X-Ratelimit-Expiry", expiry).build());
        tradier.enqueueFixture("quotes_single.json");

        broker.getQuotes(List.of("AAPL"));

        assertThatThrownBy(() -> broker.getQuotes(List.of("AAPL"))).isInstanceOf(BrokerRateLimitException.class)
                .hasMessageContaining("reopens in 4 s");
        assertThat(tradier.sleeper.waits).isEmpty();
        assertThat(tradier.requestCount()).isEqualTo(1);
    }

    /** A tuning that waits up to a minute for Tradier's window, as an interactive caller may choose to. */
    private TradierTuning patient() {
        return tradier.tuning().withRateLimits(TradierTuning.RateLimits.perMinute(50));
    }

    @Test
    void headerExpiryInEpochSecondsIsUnderstood() {
        TradierBroker broker = tradier.broker(patient());
        long expirySeconds = MockTradier.NOW.getEpochSecond() + 7;
        tradier.enqueue(new MockResponse.Builder(fixture("balances_margin.json"))
                .addHeader("X-Ratelimit-Available", "0").addHeader("X-Ratelimit-Expiry", expirySeconds).build());
        tradier.enqueueFixture("balances_margin.json");

        broker.getBalance();
        broker.getBalance();

        assertThat(tradier.sleeper.waits).containsExactly(Duration.ofSeconds(7));
    }

    @Test
    void plentyOfRemainingRequestsMeansNoWait() {
        TradierBroker broker = tradier.broker();
        tradier.enqueue(new MockResponse.Builder(fixture("balances_margin.json"))
                .addHeader("X-Ratelimit-Available", "119")
                .addHeader("X-Ratelimit-Expiry", MockTradier.NOW.toEpochMilli() + 30_000).build());
        tradier.enqueueFixture("balances_margin.json");

        broker.getBalance();
        broker.getBalance();

        assertThat(tradier.sleeper.waits).isEmpty();
    }

    @Test
    void orderPostThatTimesOutIsATimeoutAndIsReconciledByTag() {
        TradierBroker broker = tradier.broker(tradier.tuning().withTimeout(Duration.ofMillis(300)));
        tradier.enqueue(new MockResponse.Builder(fixture("order_place_ok.json"))
                .headersDelay(3, TimeUnit.SECONDS).build());
        tradier.enqueue(TradierFixtures.json(200, "{\"orders\":{\"order\":[{\"id\":1,\"status\":\"filled\","
                + "\"tag\":\"other\"},{\"id\":257459,\"status\":\"open\",\"tag\":\"" + BUY_AAPL.tag() + "\"}]}}"));

        assertThatThrownBy(() -> broker.placeOrder(BUY_AAPL)).isInstanceOf(BrokerTimeoutException.class);
        assertThat(broker.findOrderByTag(BUY_AAPL.tag())).map(OrderStatusReport::orderId).contains("257459");
        assertThat(tradier.requestCount()).isEqualTo(2);
    }
}
