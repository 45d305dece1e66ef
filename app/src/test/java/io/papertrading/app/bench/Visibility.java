package io.papertrading.app.bench;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * Watches the trade read model for registered trades: every {@value #PERIOD_MS} ms one indexed query for the trades
 * still awaited, recording when each first met the condition (lag behind its registration, and the wall-clock time).
 * Reads as the owner (past RLS), on a connection of its own, so it costs the app nothing.
 */
final class Visibility implements AutoCloseable {

    private static final long PERIOD_MS = 10;

    private final Connection connection;
    private final String sql;
    private final Map<String, Long> pending = new ConcurrentHashMap<>();
    private final Map<String, Instant> seenAt = new ConcurrentHashMap<>();
    private final Samples lags = new Samples();
    private final Thread thread;
    private volatile boolean closed;
    private volatile String failure;

    /** @param condition an SQL condition on paper_trades, e.g. {@code status = 'OPEN'} or {@code true} */
    Visibility(Connection connection, String condition) {
        this.connection = connection;
        this.sql = "select id from paper_trades where id = any(?) and " + condition;
        this.thread = new Thread(this::watch, "bench-visibility");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** The trade is awaited from {@code sinceNanos} (a {@link System#nanoTime()}) on. */
    void register(String tradeId, long sinceNanos) {
        pending.put(tradeId, sinceNanos);
    }

    int pending() {
        return pending.size();
    }

    Samples lags() {
        return lags;
    }

    /** When the trade was first seen meeting the condition, or null. */
    Instant seenAt(String tradeId) {
        return seenAt.get(tradeId);
    }

    String failure() {
        return failure;
    }

    private void watch() {
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            while (!closed) {
                if (!pending.isEmpty()) {
                    Array ids = connection.createArrayOf("text", pending.keySet().toArray());
                    ps.setArray(1, ids);
                    try (ResultSet rs = ps.executeQuery()) {
                        long now = System.nanoTime();
                        Instant wall = Instant.now();
                        while (rs.next()) {
                            String id = rs.getString(1);
                            Long since = pending.remove(id);
                            if (since != null) {
                                lags.add(Math.max(0, now - since));
                                seenAt.put(id, wall);
                            }
                        }
                    }
                }
                // the sampling period of the watcher, not a wait for an outcome
                LockSupport.parkNanos(Duration.ofMillis(PERIOD_MS).toNanos());
            }
        } catch (SQLException e) {
            failure = "the read-model watcher failed: " + e.getMessage();
        }
    }

    @Override
    public void close() throws Exception {
        closed = true;
        thread.join(Duration.ofSeconds(10).toMillis());
        connection.close();
    }
}
