package io.papertrading.query.admin;

import org.axonframework.eventhandling.EventTrackerStatus;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventsourcing.eventstore.EventStore;

import java.util.OptionalLong;

/** How far the event store and a streaming processor have got: what the admin listing and health report. */
public final class ProcessorProgress {

    private ProcessorProgress() {
    }

    /** The position of the newest event in the store (0 when empty). */
    public static long head(EventStore events) {
        return position(events.createHeadToken());
    }

    /**
     * The slowest of the segments this node has claimed: everything before it is processed. Empty when this node
     * claims none.
     */
    public static OptionalLong slowestSegment(StreamingEventProcessor processor) {
        return processor.processingStatus().values().stream().map(EventTrackerStatus::getCurrentPosition)
                .filter(OptionalLong::isPresent).mapToLong(OptionalLong::getAsLong).min();
    }

    static long position(TrackingToken token) {
        return token == null ? 0 : token.position().orElse(0);
    }
}
