package io.papertrading.query.admin;

import io.papertrading.query.support.EventStoreReader;
import io.papertrading.query.support.ProjectionRebuild;
import jakarta.annotation.PreDestroy;
import org.axonframework.eventhandling.GapAwareTrackingToken;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventhandling.tokenstore.TokenStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.dao.CannotAcquireLockException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Runs bulk rebuilds ({@link ProjectionRebuild}) of projections for the admin API's replay, one thread each:
 * <ol>
 *   <li>the event store read up to its head H (one consistent read) and loaded into shadow tables, while the
 *   projection's processor keeps the live tables current and request handling reads them;</li>
 *   <li>what came after H (and what filled the gaps below it) folded in, the processor still running;</li>
 *   <li>the processor stopped, and in one transaction: its segments claimed, the last events folded in, the shadow
 *   tables switched in and every segment's token set to where the rebuild got (with the gaps still open);</li>
 *   <li>the processor started again from there.</li>
 * </ol>
 * Whatever fails, the live tables stay as they were (the switch commits with the tokens or not at all), the
 * processor is started again, and the shadow tables are emptied. The listing shows a rebuild as replaying with its
 * progress ({@link Progress}) until it ends.
 */
@Component
public class ProjectionRebuilds {

    private static final Logger log = LoggerFactory.getLogger(ProjectionRebuilds.class);
    /** Attempts at the switch when request handling's reads hold the live tables past the lock timeout. */
    private static final int SWITCH_ATTEMPTS = 5;
    /** Events read and folded at once in a catch-up. */
    private static final int CATCH_UP_PAGE = 10_000;

    /** Where a rebuild is; a stage listener (tests) sees each as it is reached, on the rebuild's thread. */
    public enum Stage {
        /** The shadow tables are empty and the bulk load begins. */
        STARTED,
        /** The bulk load is written; nothing after the head at the start is folded yet. */
        LOADED,
        /** In the switch's transaction, the processor stopped, just before the shadows are switched in. */
        SWITCHING,
        /** In the switch's transaction, the shadows switched in, just before the tokens are set and it commits. */
        SWITCHED
    }

    /** A rebuild's progress: the position its load has read up to, out of the head it started with. */
    static final class Progress {
        private final long target;
        private volatile long position;

        Progress(long target) {
            this.target = target;
        }

        long position() {
            return position;
        }

        /** 0..1: how far the load has read towards the head it started with. */
        double fraction() {
            return target <= 0 ? 1.0 : Math.min(1.0, (double) position / target);
        }
    }

    private final Map<String, ProjectionRebuild> rebuilds;
    private final EventStoreReader reader;
    private final TokenStore tokenStore;
    private final TransactionTemplate tx;
    private final Map<String, Progress> running = new ConcurrentHashMap<>();
    private final Map<String, Thread> threads = new ConcurrentHashMap<>();
    private volatile Consumer<Stage> stageListener = stage -> { };
    private volatile boolean stopping;

    /** {@code transactionManager} is the engine's (the token store's and the projections' connections). */
    ProjectionRebuilds(List<ProjectionRebuild> rebuilds, EventStoreReader reader, TokenStore tokenStore,
                       PlatformTransactionManager transactionManager) {
        this.rebuilds = rebuilds.stream().collect(Collectors.toMap(ProjectionRebuild::processingGroup, Function.identity()));
        this.reader = reader;
        this.tokenStore = tokenStore;
        this.tx = new TransactionTemplate(transactionManager);
    }

    /** Whether the projection is rebuilt in bulk (else a replay resets its processor). */
    boolean supports(String name) {
        return rebuilds.containsKey(name);
    }

    /** The running rebuild's progress, or null. */
    Progress progress(String name) {
        return running.get(name);
    }

    /**
     * For tests and diagnostics: called with each {@link Stage} a rebuild reaches, on its thread; a listener that
     * throws fails the rebuild there (a listener that blocks holds it there).
     */
    public void onStage(Consumer<Stage> listener) {
        this.stageListener = listener == null ? stage -> { } : listener;
    }

    /**
     * Starts a rebuild of {@code name} on a thread of its own; it shows as running from this call on. The caller
     * has checked that {@code processor} is a projection that runs here alone and is not replaying; false if a
     * rebuild of it is already running.
     */
    boolean start(String name, StreamingEventProcessor processor) {
        ProjectionRebuild rebuild = rebuilds.get(name);
        Progress progress = new Progress(Long.MAX_VALUE);
        if (stopping || running.putIfAbsent(name, progress) != null) {
            return false;
        }
        Thread thread = new Thread(() -> {
            try {
                run(rebuild, processor, name);
            } finally {
                running.remove(name);
                threads.remove(name);
            }
        }, "rebuild-" + name);
        thread.setDaemon(true);
        threads.put(name, thread);
        thread.start();
        return true;
    }

