package io.papertrading.query.admin;

import io.papertrading.kernel.error.UnknownResourceException;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.EventTrackerStatus;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Operators' view of the projections (streaming event processors): how far each has read, how far behind the
 * event store it is, and a replay that rebuilds its tables from the first event. Admin role only.
 */
@RestController
@RequestMapping("/api/admin/projections")
class ProjectionAdminController {

    private final EventProcessingConfiguration processing;
    private final EventStore eventStore;

    ProjectionAdminController(EventProcessingConfiguration processing, EventStore eventStore) {
        this.processing = processing;
        this.eventStore = eventStore;
    }

    /** {@code progress} is 0..1 while replaying, 1 otherwise. */
    record ProjectionView(String name, long position, long head, long lag, boolean replaying, double progress,
                          boolean running) {
    }

    @GetMapping
    List<ProjectionView> list() {
        long head = ProcessorProgress.head(eventStore);
        return processors().entrySet().stream()
                .map(e -> view(e.getKey(), e.getValue(), head))
                .sorted(Comparator.comparing(ProjectionView::name))
                .toList();
    }

    /**
     * Replays a projection: stops it, resets its tokens (its reset handler empties its tables) and starts it
     * again from the first event. The rest of the API keeps answering meanwhile.
     */
    @PostMapping("/{name}/replay")
    ResponseEntity<ProjectionView> replay(@PathVariable String name) {
        StreamingEventProcessor processor = processors().get(name);
        if (processor == null) {
            throw new UnknownResourceException("projection " + name);
        }
        synchronized (processor) {
            processor.shutdownAsync().join();
            processor.resetTokens();
            processor.start();
        }
        return ResponseEntity.accepted().body(view(name, processor, ProcessorProgress.head(eventStore)));
    }

    private Map<String, StreamingEventProcessor> processors() {
        return processing.eventProcessors().entrySet().stream()
                .filter(e -> e.getValue() instanceof StreamingEventProcessor)
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> (StreamingEventProcessor) e.getValue()));
    }

    private static ProjectionView view(String name, StreamingEventProcessor processor, long head) {
        Collection<EventTrackerStatus> statuses = processor.processingStatus().values();
        // the slowest segment is the projection's position: everything before it is processed
        long position = ProcessorProgress.slowestSegment(processor).orElse(0);
        boolean replaying = processor.isReplaying();
        double progress = 1.0;
        if (replaying) {
            long resetAt = statuses.stream().map(EventTrackerStatus::getResetPosition)
                    .filter(OptionalLong::isPresent).mapToLong(OptionalLong::getAsLong).max().orElse(head);
            progress = resetAt <= 0 ? 0.0 : Math.min(1.0, (double) position / resetAt);
        }
        return new ProjectionView(name, position, head, Math.max(0, head - position), replaying, progress,
                processor.isRunning());
    }

}
