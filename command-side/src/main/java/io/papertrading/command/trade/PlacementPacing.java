package io.papertrading.command.trade;

import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.EventTrackerStatus;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.locks.LockSupport;

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

    PlacementPacing(EventProcessingConfiguration processing,
                    @Value("${paper.execution.max-backlog:250}") long maxBacklog,
                    @Value("${paper.execution.backlog-wait:2s}") Duration maxWait) {
        this.processing = processing;
        this.maxBacklog = maxBacklog;
        this.maxWaitNanos = maxWait.toNanos();
    }

    /** Returns once the saga is within its backlog, or the longest wait has passed. */
    void awaitRoom() {
        if (maxBacklog <= 0 || backlog() <= maxBacklog) {
            return;
        }
        long until = System.nanoTime() + maxWaitNanos; // a pause, not business time: the monotonic clock
        while (backlog() > maxBacklog && System.nanoTime() - until < 0) {
            LockSupport.parkNanos(PAUSE_NANOS);
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