    private void run(ProjectionRebuild rebuild, StreamingEventProcessor processor, String name) {
        long started = System.nanoTime();
        try (ProjectionRebuild.Load load = rebuild.begin()) {
            stageListener.accept(Stage.STARTED);
            long head;
            TreeSet<Long> missing;
            try (EventStoreReader.BulkRead read = reader.bulkRead(rebuild.payloadType())) {
                head = read.head();
                missing = read.missing();
                Progress progress = new Progress(head);
                running.put(name, progress);
                read.forEach(event -> {
                    load.bulk(event);
                    progress.position = event.globalIndex();
                    if (stopping) {
                        throw new IllegalStateException("the application is stopping");
                    }
                });
                progress.position = head;
            }
            log.info("replay of {}: read the store up to event {} in {} ms", name, head,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            for (long position : load.loaded()) {
                missing.add(position);
            }
            stageListener.accept(Stage.LOADED);
            // what came during the load, while the processor still keeps the live tables current, a page at a time
            EventStoreReader.Tail tail = new EventStoreReader.Tail(List.of(), head, missing, true);
            while (tail.more()) {
                EventStoreReader.Tail from = tail;
                tail = tx.execute(status -> catchUp(load, rebuild, from));
            }
            long position = switchIn(load, rebuild, processor, name, tail);
            log.info("replayed {} in bulk up to event {} in {} ms", name, position,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        } catch (Exception e) {
            // the live tables and the processor's tokens are as they were. Only the failure's kind is logged: a
            // database error's message may quote SQL or row values, and no stack trace goes to the log
            log.error("the bulk replay of {} failed ({}, caused by {}); the projection keeps its tables and runs on",
                    name, e.getClass().getSimpleName(),
                    NestedExceptionUtils.getMostSpecificCause(e).getClass().getSimpleName());
        }
    }

    /**
     * Stops the processor, and in one transaction claims its segments, folds in the last events, switches the
     * shadows in and sets every segment's token where the rebuild got; starts the processor again whatever
     * happens. Returns the position reached.
     */
    private long switchIn(ProjectionRebuild.Load load, ProjectionRebuild rebuild, StreamingEventProcessor processor,
                          String name, EventStoreReader.Tail caughtUp) throws Exception {
        try {
            processor.shutdownAsync().get(60, TimeUnit.SECONDS);
            for (int attempt = 1; ; attempt++) {
                try {
                    return tx.execute(status -> {
                        int[] segments = tokenStore.fetchSegments(name);
                        for (int segment : segments) {
                            // claims the segment for this node: another node's claim fails the switch here
                            tokenStore.fetchToken(name, segment);
                        }
                        EventStoreReader.Tail last = catchUp(load, rebuild, caughtUp);
                        while (last.more()) {
                            last = catchUp(load, rebuild, last);
                        }
                        stageListener.accept(Stage.SWITCHING);
                        load.switchIn();
                        stageListener.accept(Stage.SWITCHED);
                        TrackingToken token = GapAwareTrackingToken.newInstance(last.head(), last.missing());
                        for (int segment : segments) {
                            tokenStore.storeToken(token, name, segment);
                        }
                        return last.head();
                    });
                } catch (CannotAcquireLockException e) {
                    // a long read held a live table past the lock timeout: nothing was switched; try again
                    if (attempt == SWITCH_ATTEMPTS) {
                        throw e;
                    }
                    log.warn("the switch of {} waited too long for readers (attempt {}); trying again", name, attempt);
                }
            }
        } finally {
            processor.start();
        }
    }

    /** Folds the next page of events after {@code from} into the shadows, in the caller's transaction. */
    private EventStoreReader.Tail catchUp(ProjectionRebuild.Load load, ProjectionRebuild rebuild, EventStoreReader.Tail from) {
        EventStoreReader.Tail next = reader.tail(from.head(), from.missing(), rebuild.payloadType(), CATCH_UP_PAGE);
        load.catchUp(next.events());
        return next;
    }

    /** Stops running rebuilds before the application's processors and connections go. */
    @PreDestroy
    void stop() throws InterruptedException {
        stopping = true;
        for (Thread t : threads.values()) {
            t.join(TimeUnit.SECONDS.toMillis(30));
        }
    }
}
