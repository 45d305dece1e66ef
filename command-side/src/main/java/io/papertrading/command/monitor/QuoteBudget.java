package io.papertrading.command.monitor;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * At most {@code perMinute} quotes requests per broker account in any sliding minute. Time comes from the
 * injected clock; a request that would exceed the budget is not made (the account waits for a later tick).
 */
final class QuoteBudget {

    private static final Duration WINDOW = Duration.ofMinutes(1);

    private final Clock clock;
    private final int perMinute;
    private final Map<String, Deque<Instant>> sent = new HashMap<>();

    QuoteBudget(Clock clock, int perMinute) {
        this.clock = clock;
        this.perMinute = perMinute;
    }

    /** Takes one request from the account's budget; false when the last minute already used it up. */
    synchronized boolean tryAcquire(String accountKey) {
        Instant now = clock.instant();
        Deque<Instant> times = sent.computeIfAbsent(accountKey, k -> new ArrayDeque<>());
        while (!times.isEmpty() && !times.peekFirst().plus(WINDOW).isAfter(now)) {
            times.pollFirst();
        }
        if (times.size() >= perMinute) {
            return false;
        }
        times.addLast(now);
        return true;
    }
}
