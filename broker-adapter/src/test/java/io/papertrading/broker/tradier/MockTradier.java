package io.papertrading.broker.tradier;

import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;

/**
 * A MockWebServer standing in for Tradier, and the broker pointed at it with test tuning: millisecond retry
 * back-off, a fixed clock and a sleeper that records instead of sleeping.
 */
final class MockTradier implements AutoCloseable {

    static final String TOKEN = "SECRET-token-8A09vGkjQ2xZ";
    static final String ACCOUNT = "VA000001";
    static final Instant NOW = Instant.parse("2024-03-01T15:00:00Z");

    final MockWebServer server = new MockWebServer();
    final RecordingSleeper sleeper = new RecordingSleeper();
    final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

    MockTradier() {
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String baseUrl() {
        return server.url("/v1").toString();
    }

    TradierTuning tuning() {
        return TradierTuning.defaults()
                .withRetries(new TradierTuning.Retries(2, Duration.ofMillis(1)))
                .withTimeout(Duration.ofSeconds(5))
                .withConfirmDelay(Duration.ofMillis(250))
                .withClock(clock)
                .withSleeper(sleeper);
    }

    TradierBroker broker() {
        return broker(tuning());
    }

    TradierBroker broker(TradierTuning tuning) {
        return new TradierBroker(new TradierConfig(baseUrl(), ACCOUNT, TOKEN, tuning));
    }

    void enqueue(MockResponse... responses) {
        for (MockResponse r : responses) {
            server.enqueue(r);
        }
    }

    void enqueueFixture(String... names) {
        for (String name : names) {
            server.enqueue(TradierFixtures.fixture(name));
        }
    }

    RecordedRequest take() {
        try {
            RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
            if (request == null) {
                throw new AssertionError("no request reached the mock");
            }
            return request;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    int requestCount() {
        return server.getRequestCount();
    }

    @Override
    public void close() {
        server.close();
    }
}
