package io.papertrading.query.support;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Bulk-loads items into shadow tables with COPY, one writer thread per table on a connection of its own: {@link
 * #add} collects items into batches, and each writer encodes its table's rows of a batch ({@link Table#encoder}) and
 * COPYs them in a transaction of their own. The queues to the writers are short, so the producer waits for the
 * database rather than filling the heap. Tables loaded this way have no keys or foreign keys yet, so the writers need
 * no order between them. An item whose rows a table refuses (a data or integrity error) is retried on its own and
 * left out there, its id in {@link #refused()}: the caller removes its rows from the other tables.
 *
 * <p>A load's commits do not wait for the disk: a shadow's rows are worth nothing until it is switched in, which
 * commits as usual, and a crash loses at most the load, which the next rebuild starts over.
 *
 * @param <T> what one item is (a trade and its rows)
 */
public final class CopyLoader<T> implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CopyLoader.class);

    /** One table: its name, the columns its rows give, and how an item's rows are written (none is fine). */
    public record Table<T>(String name, String columns, BiConsumer<CopyRows, T> encoder) {
    }

    private final List<T> end = new ArrayList<>(0);
    private final DataSource dataSource;
    private final Function<T, String> id;
    private final int batchSize;
    private final List<BlockingQueue<List<T>>> queues = new ArrayList<>();
    private final List<Thread> writers = new ArrayList<>();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final AtomicLong written = new AtomicLong();
    private final Set<String> refused = ConcurrentHashMap.newKeySet();
    private final Consumer<T> onRefused;
    private List<T> batch;

    /** {@code dataSource} is the engine's; {@code id} names an item in the log and in {@link #refused()}. */
    public CopyLoader(DataSource dataSource, String name, List<Table<T>> tables, Function<T, String> id, int batchSize) {
        this(dataSource, name, tables, id, batchSize, item -> { });
    }

    /**
     * As above; {@code onRefused} is told each refused item, on the writer's thread, before {@link #finish} returns
     * (for a caller that counted the item towards something else, such as totals).
     */
    public CopyLoader(DataSource dataSource, String name, List<Table<T>> tables, Function<T, String> id, int batchSize,
                      Consumer<T> onRefused) {
        this.dataSource = dataSource;
        this.id = id;
        this.onRefused = onRefused;
        this.batchSize = batchSize;
        this.batch = new ArrayList<>(batchSize);
        for (int i = 0; i < tables.size(); i++) {
            Table<T> table = tables.get(i);
            boolean counts = i == 0;
            BlockingQueue<List<T>> queue = new ArrayBlockingQueue<>(1);
            Thread writer = new Thread(() -> write(table, queue, counts),
                    name + "-" + table.name().toLowerCase(Locale.ROOT));
            writer.setDaemon(true);
            queues.add(queue);
            writers.add(writer);
            writer.start();
        }
    }

    /** Adds an item whose rows are final (until a catch-up); it is not touched again. */
    public void add(T item) throws Exception {
        batch.add(item);
        if (batch.size() >= batchSize) {
            hand(batch);
            batch = new ArrayList<>(batchSize);
        }
    }

    /** Writes what is left and waits for the writers; throws what stopped one. */
    public void finish() throws Exception {
        if (!batch.isEmpty()) {
            hand(batch);
        }
        batch = new ArrayList<>(0);
        hand(end);
        for (Thread writer : writers) {
            writer.join();
        }
        rethrow();
    }

    /** Items written to the first table, less the refused ones. */
    public long written() {
        return written.get() - refused.size();
    }

    /** Ids of the items a table refused. */
    public List<String> refused() {
        return List.copyOf(refused);
    }

    @Override
    public void close() throws InterruptedException {
        for (Thread writer : writers) {
            writer.interrupt();
        }
        for (Thread writer : writers) {
            writer.join(TimeUnit.SECONDS.toMillis(30));
        }
    }

    private void hand(List<T> items) throws Exception {
        for (BlockingQueue<List<T>> queue : queues) {
            while (!queue.offer(items, 100, TimeUnit.MILLISECONDS)) {
                rethrow();
            }
        }
    }

    private void rethrow() throws Exception {
        Exception e = failure.get();
        if (e != null) {
            throw e;
        }
    }

    private void write(Table<T> table, BlockingQueue<List<T>> queue, boolean counts) {
        String sql = "copy " + table.name() + " (" + table.columns() + ") from stdin";
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            CopyRows rows = new CopyRows();
            int[] ends = new int[batchSize];
            for (List<T> items = queue.take(); items != end; items = queue.take()) {
                rows.clear();
                if (ends.length < items.size()) {
                    ends = new int[items.size()];
                }
                for (int i = 0; i < items.size(); i++) {
                    table.encoder().accept(rows, items.get(i));
                    ends[i] = rows.length();
                }
                write(table, sql, c, copy, items, rows, ends);
                if (counts) {
                    written.addAndGet(items.size());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure.compareAndSet(null, e);
        } catch (Exception e) {
            failure.compareAndSet(null, e);
        }
    }

    private void write(Table<T> table, String sql, Connection c, CopyManager copy, List<T> items, CopyRows rows,
                       int[] ends) throws SQLException {
        try {
            relaxCommit(c);
            copy(copy, sql, rows, 0, rows.length());
            c.commit();
            return;
        } catch (SQLException e) {
            c.rollback();
            if (!refusedData(e)) {
                throw e;
            }
        }
        // something in the batch is refused: each item's rows on their own, leaving out the refused ones
        for (int i = 0; i < items.size(); i++) {
            try {
                relaxCommit(c);
                copy(copy, sql, rows, i == 0 ? 0 : ends[i - 1], ends[i]);
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                if (!refusedData(e)) {
                    throw e;
                }
                String refusedId = id.apply(items.get(i));
                if (refused.add(refusedId)) {
                    onRefused.accept(items.get(i));
                }
                log.warn("rebuild left out {}: the database refused its rows in {} ({})", refusedId, table.name(),
                        e.getSQLState());
            }
        }
    }

    private static void relaxCommit(Connection c) throws SQLException {
        try (var st = c.createStatement()) {
            st.execute("set local synchronous_commit = off");
        }
    }

    private static void copy(CopyManager copy, String sql, CopyRows rows, int from, int to) throws SQLException {
        if (to <= from) {
            return;
        }
        CopyIn in = copy.copyIn(sql);
        try {
            in.writeToCopy(rows.bytes(), from, to - from);
            in.endCopy();
        } finally {
            if (in.isActive()) {
                in.cancelCopy();
            }
        }
    }

    /** Integrity and data errors: the rows are refused, the connection is fine. */
    public static boolean refusedData(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("22") || state.startsWith("23"));
    }
}
