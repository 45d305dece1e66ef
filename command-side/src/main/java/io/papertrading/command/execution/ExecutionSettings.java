package io.papertrading.command.execution;

import java.time.Duration;
import java.util.Objects;

/**
 * The execution saga's and the account poller's pacing.
 *
 * @param firstPoll              first delay of a deferred reconciliation or placement, and of the poller's
 *                               back-off after a failed list
 * @param backoffFactor          each reconciliation without news waits this much longer than the previous one
 * @param maxUnconfirmedPoll     ceiling of that delay while the broker has not acknowledged the order yet
 * @param maxWorkingPoll         ceiling of that delay once it has
 * @param maxBrokerBackoff       ceiling of the retry delay after rate-limit / unavailable answers
 * @param confirmationTimeout    an order the broker has not acknowledged by then is canceled (TIMEOUT)
 * @param snapshotTick           the account poller's round, and how old a per-account list-orders snapshot for
 *                               reconciliation may be
 * @param maxListRequestsPerMinute cap of list-orders requests per account and minute, whatever the tick (for
 *                               brokers with a request budget)
 */
public record ExecutionSettings(Duration firstPoll, double backoffFactor, Duration maxUnconfirmedPoll,
                                Duration maxWorkingPoll, Duration maxBrokerBackoff, Duration confirmationTimeout,
                                Duration snapshotTick, int maxListRequestsPerMinute) {

    /**
     * How far back an account's order list is trusted to show an order (Tradier lists the current session, the
     * simulated exchange a day): a placement older than this is reconciled by a lookup in the broker's history.
     */
    public static final Duration LIST_TRUSTED_FOR = Duration.ofHours(1);

    public ExecutionSettings {
        Objects.requireNonNull(firstPoll, "firstPoll");
        Objects.requireNonNull(maxUnconfirmedPoll, "maxUnconfirmedPoll");
        Objects.requireNonNull(maxWorkingPoll, "maxWorkingPoll");
        Objects.requireNonNull(maxBrokerBackoff, "maxBrokerBackoff");
        Objects.requireNonNull(confirmationTimeout, "confirmationTimeout");
        Objects.requireNonNull(snapshotTick, "snapshotTick");
        if (backoffFactor < 1.0) {
            throw new IllegalArgumentException("backoffFactor must be at least 1");
        }
        if (maxListRequestsPerMinute < 1) {
            throw new IllegalArgumentException("maxListRequestsPerMinute must be at least 1");
        }
    }

    /** 1 s first poll, ×1.5 up to 5 s unconfirmed / 30 s working, 60 s to confirm, 1 s ticks, 50 lists a minute. */
    public static ExecutionSettings defaults() {
        return new ExecutionSettings(Duration.ofSeconds(1), 1.5, Duration.ofSeconds(5), Duration.ofSeconds(30),
                Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(1), 50);
    }

    /** The next delay after broker trouble: the first poll delay, then doubling up to {@link #maxBrokerBackoff}. */
    public long nextBackoffMillis(long previousMillis) {
        return Math.min(previousMillis <= 0 ? firstPoll.toMillis() : previousMillis * 2, maxBrokerBackoff.toMillis());
    }

    /** The shortest gap between two list-orders requests of one account: the tick, or the per-minute cap. */
    public Duration minListInterval() {
        Duration cap = Duration.ofMillis((60_000L + maxListRequestsPerMinute - 1) / maxListRequestsPerMinute);
        return cap.compareTo(snapshotTick) > 0 ? cap : snapshotTick;
    }
}
