package io.papertrading.command.monitor;

import java.time.Duration;
import java.util.Objects;

/**
 * The price monitor's pacing.
 *
 * @param interval                  time between two ticks (each tick quotes every monitored trade once)
 * @param maxSymbolsPerRequest      symbols per quotes request; an account with more is asked in chunks
 * @param maxRequestsPerMinute      quotes requests per broker account and minute, whatever the interval
 *                                  (Tradier allows 60/min for market data in the sandbox, 120 live: 50 leaves
 *                                  room for the user's own market-data requests)
 * @param ocoGrace                  for an account whose broker holds the brackets as a native OCO order, how
 *                                  long a bracket must stay crossed before the monitor steps in as a safety net
 */
public record MonitorSettings(Duration interval, int maxSymbolsPerRequest, int maxRequestsPerMinute,
                              Duration ocoGrace) {

    public MonitorSettings {
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(ocoGrace, "ocoGrace");
        if (maxSymbolsPerRequest < 1 || maxRequestsPerMinute < 1) {
            throw new IllegalArgumentException("maxSymbolsPerRequest and maxRequestsPerMinute must be positive");
        }
    }

    /** 15 s ticks, 100 symbols a request, 50 requests a minute per account, 60 s OCO grace. */
    public static MonitorSettings defaults() {
        return new MonitorSettings(Duration.ofSeconds(15), 100, 50, Duration.ofSeconds(60));
    }
}
