package io.papertrading.query.stream;

import io.papertrading.kernel.error.TooManyStreamsException;
import io.papertrading.query.QueryNode;
import io.papertrading.query.analytics.AnalyticsQueries;
import io.papertrading.query.trade.TradeChanges;
import io.papertrading.query.trade.TradeQueries;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The live-update streams this node serves ({@code GET /api/stream}). A stream wakes when PostgreSQL notifies
 * that its user's rows changed ({@link ChangeListener}), then reads the changes as that user, through the same
 * row-level security as every other read, and sends them. Streams are bounded per user and per node, send a
 * heartbeat, and end when their token expires (the client reconnects with a fresh one and its last event id).
 */
@QueryNode
@Component
class TradeStreams implements SmartLifecycle {

    /** Streams one user may hold on one node (a few browser tabs). */
    static final int MAX_PER_USER = 4;
    /** Streams one node serves at once. */
    static final int MAX_STREAMS = 512;
    /** The longest a stream lives; the client reconnects with its last event id and loses nothing. */
    static final Duration MAX_LIFETIME = Duration.ofMinutes(30);
    /** A change kept back by a still-running older transaction is looked for again this soon. */
    static final Duration DEFERRED_RETRY = Duration.ofMillis(100);
    /**
     * Every stream reads again this often even without a notification: a safety net only, since the listener
     * catches up every stream whenever it (re)connects.
     */
    static final Duration RESYNC = Duration.ofSeconds(30);

    private static final Logger log = LoggerFactory.getLogger(TradeStreams.class);

    private final TradeQueries trades;
    private final AnalyticsQueries analytics;
    private final ChangeListener listener;
    private final Duration heartbeat;
    private final Map<String, Set<TradeStream>> byUser = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    private final ExecutorService workers = Executors.newFixedThreadPool(2, named("trade-stream-"));
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(named("trade-stream-timer"));
    /** Streams are served from the web server's start, which comes before this bean's lifecycle start. */
    private volatile boolean accepting = true;
    private volatile boolean started;

    TradeStreams(TradeQueries trades, AnalyticsQueries analytics, ChangeListener listener,
                 @Value("${paper.stream.heartbeat:15s}") Duration heartbeat) {
        this.trades = trades;
        this.analytics = analytics;
        this.listener = listener;
        this.heartbeat = heartbeat;
    }

    /**
     * Opens a stream for {@code username} that starts after {@code cursor} (a client's {@code Last-Event-ID}),
     * or from now when it is null; ends at {@code lifetime} at the latest.
     */
    SseEmitter open(String username, Long cursor, Duration lifetime) {
        listener.listen(this::changed, this::changedAll);
        long start = cursor != null ? cursor : trades.streamHorizon(username);
        long timeout = Math.max(1, Math.min(lifetime.toMillis(), MAX_LIFETIME.toMillis()));
        SseEmitter emitter = new SseEmitter(timeout);
        TradeStream stream = new TradeStream(username, emitter, start);
        // atomic per user with forget(), which drops the user's entry with their last stream
        byUser.compute(username, (u, streams) -> {
            Set<TradeStream> mine = streams == null ? ConcurrentHashMap.newKeySet() : streams;
            if (mine.size() >= MAX_PER_USER) {
                throw TooManyStreamsException.perUser(MAX_PER_USER);
            }
            if (open.incrementAndGet() > MAX_STREAMS) {
                open.decrementAndGet();
                throw TooManyStreamsException.perNode(MAX_STREAMS);
            }
            mine.add(stream);
            return mine;
        });
        emitter.onCompletion(() -> forget(stream));
        emitter.onTimeout(() -> close(stream));
        emitter.onError(e -> forget(stream));
        try {
            stream.ready();
        } catch (IOException | IllegalStateException e) {
            close(stream);
            return emitter;
        }
        // a resumed stream first gets what it missed; every stream gets the portfolio it starts from
        schedule(stream);
        return emitter;
    }

    /** Something of {@code username} changed: their streams read again. */
    void changed(String username) {
        Set<TradeStream> mine = byUser.get(username);
        if (mine != null) {
            mine.forEach(this::schedule);
        }
    }

    /** Every stream reads again (after the listener reconnected, or as the periodic safety net). */
    void changedAll() {
        byUser.values().forEach(set -> set.forEach(this::schedule));
    }

    private void schedule(TradeStream stream) {
        if (!accepting || stream.isClosed() || !stream.queued.compareAndSet(false, true)) {
            return;
        }
        try {
            workers.execute(() -> refresh(stream));
        } catch (RejectedExecutionException e) {
            stream.queued.set(false);
        }
    }

    private void refresh(TradeStream stream) {
        stream.queued.set(false);
        if (stream.isClosed()) {
            return;
        }
        try {
            TradeChanges changes = trades.changesSince(stream.username, stream.cursor());
            stream.deliver(changes);
            stream.portfolio(analytics.portfolio(stream.username));
            if (changes.deferred()) {
                timer.schedule(() -> schedule(stream), DEFERRED_RETRY.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (IOException | IllegalStateException e) {
            // the client went away (or its emitter already ended): nothing to tell anyone
            close(stream);
        } catch (RuntimeException e) {
            // a failed read (database down, say): the client reconnects with its last id and loses nothing
            log.warn("live-update stream of {} ended after a failed read ({})", stream.username, e.getClass().getSimpleName());
            close(stream);
        }
    }

    private void runOnWorker(Runnable work) {
        try {
            workers.execute(work);
        } catch (RejectedExecutionException e) {
            // shutting down
        }
    }

    private void heartbeats() {
        byUser.values().forEach(set -> set.forEach(stream -> {
            try {
                stream.heartbeat();
            } catch (IOException | IllegalStateException e) {
                close(stream);
            }
        }));
    }

    private void close(TradeStream stream) {
        forget(stream);
        try {
            stream.emitter.complete();
        } catch (RuntimeException e) {
            // already completed by the container
        }
    }

    private void forget(TradeStream stream) {
        byUser.computeIfPresent(stream.username, (u, mine) -> {
            if (mine.remove(stream)) {
                stream.markClosed();
                open.decrementAndGet();
            }
            return mine.isEmpty() ? null : mine;
        });
    }

    @Override
    public void start() {
        started = true;
        // on a worker: a client that stopped reading may block a send, and must not hold up the timer
        timer.scheduleWithFixedDelay(() -> runOnWorker(this::heartbeats), heartbeat.toMillis(), heartbeat.toMillis(),
                TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(this::changedAll, RESYNC.toMillis(), RESYNC.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Ends every stream before the web server drains its requests (this phase stops first): an open stream
     * would otherwise hold graceful shutdown for its whole timeout. Clients reconnect to another node.
     */
    @Override
    public void stop() {
        accepting = false;
        started = false;
        List<TradeStream> all = byUser.values().stream().flatMap(Set::stream).toList();
        all.forEach(this::close);
        timer.shutdownNow();
        workers.shutdownNow();
    }

    @Override
    public boolean isRunning() {
        return started;
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix.endsWith("-") ? prefix + n.incrementAndGet() : prefix);
            t.setDaemon(true);
            return t;
        };
    }
}
