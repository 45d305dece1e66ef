package io.papertrading.query.trade;

import org.springframework.stereotype.Component;

import java.util.concurrent.TimeUnit;

/**
 * Wakes readers waiting for a trade to reach a version ({@code ?minVersion=N}) as soon as this node's
 * projection commits, instead of letting them sleep out a whole polling interval. Writes projected on another
 * node are not signalled; waiters still re-read at a short interval, so they are found a little later.
 */
@Component
class TradeChangeSignal {

    private final Object monitor = new Object();
    private long generation;

    /** The current generation: pass it to {@link #awaitChangeAfter} to wait for anything committed after now. */
    long generation() {
        synchronized (monitor) {
            return generation;
        }
    }

    /** Called after the projection committed a change. */
    void changed() {
        synchronized (monitor) {
            generation++;
            monitor.notifyAll();
        }
    }

    /** Waits until a change after {@code seen} is signalled or {@code maxWaitNanos} pass; returns whether one was. */
    boolean awaitChangeAfter(long seen, long maxWaitNanos) throws InterruptedException {
        long deadline = System.nanoTime() + maxWaitNanos;
        synchronized (monitor) {
            while (generation == seen) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(monitor, remaining);
            }
            return true;
        }
    }
}
