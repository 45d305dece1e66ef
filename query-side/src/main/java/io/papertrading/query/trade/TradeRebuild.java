package io.papertrading.query.trade;

import io.papertrading.kernel.trade.event.TradeEvent;
import io.papertrading.query.QueryNode;
import io.papertrading.query.support.ProjectionRebuild;
import io.papertrading.query.support.StoredEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import javax.sql.DataSource;
import java.util.Arrays;
import java.util.List;
import java.util.ArrayList;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The bulk rebuild of the trades projection ({@link TradeProjection}): the trade events folded in memory by
 * {@link TradeRebuildFold} (the projection's rules) and bulk-loaded into the shadow tables ({@link TradeShadow}),
 * then switched in by the owner's {@code paper_trade_rebuild_switch()} (migration V36): the shadows get row-level
 * security and the request role's SELECT, and take the live tables' names, in one short transaction.
 *
 * <p>Memory: a trade is held from its placement until it is finished (then written), so what is held at once is
 * about the trades live at one time, with at most {@value TradeProjection#MAX_SNAPSHOTS} price snapshots each.
 */
@QueryNode
@Component
public class TradeRebuild implements ProjectionRebuild {

    private static final Logger log = LoggerFactory.getLogger(TradeRebuild.class);
    /** Indexes built at once after a load, each on a connection of its own. */
    private static final int INDEX_BUILDERS = 4;
    /** How long the switch waits for request handling's reads of the live tables before it gives up (and retries). */
    static final String LOCK_TIMEOUT = "2s";

    private final DataSource dataSource;
    private final JdbcTemplate jdbc;
    private final TradeChangeSignal signal;

    /** {@code dataSource} and {@code jdbc} are the engine's. */
    public TradeRebuild(DataSource dataSource, JdbcTemplate jdbc, TradeChangeSignal signal) {
        this.dataSource = dataSource;
        this.jdbc = jdbc;
        this.signal = signal;
    }

    @Override
    public String processingGroup() {
        return TradeProjection.PROCESSING_GROUP;
    }

    @Override
    public Class<?> payloadType() {
        return TradeEvent.class;
    }

    @Override
    public Load begin() {
        jdbc.execute("select paper_trade_rebuild_begin()");
        return new TradeLoad();
    }

    private final class TradeLoad implements Load {

        private final TradeShadow.Loader loader = new TradeShadow.Loader(dataSource, "trades-rebuild-writer");
        private long[] late = new long[64];
        private int lateCount;
        private final TradeRebuildFold fold = TradeRebuildFold.bulk(this::write, this::late);
        private volatile boolean switched;

        @Override
        public void bulk(StoredEvent event) throws Exception {
            try {
                fold.apply(event);
            } catch (WriteFailed e) {
                throw e.failure;
            }
        }

        @Override
        public long[] loaded() throws Exception {
            for (TradeRebuildFold.Held h : fold.drain()) {
                loader.add(h);
            }
            loader.finish(jdbc);
            long indexing = System.nanoTime();
            buildIndexes();
            jdbc.execute("select paper_trade_rebuild_loaded()");
            List<String> refused = loader.refused();
            log.info("trades rebuild loaded {} trades ({} refused{}), keys and indexes built in {} ms; {} later events "
                    + "of written trades go to the catch-up", loader.written(), refused.size(), refused.isEmpty() ? ""
                    : ": " + refused.subList(0, Math.min(10, refused.size())),
                    (System.nanoTime() - indexing) / 1_000_000, lateCount);
            return Arrays.copyOf(late, lateCount);
        }

        /**
         * The loaded trades' owners and every index of the three shadows, {@value #INDEX_BUILDERS} at a time on
         * connections of their own (the largest table's first); a unique index refused for a duplicate idempotency
         * key is built again once the duplicates are gone.
         */
        private void buildIndexes() throws Exception {
            List<Callable<Void>> builds = new ArrayList<>();
            builds.add(() -> {
                jdbc.execute("select paper_trade_rebuild_owners()");
                return null;
            });
            for (String table : List.of("state_transitions", "paper_trades", "price_snapshots")) {
                Integer count = jdbc.queryForObject("select count(*) from pg_index where indrelid = to_regclass(?)",
                        Integer.class, "public." + table);
                for (int item = 0; item < (count == null ? 0 : count); item++) {
                    int index = item;
                    builds.add(() -> {
                        index(table, index);
                        return null;
                    });
                }
            }
            ExecutorService builders = Executors.newFixedThreadPool(INDEX_BUILDERS,
                    work -> daemon("trades-rebuild-index", work));
            try {
                for (Future<Void> build : builders.invokeAll(builds)) {
                    try {
                        build.get();
                    } catch (ExecutionException e) {
                        throw e.getCause() instanceof Exception cause ? cause : e;
                    }
                }
            } finally {
                builders.shutdownNow();
            }
        }

        private void index(String table, int item) {
            try {
                jdbc.queryForObject("select paper_trade_rebuild_index(?, ?)", Boolean.class, table, item);
            } catch (DuplicateKeyException e) {
                if (!table.equals("paper_trades")) {
                    throw e;
                }
                // two trades of one user claim one idempotency key: only events from outside the command API can do
                // that; as in the live projection, the trade placed first keeps it and the other is left out
                synchronized (this) {
                    log.warn("trades rebuild left out {} trades whose idempotency key an earlier trade holds",
                            TradeShadow.removeIdempotencyTwins(jdbc).size());
                }
                jdbc.queryForObject("select paper_trade_rebuild_index(?, ?)", Boolean.class, table, item);
            }
        }

        @Override
        public void catchUp(List<StoredEvent> events) {
            int changed = TradeShadow.catchUp(jdbc, events);
            log.info("trades rebuild caught up {} events ({} trades changed)", events.size(), changed);
        }

        @Override
        public void switchIn() {
            jdbc.execute("set local lock_timeout = '" + LOCK_TIMEOUT + "'");
            // the rebuilt rows hold every event so far: a trade's parked events are applied, its letters are stale
            int letters = jdbc.update("delete from dead_letter_entry where processing_group = ? and sequence_identifier in "
                    + "(select id from " + TradeShadow.TRADES + ")", TradeProjection.PROCESSING_GROUP);
            jdbc.execute("select paper_trade_rebuild_switch()");
            if (letters > 0) {
                log.info("trades rebuild: {} dead letters of rebuilt trades removed", letters);
            }
            if (TransactionSynchronizationManager.isSynchronizationActive()) {
                TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                    @Override
                    public void afterCommit() {
                        signal.changed();
                        switched = true;
                    }
                });
            }
        }

        @Override
        public void close() {
            try {
                loader.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                jdbc.execute("select paper_trade_rebuild_begin()");
                if (switched) {
                    jdbc.execute("select paper_trade_rebuild_analyze()");
                }
            } catch (RuntimeException e) {
                // the next rebuild empties them first anyway; autovacuum gathers statistics in time
                log.warn("could not empty the trades rebuild tables or analyze the live ones: {}",
                        e.getClass().getSimpleName());
            }
        }

        private void write(TradeRebuildFold.Held trade) {
            try {
                loader.add(trade);
            } catch (Exception e) {
                throw new WriteFailed(e);
            }
        }

        private void late(long position) {
            if (lateCount == late.length) {
                late = Arrays.copyOf(late, late.length * 2);
            }
            late[lateCount++] = position;
        }
    }

    private static Thread daemon(String name, Runnable work) {
        Thread t = new Thread(work, name);
        t.setDaemon(true);
        return t;
    }

    /** Carries the writer's failure out of the fold's callback. */
    private static final class WriteFailed extends RuntimeException {
        private final Exception failure;

        WriteFailed(Exception cause) {
            super(cause);
            this.failure = cause;
        }
    }
}
