package io.papertrading.query.stream;

import io.papertrading.query.QueryNode;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Listens on PostgreSQL's {@code paper_changes} channel, which the read model's triggers notify with the username
 * whose rows a committed transaction changed (migration {@code V34}), on whichever node projected them. One
 * connection per node, taken from the pool the first time a stream opens and held while the node runs. After a
 * lost connection it reconnects with back-off and then has every stream read again, so a notification missed
 * meanwhile costs a moment, never a change.
 */
@QueryNode
@Component
class ChangeListener implements SmartLifecycle {

    static final String CHANNEL = "paper_changes";
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);
    private static final Logger log = LoggerFactory.getLogger(ChangeListener.class);

    private final DataSource dataSource;
    private final Object lock = new Object();
    private volatile boolean running = true;
    private volatile boolean started;
    private Thread thread;

    ChangeListener(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Starts listening unless already listening: {@code changed} gets each notified username, {@code reconnected}
     * runs whenever listening (re)starts, since notifications sent while nobody listened are gone.
     */
    void listen(Consumer<String> changed, Runnable reconnected) {
        synchronized (lock) {
            if (thread != null || !running) {
                return;
            }
            thread = new Thread(() -> loop(changed, reconnected), "trade-stream-listener");
            thread.setDaemon(true);
            thread.start();
        }
    }

    private void loop(Consumer<String> changed, Runnable reconnected) {
        long backoff = 250;
        while (running) {
            try (Connection connection = dataSource.getConnection()) {
                connection.setAutoCommit(true);
                try (Statement statement = connection.createStatement()) {
                    statement.execute("LISTEN " + CHANNEL);
                }
                backoff = 250;
                reconnected.run();
                PGConnection pg = connection.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] notifications = pg.getNotifications((int) POLL.toMillis());
                    if (notifications != null) {
                        for (PGNotification n : notifications) {
                            changed.accept(n.getParameter());
                        }
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (!running) {
                    return;
                }
                log.warn("live-update listener lost its database connection ({}); reconnecting in {} ms",
                        e.getClass().getSimpleName(), backoff);
                pause(backoff);
                backoff = Math.min(backoff * 2, MAX_BACKOFF.toMillis());
            }
        }
    }

    private void pause(long millis) {
        synchronized (lock) {
            try {
                // woken early by stop()
                lock.wait(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            }
        }
    }

    @Override
    public void start() {
        started = true;
    }

    @Override
    public void stop() {
        started = false;
        Thread t;
        synchronized (lock) {
            running = false;
            lock.notifyAll();
            t = thread;
        }
        if (t != null) {
            try {
                // it notices within one poll and returns its connection to the pool before the pool closes
                t.join(POLL.toMillis() * 4);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return started;
    }
}
