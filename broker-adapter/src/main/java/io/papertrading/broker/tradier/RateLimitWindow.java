package io.papertrading.broker.tradier;

import io.papertrading.broker.BrokerRateLimitException;

import java.time.Clock;
import java.time.Duration;

/**
 * Tradier's own view of a limit group's window, from the {@code X-Ratelimit-*} headers: when only a few requests
 * remain, further calls wait for the window to expire instead of burning the last ones and getting 429s.
 */
final class RateLimitWindow {

    // The documented window is one minute; a longer wait means skewed clocks or a bad header, not a real window.
    private static final Duration LONGEST_WAIT = Duration.ofSeconds(61);
    private static final long SECONDS_BELOW = 100_000_000_000L;

    private final int reserve;
    private final Duration maxWait;
    private final Clock clock;
    private final Sleeper sleeper;
    private volatile long blockedUntilMillis;

    RateLimitWindow(int reserve, Duration maxWait, Clock clock, Sleeper sleeper) {
        this.reserve = reserve;
        this.maxWait = maxWait;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    /**
     * Waits out the broker's window when the last response said it was nearly used up; a window that stays closed
     * longer than the wait bound is refused at once as a rate limit, for the caller to come back later.
     */
    void awaitOpen() {
        long wait = Math.min(blockedUntilMillis - clock.millis(), LONGEST_WAIT.toMillis());
        if (wait <= 0) {
            return;
        }
        if (wait > maxWait.toMillis()) {
            throw new BrokerRateLimitException("Tradier's rate-limit window reopens in " + (wait + 999) / 1000
                    + " s; try again then");
        }
        sleeper.sleep(Duration.ofMillis(wait));
    }

    /** Records the headers of a response; absent or malformed headers change nothing. */
    void observe(String available, String expiry) {
        if (available == null || expiry == null) {
            return;
        }
        try {
            long remaining = Long.parseLong(available.trim());
            long expiresAt = epochMillis(Long.parseLong(expiry.trim()));
            if (remaining <= reserve) {
                blockedUntilMillis = Math.max(blockedUntilMillis, expiresAt);
            }
        } catch (NumberFormatException ignored) {
            // A header we cannot read gives us no information; our own limiter still applies.
        }
    }

    /** Tradier documents milliseconds, but some clients and bodies use seconds. */
    static long epochMillis(long value) {
        return value < SECONDS_BELOW ? value * 1000 : value;
    }
}
