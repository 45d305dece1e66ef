package io.papertrading.query.admin;

import io.papertrading.kernel.error.OperationConflictException;
import io.papertrading.kernel.error.UnknownResourceException;
import io.papertrading.query.analytics.AnalyticsProjection;
import io.papertrading.query.trade.TradeProjection;
import org.axonframework.eventhandling.tokenstore.TokenStore;
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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Operators' view of the projections (the query side's streaming event processors): how far each has read, how
 * far behind the event store it is, and a replay that rebuilds its tables from the first event. Admin role only.
 * A projection with a bulk rebuild ({@link ProjectionRebuilds}) is rebuilt beside its live tables, which keep
 * answering until the rebuilt ones are switched in; any other is replayed by resetting its processor.
 */
@RestController
@RequestMapping("/api/admin/projections")
class ProjectionAdminController {

    /**
     * The projections: processors whose handlers only build tables that a reset empties. Sagas and the price
     * monitor's tracker act on events (orders, closes), so replaying them would act again.
     */
    static final Set<String> REPLAYABLE = Set.of(TradeProjection.PROCESSING_GROUP, AnalyticsProjection.PROCESSING_GROUP);

    private final EventProcessingConfiguration processing;
    private final EventStore eventStore;
    private final TokenStore tokenStore;
    private final ProjectionRebuilds rebuilds;
    private final StoredPositions stored;
    private final Set<String> replaysInFlight = ConcurrentHashMap.newKeySet();

    ProjectionAdminController(EventProcessingConfiguration processing, EventStore eventStore, TokenStore tokenStore,
                              ProjectionRebuilds rebuilds, StoredPositions stored) {
        this.processing = processing;
        this.eventStore = eventStore;
        this.tokenStore = tokenStore;
        this.rebuilds = rebuilds;
        this.stored = stored;
    }

    /**
     * {@code progress} is 0..1 while replaying, 1 otherwise. While a bulk rebuild runs, {@code position} is where its
     * load has read up to (the live tables meanwhile stay current).
     */
    record ProjectionView(String name, long position, long head, long lag, boolean replaying, double progress,
                          boolean running) {
    }

    @GetMapping
    List<ProjectionView> list() {
        long head = ProcessorProgress.head(eventStore);
        return projections().entrySet().stream()
                .map(e -> view(e.getKey(), e.getValue(), head))
                .sorted(Comparator.comparing(ProjectionView::name))
                .toList();
    }

    /**
     * Replays a projection from the first event: in bulk beside its live tables, which keep answering until the
     * rebuilt ones are switched in ({@link ProjectionRebuilds}); or, for a projection without a bulk rebuild, by
     * stopping it, resetting its tokens (its reset handler empties its tables) and starting it again. Whatever
     * happens, the processor is left running; a processor that is not a projection, or one already replaying, or
     * one whose segments another node holds, answers 409 and nothing is stopped.
     */
    @PostMapping("/{name}/replay")
    ResponseEntity<ProjectionView> replay(@PathVariable String name) {
        StreamingEventProcessor processor = projections().get(name);
        if (processor == null) {
            if (processing.eventProcessor(name).isPresent()) {
                throw new OperationConflictException(name + " is not a projection and cannot be replayed: it acts on "
                        + "events (places orders, watches prices) and would act on them again");
            }
            throw new UnknownResourceException("projection " + name);
        }
        if (!replaysInFlight.add(name)) {
            throw new OperationConflictException("a replay of " + name + " is being started");
        }
        try {
            if (processor.isReplaying() || rebuilds.progress(name) != null) {
                throw new OperationConflictException(name + " is already replaying");
            }
            int local = processor.processingStatus().size();
            int total = segmentCount(name);
            if (local < total) {
                throw new OperationConflictException("another node processes " + (total - local) + " of " + total
                        + " segments of " + name + "; replay where it runs alone, or stop it on the other nodes");
            }
            if (!rebuilds.supports(name)) {
                reset(processor);
            } else if (!rebuilds.start(name, processor)) {
                throw new OperationConflictException(name + " is already replaying");
            }
        } finally {
            replaysInFlight.remove(name);
        }
        return ResponseEntity.accepted().body(view(name, processor, ProcessorProgress.head(eventStore)));
    }

    private static void reset(StreamingEventProcessor processor) {
        processor.shutdownAsync().join();
        try {
            processor.resetTokens();
        } catch (RuntimeException e) {
            // e.g. another node claimed a segment between our check and the reset: nothing was reset
            throw new OperationConflictException("the replay could not claim every segment; nothing was reset");
        } finally {
            processor.start();
        }
    }

    private int segmentCount(String name) {
        return tokenStore.fetchSegments(name).length;
    }

    private Map<String, StreamingEventProcessor> projections() {
        return processing.eventProcessors().entrySet().stream()
                .filter(e -> REPLAYABLE.contains(e.getKey()) && e.getValue() instanceof StreamingEventProcessor)
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> (StreamingEventProcessor) e.getValue()));
    }

    private ProjectionView view(String name, StreamingEventProcessor processor, long head) {
        ProjectionRebuilds.Progress rebuild = rebuilds.progress(name);
        if (rebuild != null) {
            long position = rebuild.position();
            return new ProjectionView(name, position, head, Math.max(0, head - position), true, rebuild.fraction(),
                    processor.isRunning());
        }
        Collection<EventTrackerStatus> statuses = processor.processingStatus().values();
        // the slowest segment is the projection's position: everything before it is processed; a node claiming
        // none of the segments reads where the nodes that claim them have got
        long position = ProcessorProgress.slowestSegment(processor).orElseGet(() -> stored.slowest(name).orElse(0));
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
