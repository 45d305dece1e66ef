package io.papertrading.broker.simulated;

import io.papertrading.kernel.money.Money;

import java.time.Duration;
import java.util.Objects;

/**
 * How a simulated account trades: how long an order waits before it can fill, when the market fills, and the
 * starting cash. {@link #defaults()}: 500 ms latency, open around the clock, $100,000.
 */
public record SimulationSettings(Duration fillLatency, MarketHours marketHours, Money startingCash) {

    public SimulationSettings {
        Objects.requireNonNull(fillLatency, "fillLatency");
        Objects.requireNonNull(marketHours, "marketHours");
        Objects.requireNonNull(startingCash, "startingCash");
        if (fillLatency.isNegative()) {
            throw new IllegalArgumentException("fillLatency must not be negative");
        }
    }

    public static SimulationSettings defaults() {
        return new SimulationSettings(Duration.ofMillis(500), MarketHours.ALWAYS_OPEN, Money.of("100000"));
    }

    public SimulationSettings withFillLatency(Duration value) {
        return new SimulationSettings(value, marketHours, startingCash);
    }

    public SimulationSettings withMarketHours(MarketHours value) {
        return new SimulationSettings(fillLatency, value, startingCash);
    }

    public SimulationSettings withStartingCash(Money value) {
        return new SimulationSettings(fillLatency, marketHours, value);
    }
}
