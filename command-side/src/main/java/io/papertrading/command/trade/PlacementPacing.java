package io.papertrading.command.trade;

import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.EventTrackerStatus;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * Keeps placements from outrunning execution. On two cores, sixteen clients placing as fast as they can take the
 * CPU from the one thread that works the execution saga: trades were accepted and at the exchange at once, but
 * reached OPEN many seconds later. So a placement waits (at most {@code paper.execution.backlog-wait}) while the
 * saga on this node is more than {@code paper.execution.max-backlog} events behind the front of the node's event
 * processors; it then goes ahead anyway: a placement is slowed, never refused, by a backlog.
 *
 * <p>Read from the processors' state in memory: no query. A node that does not run the saga never waits.
 */
@Component
class PlacementPacing {

    static final String SAGA_PROCESSOR = "TradeExecutionSagaProcessor";
    private static final long PAUSE_NANOS = Duration.ofMillis(5).toNanos();

    private final EventProcessingConfiguration processing;
    private final long maxBacklog;
    private final long maxWaitNanos;
    private final Object gate = new Object();
    /** Guarded by {@link #gate}: whether a waiting placement is looking, and how often it found room. */
    private boolean looking;
    private long opened;

    PlacementPacing(EventProcessingConfiguration processing,
                    @Value("${paper.execution.max-backlog:250}") long maxBacklog,
                    @Value("${paper.execution.backlog-wait:2s}") Duration maxWait) {
        this.processing = processing;
        this.maxBacklog = maxBacklog;
        this.maxWaitNanos = maxWait.toNanos();
    }

    /**
     * Returns once the saga is within its backlog, or the longest wait has passed. One waiting placement looks at
     * the backlog every few milliseconds and lets every waiting placement go at once when it is within bounds; the
     * others sleep meanwhile, so hundreds of waiting requests cost no more than one.
     */
    void awaitRoom() {
        if (maxBacklog <= 0 || backlog() <= maxBacklog) {
            return;
        }
        long until = System.nanoTime() + maxWaitNanos; // a pause, not business time: the monotonic clock
        try {
            synchronized (gate) {
                long generation = opened;
                while (opened == generation) {
                    long left = until - System.nanoTime();
                    if (left <= 0) {
                        return;
                    }
                    if (!looking) {
                        lookUntilRoom(until);
                        return;
                    }
                    TimeUnit.NANOSECONDS.timedWait(gate, left);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The waiting placement that looks: until there is room (all go) or its own time is up (another looks on). */
    private void lookUntilRoom(long until) throws InterruptedException {
        looking = true;
        try {
            while (backlog() > maxBacklog) {
                long left = until - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                TimeUnit.NANOSECONDS.timedWait(gate, Math.min(left, PAUSE_NANOS));
            }
            opened++;
        } finally {
            looking = false;
            gate.notifyAll(); // all go when there is room; otherwise one of them looks on
        }
    }

    /** Events the saga on this node still has to look at, as far as this node's processors have read. */
    long backlog() {
        OptionalLong saga = processing.eventProcessor(SAGA_PROCESSOR, StreamingEventProcessor.class)
                .map(p -> position(p, true)).orElse(OptionalLong.empty());
        if (saga.isEmpty()) {
            return 0;
        }
        long front = saga.getAsLong();
        for (var processor : processing.eventProcessors().values()) {
            if (processor instanceof StreamingEventProcessor streaming) {
                OptionalLong p = position(streaming, false);
                if (p.isPresent()) {
                    front = Math.max(front, p.getAsLong());
                }
            }
        }
        return front - saga.getAsLong();
    }

    /** The slowest (or the furthest) position of the processor's segments claimed here. */
    private static OptionalLong position(StreamingEventProcessor processor, boolean slowest) {
        var positions = processor.processingStatus().values().stream().map(EventTrackerStatus::getCurrentPosition)
                .filter(OptionalLong::isPresent).mapToLong(OptionalLong::getAsLong);
        return slowest ? positions.min() : positions.max();
    }
}
