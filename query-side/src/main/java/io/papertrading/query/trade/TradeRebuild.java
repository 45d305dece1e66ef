package io.papertrading.query.trade;

import io.papertrading.kernel.trade.event.TradeEvent;
import io.papertrading.query.QueryNode;
import io.papertrading.query.support.CopyLoader;
import io.papertrading.query.support.ProjectionRebuild;
import io.papertrading.query.support.ShadowTables;
import io.papertrading.query.support.StoredEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import javax.sql.DataSource;
import java.util.Arrays;
import java.util.List;

/**
 * The bulk rebuild of the trades projection ({@link TradeProjection}): the trade events folded in memory by
 * {@link TradeRebuildFold} (the projection's rules) and bulk-loaded into the shadow tables ({@link TradeShadow}),
 * then switched in by the owner's {@code paper_trade_rebuild_switch()} (migration V37): the shadows get row-level
 * security and the request role's SELECT, and take the live tables' names, in one short transaction.
 *
 * <p>Memory: a trade is held from its placement until it is finished (then written), so what is held at once is
 * about the trades live at one time, with at most {@value TradeProjection#MAX_SNAPSHOTS} price snapshots each.
 */
@QueryNode
@Component
public class TradeRebuild implements ProjectionRebuild {

    private static final Logger log = LoggerFactory.getLogger(TradeRebuild.class);

    private final DataSource dataSource;
    private final JdbcTemplate jdbc;
    private final TradeChangeSignal signal;
    private final ShadowTables shadows;

    /** {@code dataSource} and {@code jdbc} are the engine's. */
    public TradeRebuild(DataSource dataSource, JdbcTemplate jdbc, TradeChangeSignal signal) {
        this.dataSource = dataSource;
        this.jdbc = jdbc;
        this.signal = signal;
        this.shadows = new ShadowTables(jdbc, "paper_trade_rebuild",
                List.of("state_transitions", "paper_trades", "price_snapshots"));
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
        shadows.begin();
        return new TradeLoad();
    }

    private final class TradeLoad implements Load {

        private final CopyLoader<TradeRebuildFold.Held> loader = TradeShadow.loader(dataSource);
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
            loader.finish();
            List<String> refused = loader.refused();
            TradeShadow.removeRefused(jdbc, refused);
            long indexing = System.nanoTime();
            shadows.loaded(table -> {
                if (!table.equals("paper_trades")) {
                    return false;
                }
                // two trades of one user claim one idempotency key: only events from outside the command API can do
                // that; as in the live projection, the trade placed first keeps it and the other is left out
                return !TradeShadow.removeIdempotencyTwins(jdbc).isEmpty();
            });
            log.info("trades rebuild loaded {} trades ({} refused{}), keys and indexes built in {} ms; {} later events "
                    + "of written trades go to the catch-up", loader.written(), refused.size(), refused.isEmpty() ? ""
                    : ": " + refused.subList(0, Math.min(10, refused.size())),
                    (System.nanoTime() - indexing) / 1_000_000, lateCount);
            return Arrays.copyOf(late, lateCount);
        }

        @Override
        public void catchUp(List<StoredEvent> events) {
            int changed = TradeShadow.catchUp(jdbc, events);
            log.info("trades rebuild caught up {} events ({} trades changed)", events.size(), changed);
        }

        @Override
        public void switchIn() {
            shadows.switchIn(TradeProjection.PROCESSING_GROUP, "select id from " + TradeShadow.TRADES, "trades", () -> {
                signal.changed();
                switched = true;
            });
        }

        @Override
        public void close() {
            shadows.finish(loader, switched, "trades");
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

    /** Carries the writer's failure out of the fold's callback. */
    private static final class WriteFailed extends RuntimeException {
        private final Exception failure;

        WriteFailed(Exception cause) {
            super(cause);
            this.failure = cause;
        }
    }
}
