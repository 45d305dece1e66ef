package io.papertrading.broker.tradier;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Operator settings for Tradier clients, shared by every user's broker: rate limits, timeouts, retries, circuit
 * breaker, and the clock and sleeper (injectable for tests). {@link #defaults()} follows the design: 50 requests a
 * minute per limit group, 30 s timeouts, 2 retries from 1 s.
 */
public record TradierTuning(RateLimits rateLimits, Duration timeout, Retries retries, Breaker breaker,
                            Duration confirmDelay, Clock clock, Sleeper sleeper) {

    /**
     * Our own limiter per Tradier limit group (standard, market data, trading), refreshed every
     * {@code refreshPeriod}; a call waits at most {@code maxWait} for a permit. When the headers say
     * {@code headerReserve} or fewer requests remain, calls wait until the broker's window expires.
     */
    public record RateLimits(int standardPerPeriod, int marketDataPerPeriod, int tradingPerPeriod,
                             Duration refreshPeriod, Duration maxWait, int headerReserve) {

        public RateLimits {
            if (standardPerPeriod < 1 || marketDataPerPeriod < 1 || tradingPerPeriod < 1) {
                throw new IllegalArgumentException("rate limits must allow at least one request per period");
            }
            Objects.requireNonNull(refreshPeriod, "refreshPeriod");
            Objects.requireNonNull(maxWait, "maxWait");
        }

        /** The same limit for all three groups, per minute, waiting up to a minute for a permit. */
        public static RateLimits perMinute(int limit) {
            return new RateLimits(limit, limit, limit, Duration.ofMinutes(1), Duration.ofMinutes(1), 5);
        }
    }

    /** Retries of GET and DELETE on 429/500/502/503: {@code maxRetries} more attempts, backing off from {@code baseDelay}, doubling. */
    public record Retries(int maxRetries, Duration baseDelay) {
        public Retries {
            if (maxRetries < 0) {
                throw new IllegalArgumentException("maxRetries must be >= 0");
            }
            Objects.requireNonNull(baseDelay, "baseDelay");
        }
    }

    /**
     * The circuit opens when {@code failureRatePercent} of the last {@code windowSize} calls (once at least
     * {@code minimumCalls} were made) failed for unavailability or timeout; it stays open for {@code openFor}.
     */
    public record Breaker(int windowSize, int minimumCalls, float failureRatePercent, Duration openFor) {
        public Breaker {
            Objects.requireNonNull(openFor, "openFor");
        }
    }

    static final int DEFAULT_MAX_WAIT_SECONDS = 2;

    public TradierTuning {
        Objects.requireNonNull(rateLimits, "rateLimits");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(retries, "retries");
        Objects.requireNonNull(breaker, "breaker");
        Objects.requireNonNull(confirmDelay, "confirmDelay");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(sleeper, "sleeper");
    }

    /**
     * 50 requests a minute per group, waiting at most {@value #DEFAULT_MAX_WAIT_SECONDS} s for a permit or for
     * Tradier's window (a longer wait is a {@link io.papertrading.broker.BrokerRateLimitException}: the caller, often
     * an event handler, retries later instead of holding its thread and transaction for up to a minute); 30 s timeout.
     */
    public static TradierTuning defaults() {
        return new TradierTuning(new RateLimits(50, 50, 50, Duration.ofMinutes(1),
                Duration.ofSeconds(DEFAULT_MAX_WAIT_SECONDS), 5), Duration.ofSeconds(30),
                new Retries(2, Duration.ofSeconds(1)), new Breaker(10, 5, 50f, Duration.ofSeconds(30)),
                Duration.ofSeconds(1), Clock.systemUTC(), Sleeper.SYSTEM);
    }

    public TradierTuning withRateLimits(RateLimits value) {
        return new TradierTuning(value, timeout, retries, breaker, confirmDelay, clock, sleeper);
    }

    public TradierTuning withTimeout(Duration value) {
        return new TradierTuning(rateLimits, value, retries, breaker, confirmDelay, clock, sleeper);
    }

    public TradierTuning withRetries(Retries value) {
        return new TradierTuning(rateLimits, timeout, value, breaker, confirmDelay, clock, sleeper);
    }

    public TradierTuning withBreaker(Breaker value) {
        return new TradierTuning(rateLimits, timeout, retries, value, confirmDelay, clock, sleeper);
    }

    /** How long {@code placeOrderAndConfirm} waits before reading the order back. */
    public TradierTuning withConfirmDelay(Duration value) {
        return new TradierTuning(rateLimits, timeout, retries, breaker, value, clock, sleeper);
    }

    public TradierTuning withClock(Clock value) {
        return new TradierTuning(rateLimits, timeout, retries, breaker, confirmDelay, value, sleeper);
    }

    public TradierTuning withSleeper(Sleeper value) {
        return new TradierTuning(rateLimits, timeout, retries, breaker, confirmDelay, clock, value);
    }
}
