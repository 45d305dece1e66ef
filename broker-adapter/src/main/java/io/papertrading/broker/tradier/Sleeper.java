package io.papertrading.broker.tradier;

import io.papertrading.broker.BrokerException;

import java.time.Duration;

/** Waits for a while; injectable so tests observe waits instead of sitting through them. */
@FunctionalInterface
public interface Sleeper {

    void sleep(Duration duration);

    /** Sleeps the calling thread; an interrupt ends the wait and surfaces as a {@link BrokerException}. */
    Sleeper SYSTEM = duration -> {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerException("interrupted while waiting for the broker's rate-limit window");
        }
    };
}
