package io.papertrading.app.execution;

import io.papertrading.command.execution.OrderDesk;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the {@link OrderDesk} once in the cluster: the node that holds a PostgreSQL session advisory lock works
 * the brokers, the others try for the lock every tick and take over within a tick of the holder's connection
 * ending (a dead node's session dies with it). Each round reads the legs and hands every account to a worker
 * pool, one account per worker at a time, so a slow or rate-limited account delays only itself. A saga change
 * committed on this node nudges its account: worked at once instead of at the next tick.
 */
class OrderDeskRunner implements SmartLifecycle {

    /** The advisory lock's key: "paper-ow" (order watch) in ASCII. */
    static final long LOCK_KEY = 0x70617065722d6f77L;
    private static final Logger log = LoggerFactory.getLogger(OrderDeskRunner.class);

    private final DataSource dataSource;
    private final OrderDesk desk;
    private final Duration tick;
    private final ScheduledExecutorService timer;
    private final ExecutorService workers;
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    /** Accounts nudged since their last work started: worked again once the running work ends. */
    private final Set<String> nudged = ConcurrentHashMap.newKeySet();
    private volatile boolean running;
    private volatile boolean leader;
    private Connection lock;

    OrderDeskRunner(DataSource dataSource, OrderDesk desk, Duration tick, int threads) {
        this.dataSource = dataSource;
        this.desk = desk;
        this.tick = tick;
        this.timer = Executors.newSingleThreadScheduledExecutor(named("order-desk", new AtomicInteger()));
        this.workers = Executors.newFixedThreadPool(threads, named("order-desk-account", new AtomicInteger()));
    }

    /** Whether this node works the brokers now. */
    boolean isLeader() {
        return leader;
    }

    /** A saga change for this account was committed: work it now rather than at the next tick. */
    void nudge(String accountKey) {
        if (!running || !leader) {
            return; // the node that works the desk sees it at its next tick
        }
        nudged.add(accountKey);
        try {
            timer.execute(() -> dispatch(accountKey, true));
        } catch (RuntimeException rejected) { // shutting down
            nudged.remove(accountKey);
        }
    }

    private void round() {
        try {
            if (!holdsLock()) {
                return;
            }
            // each account's legs are read by its worker when it starts: never older than another round's work
            desk.accounts().forEach(this::dispatch);
        } catch (RuntimeException ex) {
            log.warn("order desk round failed: {}", ex.getMessage());
        }
    }

    /**
     * Works the account on a worker unless it is being worked (its legs read when the work starts); without
     * {@code news} the desk may leave a quiet account alone this round.
     */
    private void dispatch(String accountKey, boolean news) {
        if (!inFlight.add(accountKey)) {
            return; // the running work re-dispatches it if it was nudged meanwhile
        }
        nudged.remove(accountKey);
        try {
            workers.execute(() -> {
                try {
                    desk.work(accountKey, news);
                } catch (RuntimeException ex) {
                    log.warn("order desk: account {} failed: {}", accountKey, ex.getMessage());
                } finally {
                    inFlight.remove(accountKey);
                    if (nudged.contains(accountKey) && running) {
                        timer.execute(() -> dispatch(accountKey, true));
                    }
                }
            });
        } catch (RuntimeException rejected) { // shutting down
            inFlight.remove(accountKey);
        }
    }

    /** Keeps or takes the cluster's order desk lock; false when another node holds it. */
    private boolean holdsLock() {
        if (lock != null) {
            try {
                if (lock.isValid(2)) {
                    return true;
                }
            } catch (SQLException ignored) {
                // treated as lost
            }
            log.warn("order desk: lock connection lost; another node may take over");
            closeQuietly(lock);
            lock = null;
            leader = false;
        }
        Connection c = null;
        try {
            c = dataSource.getConnection();
            c.setAutoCommit(true);
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("select pg_try_advisory_lock(" + LOCK_KEY + ")")) {
                if (rs.next() && rs.getBoolean(1)) {
                    lock = c;
                    leader = true;
                    log.info("order desk: this node works the brokers");
                    return true;
                }
            }
            closeQuietly(c);
            return false;
        } catch (SQLException ex) {
            closeQuietly(c);
            log.warn("order desk: lock not taken: {}", ex.getMessage());
            return false;
        }
    }

    private void releaseLock() {
        if (lock == null) {
            return;
        }
        // The connection goes back to the pool alive: the session lock must not stay with it.
        try (Statement s = lock.createStatement()) {
            s.execute("select pg_advisory_unlock(" + LOCK_KEY + ")");
        } catch (SQLException ex) {
            log.debug("order desk: unlock failed: {}", ex.getMessage());
        }
        closeQuietly(lock);
        lock = null;
        leader = false;
    }

    @Override
    public void start() {
        running = true;
        timer.scheduleWithFixedDelay(this::round, tick.toMillis(), tick.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        running = false;
        timer.shutdown();
        workers.shutdown();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
            workers.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        releaseLock();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Among the last to start and the first to stop, with the event processors it feeds. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE;
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // already gone
            }
        }
    }

    private static java.util.concurrent.ThreadFactory named(String prefix, AtomicInteger counter) {
        return r -> {
            Thread t = new Thread(r, prefix + "-" + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
