package io.papertrading.query.analytics;

import io.papertrading.kernel.trade.event.TradeEvent;
import io.papertrading.query.QueryNode;
import io.papertrading.query.analytics.AnalyticsProjection.Tables;
import io.papertrading.query.analytics.AnalyticsRebuildFold.Held;
import io.papertrading.query.support.CopyLoader;
import io.papertrading.query.support.CopyRows;
import io.papertrading.query.support.ProjectionRebuild;
import io.papertrading.query.support.ShadowTables;
import io.papertrading.query.support.StoredEvent;
import io.papertrading.query.support.UserScope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;

import javax.sql.DataSource;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The bulk rebuild of the analytics projection ({@link AnalyticsProjection}): the trade events folded in memory by
 * the projection's rules ({@link AnalyticsRebuildFold}), the fact rows bulk-loaded into {@code
 * analytics_trades_rebuild} with COPY, the strategy stats and daily P&amp;L summed from the same facts ({@link
 * TradeFacts#tally}, the day each trade was booked on) and the excursions recounted by the projection's own
 * statement; then switched in by the owner's {@code analytics_rebuild_switch()} (migration V38). What comes during
 * the rebuild is folded into the shadows by the projection itself, writing to them ({@link
 * AnalyticsProjection#fold}): one set of rules throughout.
 *
 * <p>Memory: a trade is held from its placement until it is finished, plus one tally per user and strategy and one
 * total per user and day of close.
 */
@QueryNode
@Component
public class AnalyticsRebuild implements ProjectionRebuild {

    private static final Logger log = LoggerFactory.getLogger(AnalyticsRebuild.class);
    /** Trades per COPY batch (and transaction). */
    private static final int BATCH_TRADES = 2_000;
    private static final String FACT_COLUMNS = """
            trade_id, username, strategy, side, multiplier, status, filled_quantity, entry_price, realized_pnl,
            unrealized_pnl, mfe, mae, opened_at, closed_at, close_date, price_at, version""";
    private static final String STATS_COLUMNS = """
            username, strategy, open_trades, closed_trades, wins, losses, gross_profit, gross_loss, realized_pnl,
            unrealized_pnl""";
    private static final String DAILY_COLUMNS = "username, day, realized_pnl, closed_trades";

    private final DataSource dataSource;
    private final JdbcTemplate jdbc;
    private final UserScope userScope;
    private final PlatformTransactionManager transactionManager;
    private final ShadowTables shadows;

    /** {@code dataSource}, {@code jdbc}, {@code userScope} and {@code transactionManager} are the engine's. */
    public AnalyticsRebuild(DataSource dataSource, JdbcTemplate jdbc, @Qualifier(UserScope.ENGINE) UserScope userScope,
                            PlatformTransactionManager transactionManager) {
        this.dataSource = dataSource;
        this.jdbc = jdbc;
        this.userScope = userScope;
        this.transactionManager = transactionManager;
        this.shadows = new ShadowTables(jdbc, "analytics_rebuild", List.of("analytics_trades",
                "analytics_strategy_stats", "analytics_daily_pnl", "analytics_excursions"));
    }

    @Override
    public String processingGroup() {
        return AnalyticsProjection.PROCESSING_GROUP;
    }

    @Override
    public Class<?> payloadType() {
        return TradeEvent.class;
    }

    @Override
    public Load begin() {
        shadows.begin();
        return new AnalyticsLoad();
    }

    /** A user's strategy, or a user's day of close. */
    private record Key(String username, Object item) {
    }

    /** A day's realized P&amp;L and closed trades. */
    private record DayTotal(BigDecimal realizedPnl, int closedTrades) {

        DayTotal plus(BigDecimal pnl, int trades) {
            return new DayTotal(realizedPnl.add(pnl), closedTrades + trades);
        }
    }

    /**
     * The sums the projection keeps per user and strategy and per user and day, over the loaded trades: a trade adds
     * its final tally (the projection's increments add up to it) and the P&amp;L it was booked with; a trade the
     * database refused is taken out again (on the writer's thread, hence synchronized).
     */
    private static final class Totals {
        private final Map<Key, StrategyTally> stats = new HashMap<>();
        /** How many loaded trades made each stats row: one taken out leaves no row behind if it was the only one. */
        private final Map<Key, Integer> members = new HashMap<>();
        private final Map<Key, DayTotal> days = new HashMap<>();

        synchronized void add(Held h, int sign) {
            if (h.counted()) {
                Key key = new Key(h.username(), h.strategy());
                StrategyTally tally = h.facts().tally(h.strategy());
                stats.merge(key, sign > 0 ? tally : StrategyTally.empty(h.strategy()).minus(tally), StrategyTally::plus);
                if (members.merge(key, sign, Integer::sum) == 0) {
                    stats.remove(key);
                    members.remove(key);
                }
            }
            if (h.booked() != null) {
                Key key = new Key(h.username(), h.bookedDay());
                DayTotal total = days.getOrDefault(key, new DayTotal(BigDecimal.ZERO, 0))
                        .plus(sign > 0 ? h.booked() : h.booked().negate(), sign);
                if (total.closedTrades() == 0) {
                    days.remove(key);
                } else {
                    days.put(key, total);
                }
            }
        }
    }

    private final class AnalyticsLoad implements Load {

        private final Totals totals = new Totals();
        private final CopyLoader<Held> loader = new CopyLoader<>(dataSource, "analytics-rebuild-writer",
                List.of(new CopyLoader.Table<>(Tables.REBUILD.trades(), FACT_COLUMNS, AnalyticsRebuild::encode)),
                Held::tradeId, BATCH_TRADES, h -> totals.add(h, -1));
        private long[] late = new long[64];
        private int lateCount;
        private final AnalyticsRebuildFold fold = new AnalyticsRebuildFold(this::write, this::late);
        /** The projection itself, writing to the shadows. */
        private final AnalyticsProjection catchUp = new AnalyticsProjection(jdbc, userScope, transactionManager,
                Tables.REBUILD);
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
            for (Held h : fold.drain()) {
                add(h);
            }
            loader.finish();
            List<String> refused = loader.refused();
            copyTotals();
            long indexing = System.nanoTime();
            shadows.loaded(table -> false);
            int groups = jdbc.update(AnalyticsProjection.recountExcursions(Tables.REBUILD, ""));
            log.info("analytics rebuild loaded {} trades ({} refused{}) and {} excursion groups, keys and indexes built "
                    + "in {} ms; {} later events of written trades go to the catch-up", loader.written(),
                    refused.size(), refused.isEmpty() ? "" : ": " + refused.subList(0, Math.min(10, refused.size())),
                    groups, (System.nanoTime() - indexing) / 1_000_000, lateCount);
            return Arrays.copyOf(late, lateCount);
        }

        /** The stats and daily totals, COPYed once every trade is written (and the refused ones taken out). */
        private void copyTotals() throws Exception {
            try (CopyLoader<Map.Entry<Key, StrategyTally>> stats = new CopyLoader<>(dataSource,
                    "analytics-rebuild-stats", List.of(new CopyLoader.Table<>(Tables.REBUILD.stats(), STATS_COLUMNS,
                    (out, e) -> encode(out, e.getKey().username(), e.getValue()))), e -> e.getKey().toString(),
                    BATCH_TRADES); CopyLoader<Map.Entry<Key, DayTotal>> days = new CopyLoader<>(dataSource,
                    "analytics-rebuild-days", List.of(new CopyLoader.Table<>(Tables.REBUILD.daily(), DAILY_COLUMNS,
                    (out, e) -> out.text(e.getKey().username()).date((LocalDate) e.getKey().item())
                            .number(e.getValue().realizedPnl()).number(e.getValue().closedTrades()).endRow())),
                    e -> e.getKey().toString(), BATCH_TRADES)) {
                for (Map.Entry<Key, StrategyTally> e : totals.stats.entrySet()) {
                    stats.add(e);
                }
                for (Map.Entry<Key, DayTotal> e : totals.days.entrySet()) {
                    days.add(e);
                }
                stats.finish();
                days.finish();
                if (!stats.refused().isEmpty() || !days.refused().isEmpty()) {
                    // a sum past its column's range: the live projection could not have kept it either
                    throw new IllegalStateException("the database refused " + (stats.refused().size()
                            + days.refused().size()) + " rebuilt totals");
                }
            }
        }

        @Override
        public void catchUp(List<StoredEvent> events) {
            int folded = 0;
            jdbc.execute("savepoint analytics_catch_up");
            try {
                events.forEach(catchUp::fold);
                catchUp.flush();
                jdbc.execute("release savepoint analytics_catch_up");
                folded = events.size();
            } catch (DataAccessException e) {
                jdbc.execute("rollback to savepoint analytics_catch_up");
                catchUp.discard();
                if (!refused(e)) {
                    throw e;
                }
                // as the live projection parks an event the database refuses and goes on, event by event
                for (StoredEvent event : events) {
                    jdbc.execute("savepoint analytics_catch_up");
                    try {
                        catchUp.fold(event);
                        catchUp.flush();
                        jdbc.execute("release savepoint analytics_catch_up");
                        folded++;
                    } catch (DataAccessException one) {
                        jdbc.execute("rollback to savepoint analytics_catch_up");
                        catchUp.discard();
                        if (!refused(one)) {
                            throw one;
                        }
                        log.warn("analytics rebuild left out event {} of the catch-up: the database refused it ({})",
                                event.globalIndex(), ((SQLException) one.getMostSpecificCause()).getSQLState());
                    }
                }
            }
            log.info("analytics rebuild caught up {} of {} events", folded, events.size());
        }

        @Override
        public void switchIn() {
            shadows.switchIn(AnalyticsProjection.PROCESSING_GROUP, "select trade_id from " + Tables.REBUILD.trades(), "analytics", () -> {
                switched = true;
            });
        }

        @Override
        public void close() {
            shadows.finish(loader, switched, "analytics");
        }

        private void write(Held h) {
            try {
                add(h);
            } catch (Exception e) {
                throw new WriteFailed(e);
            }
        }

        private void add(Held h) throws Exception {
            totals.add(h, 1);
            loader.add(h);
        }

        private void late(long position) {
            if (lateCount == late.length) {
                late = Arrays.copyOf(late, late.length * 2);
            }
            late[lateCount++] = position;
        }
    }

    private static boolean refused(DataAccessException e) {
        return e.getMostSpecificCause() instanceof SQLException sql && CopyLoader.refusedData(sql);
    }

    /** A fact row as the projection stores it: {@link TradeFacts} of the trade, with its identity and last price. */
    private static void encode(CopyRows out, Held h) {
        TradeFacts f = h.facts();
        var t = h.row().trade();
        out.text(t.tradeId()).text(t.username()).text(t.strategy()).text(t.side().name()).number(h.row().multiplier())
                .text(f.status().name()).number(f.heldQuantity()).number(f.entryPrice()).number(f.realizedPnl())
                .number(f.unrealizedPnl()).number(f.mfe()).number(f.mae()).time(f.openedAt()).time(f.closedAt())
                .date(f.closeDate()).time(h.priceAt()).number(f.version()).endRow();
    }

    private static void encode(CopyRows out, String username, StrategyTally s) {
        out.text(username).text(s.strategy()).number(s.openTrades()).number(s.closedTrades()).number(s.wins())
                .number(s.losses()).number(s.grossProfit()).number(s.grossLoss()).number(s.realizedPnl())
                .number(s.unrealizedPnl()).endRow();
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
