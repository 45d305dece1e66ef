package io.papertrading.query.analytics;

import io.papertrading.query.QueryNode;
import io.papertrading.kernel.trade.Side;
import io.papertrading.kernel.trade.TradeStatus;
import io.papertrading.kernel.trade.event.CloseRequestedEvent;
import io.papertrading.kernel.trade.event.EntryFilledWhileClosingEvent;
import io.papertrading.kernel.trade.event.EntryPartiallyFilledEvent;
import io.papertrading.kernel.trade.event.ExitRejectedEvent;
import io.papertrading.kernel.trade.event.PositionReducedEvent;
import io.papertrading.kernel.trade.event.PriceObservedEvent;
import io.papertrading.kernel.trade.event.TradeCanceledEvent;
import io.papertrading.kernel.trade.event.TradeClosedEvent;
import io.papertrading.kernel.trade.event.TradeEvent;
import io.papertrading.kernel.trade.event.TradeExpiredEvent;
import io.papertrading.kernel.trade.event.TradeOpenedEvent;
import io.papertrading.kernel.trade.event.TradePlacedEvent;
import io.papertrading.kernel.trade.event.TradeRejectedEvent;
import io.papertrading.query.support.JoiningTransactionTemplate;
import io.papertrading.query.support.StoredEvent;
import io.papertrading.query.support.TradeOwners;
import io.papertrading.query.support.UserScope;
import io.papertrading.query.trade.TradeFold;
import io.papertrading.query.trade.TradeRow;
import io.papertrading.query.trade.TradeView;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.SequenceNumber;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.SqlParameterValue;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.ZoneId;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;

/**
 * The analytics projection (processing group {@value #PROCESSING_GROUP}): per-trade facts in
 * {@code analytics_trades}, and from them per user and strategy the statistics ({@code analytics_strategy_stats}),
 * the realized P&amp;L per day of close ({@code analytics_daily_pnl}) and the MFE/MAE distribution
 * ({@code analytics_excursions}). The admin API's replay rebuilds the four tables in bulk beside the live ones
 * ({@link AnalyticsRebuild}, which folds with this class's rules and catches up through {@link #fold} on the
 * shadows); the reset handler empties them for a plain processor reset; a new deployment of it starts from the
 * first event (Axon's default initial token).
 *
 * <p>Definitions (the portfolio contract of API.md):
 * <ul>
 *   <li>A trade <em>counts</em> (closed) once it is CLOSED or EXPIRED with a realized P&amp;L; an option that
 *   expired without ever filling has none and does not count. Canceled and rejected trades never count.</li>
 *   <li>Win: realized P&amp;L &gt; 0; loss: &lt; 0; a break-even trade counts as closed but neither.</li>
 *   <li>Win rate = wins / closed; expectancy = total realized / closed; profit factor = gross profit /
 *   |gross loss|, null when there is no loss.</li>
 *   <li>Open trades are OPEN, PARTIALLY_FILLED or CLOSING (a position is held); unrealized P&amp;L is the sum of
 *   their latest unrealized P&amp;L (valued at the mark, else last, else mid).</li>
 *   <li>Daily realized P&amp;L is booked on the America/New_York date of the close or expiry.</li>
 *   <li>MFE/MAE per trade in dollars: the highest / lowest unrealized P&amp;L seen while live, starting at 0 on
 *   the first fill and including the final realized P&amp;L; MFE ≥ 0, MAE ≤ 0 (negative or zero).</li>
 * </ul>
 *
 * <p>A trade's facts are folded by the trade read model's own rules ({@link TradeFold}): the fact row is read as
 * a trade row (what is still held as its filled quantity), the event folded in, and the facts written back, so
 * P&amp;L, MFE/MAE and the multiplier mean here what they mean on the trade.
 *
 * <p>Idempotent: a fact row changes only for a stream event newer than its {@code version} or a price newer
 * than its {@code price_at}, and the aggregates move by exactly what that change added ({@link TradeFacts#tally}
 * after less before): counts and sums of stored 4-decimal figures, so they equal a recount in any order, and
 * redelivery and replay give the same figures as the live build. Only the MFE/MAE distribution (medians) is
 * recounted, when a trade finishes. Events are sequenced by trade id
 * ({@link io.papertrading.query.support.TradeSequencing}).
 */
@QueryNode
@Component
@ProcessingGroup(AnalyticsProjection.PROCESSING_GROUP)
public class AnalyticsProjection {

    public static final String PROCESSING_GROUP = "analytics-portfolio";
    /** Where a trading day is. */
    public static final ZoneId MARKET_ZONE = ZoneId.of("America/New_York");

    static final String LIVE = "('OPEN', 'PARTIALLY_FILLED', 'CLOSING')";
    static final String FINISHED = "status in ('CLOSED', 'EXPIRED') and realized_pnl is not null";

    private static final String FACT_COLUMNS = """
            trade_id, username, strategy, side, multiplier, status, filled_quantity, entry_price, realized_pnl,
            unrealized_pnl, mfe, mae, opened_at, closed_at, version""";

    private static final Logger log = LoggerFactory.getLogger(AnalyticsProjection.class);
    private static final String BIND_OWNER =
            "select set_config('app.current_user', coalesce(analytics_trade_owner(?), ''), true)";
    private static final int OWNER_CACHE_SIZE = 100_000;

    /** The four tables the projection writes: the live ones, or a bulk rebuild's shadows. */
    record Tables(String trades, String stats, String daily, String excursions) {

        static final Tables LIVE = new Tables("analytics_trades", "analytics_strategy_stats", "analytics_daily_pnl",
                "analytics_excursions");
        static final Tables REBUILD = new Tables("analytics_trades_rebuild", "analytics_strategy_stats_rebuild",
                "analytics_daily_pnl_rebuild", "analytics_excursions_rebuild");
    }

    /** The event types the projection folds (its handlers'); a trade's other events leave its facts as they are. */
    static final Set<Class<? extends TradeEvent>> FOLDED = Set.of(TradePlacedEvent.class,
            EntryPartiallyFilledEvent.class, EntryFilledWhileClosingEvent.class, TradeOpenedEvent.class, CloseRequestedEvent.class, ExitRejectedEvent.class,
            PositionReducedEvent.class, TradeClosedEvent.class, TradeExpiredEvent.class, TradeCanceledEvent.class,
            TradeRejectedEvent.class, PriceObservedEvent.class);

    private final JdbcTemplate jdbc;
    private final UserScope userScope;
    private final TransactionTemplate tx;
    private final TradeOwners owners = new TradeOwners(OWNER_CACHE_SIZE);
    private final Tables tables;
    private final boolean lockUsers;

    /** {@code jdbc}, {@code userScope} and {@code transactionManager} are the engine's: one connection per batch. */
    @Autowired
    public AnalyticsProjection(JdbcTemplate jdbc, @Qualifier(UserScope.ENGINE) UserScope userScope,
                               PlatformTransactionManager transactionManager) {
        this(jdbc, userScope, transactionManager, Tables.LIVE, true);
    }

    /**
     * The projection writing {@code tables}; {@code lockUsers} false for a single writer (a rebuild's catch-up),
     * which needs no lock against other segments and must not wait for the live processor's.
     */
    AnalyticsProjection(JdbcTemplate jdbc, UserScope userScope, PlatformTransactionManager transactionManager,
                        Tables tables, boolean lockUsers) {
        this.jdbc = jdbc;
        this.userScope = userScope;
        this.tx = new JoiningTransactionTemplate(transactionManager);
        this.tables = tables;
        this.lockUsers = lockUsers;
    }

    /**
     * Folds one stored event as the matching handler would (a rebuild's catch-up); events the projection has no
     * handler for change nothing.
     */
    void fold(StoredEvent stored) {
        if (!(stored.payload() instanceof TradeEvent e) || !FOLDED.contains(e.getClass())) {
            return;
        }
        if (e instanceof TradePlacedEvent placed) {
            on(placed, stored.sequenceNumber());
        } else if (e instanceof PriceObservedEvent price) {
            on(price);
        } else {
            apply(e, stored.sequenceNumber());
        }
    }

    @EventHandler
    void on(TradePlacedEvent e, @SequenceNumber long seq) {
        TradeRow row = TradeFold.evolve(null, e, seq);
        TradeView t = row.trade();
        tx.executeWithoutResult(status -> {
            userScope.bindCurrentTransaction(t.username());
            jdbc.update("""
                    insert into %s (trade_id, username, strategy, side, multiplier, status, version)
                    values (?, ?, ?, ?, ?, ?, ?)
                    on conflict (trade_id) do nothing""".formatted(tables.trades()),
                    t.tradeId(), t.username(), strategyKey(t.strategy()), t.side().name(), row.multiplier(),
                    t.status().name(), t.version());
            owners.put(t.tradeId(), t.username());
        });
    }

    @EventHandler
    void on(EntryPartiallyFilledEvent e, @SequenceNumber long seq) {
        apply(e, seq);
    }

    @EventHandler
    void on(TradeOpenedEvent e, @SequenceNumber long seq) {
        apply(e, seq);
    }

    @EventHandler
    void on(EntryFilledWhileClosingEvent e, @SequenceNumber long seq) {
        apply(e, seq);
    }

    @EventHandler
    void on(CloseRequestedEvent e, @SequenceNumber long seq) {
        apply(e, seq);
    }

    @EventHandler
    void on(ExitRejectedEvent e, @SequenceNumber long seq) {
        apply(e, seq);
    }

    /** Prices value only what is still held; the part sold counts once the trade ends, in its total. */
    @EventHandler
    void on(PositionReducedEvent e, @SequenceNumber long seq) {
        apply(e, seq);
    }

    @EventHandler
    void on(TradeClosedEvent e, @SequenceNumber long seq) {
        apply(e, seq);
    }

    @EventHandler
    void on(TradeExpiredEvent e, @SequenceNumber long seq) {
        apply(e, seq);
    }

    @EventHandler
    void on(TradeCanceledEvent e, @SequenceNumber long seq) {
        apply(e, seq);
    }

    @EventHandler
    void on(TradeRejectedEvent e, @SequenceNumber long seq) {
        apply(e, seq);
    }

    /**
     * A quote of a live trade: its unrealized P&amp;L and excursions move ({@link TradeFold#observe}), then its
     * strategy's unrealized total. Observations not newer than the last one applied change nothing.
     */
    @EventHandler
    void on(PriceObservedEvent e) {
        if (e.valuationPrice() == null) {
            return;
        }
        tx.executeWithoutResult(status -> {
            userScope.bindCurrentTransaction(e.username());
            // the user is matched here as well as by row-level security, which a rebuild's shadows do not have
            TradeRow row = jdbc.query("select " + FACT_COLUMNS + """
                     from %s
                    where trade_id = ? and username = ? and status in %s and entry_price is not null
                      and (price_at is null or price_at < ?)
                    for update""".formatted(tables.trades(), LIVE), (rs, n) -> fact(rs), e.tradeId().value(),
                    e.username(), time(e.occurredAt()))
                    .stream().findFirst().orElse(null);
            TradeRow valued = TradeFold.observe(row, e);
            if (valued == row) {
                return;
            }
            TradeView t = valued.trade();
            jdbc.update("update " + tables.trades() + " set unrealized_pnl = ?, mfe = ?, mae = ?, price_at = ? where trade_id = ?",
                    number(t.unrealizedPnl()), number(t.mfe()), number(t.mae()), time(e.occurredAt()), t.tradeId());
            addToStrategy(e.username(), t.strategy(), TradeFacts.of(row), TradeFacts.of(valued));
        });
    }

    @ResetHandler
    void reset() {
        tx.executeWithoutResult(status -> jdbc.execute("select analytics_reset_projection()"));
        owners.clear();
    }

    /**
     * Folds a stream event into the trade's facts ({@link TradeFold}; only if newer than them) and recomputes the
     * aggregates of the trade's groups.
     */
    private void apply(TradeEvent e, long seq) {
        long version = seq + 1;
        String tradeId = e.tradeId().value();
        tx.executeWithoutResult(status -> {
            String username = bindOwner(e, version);
            if (username == null) {
                return;
            }
            TradeRow row = jdbc.query("select " + FACT_COLUMNS + " from " + tables.trades() + " where trade_id = ? for update",
                    (rs, n) -> fact(rs), tradeId).stream().findFirst().orElse(null);
            TradeRow next = TradeFold.evolve(row, e, seq);
            if (next == row) {
                return;
            }
            TradeFacts was = TradeFacts.of(row);
            TradeFacts f = TradeFacts.of(next);
            boolean finishing = f.finished() && !was.finished();
            if (finishing && lockUsers) {
                lockUser(username);
            }
            jdbc.update("""
                    update %s
                    set status = ?, filled_quantity = ?, entry_price = ?, realized_pnl = ?, unrealized_pnl = ?, mfe = ?,
                        mae = ?, opened_at = ?, closed_at = ?, close_date = ?, version = ?
                    where trade_id = ?""".formatted(tables.trades()),
                    f.status().name(), f.heldQuantity(), number(f.entryPrice()), number(f.realizedPnl()),
                    number(f.unrealizedPnl()), number(f.mfe()), number(f.mae()), time(f.openedAt()),
                    time(f.closedAt()), new SqlParameterValue(Types.DATE, f.closeDate()), f.version(), tradeId);
            String strategy = next.trade().strategy();
            addToStrategy(username, strategy, was, f);
            if (f.closed() && !was.closed()) {
                addToDay(username, f);
            }
            if (finishing) {
                recomputeExcursions(username, strategy);
            }
        });
    }

    /**
     * A fact row as the fold's trade row: what is still held is its filled quantity, and what analytics does not
     * keep (instrument, notes, context) is empty.
     */
    private static TradeRow fact(ResultSet rs) throws SQLException {
        return factRow(rs.getString("trade_id"), rs.getString("username"), rs.getString("strategy"),
                Side.valueOf(rs.getString("side")), rs.getBigDecimal("multiplier"),
                TradeStatus.valueOf(rs.getString("status")), rs.getInt("filled_quantity"),
                rs.getBigDecimal("entry_price"), rs.getBigDecimal("realized_pnl"), rs.getBigDecimal("unrealized_pnl"),
                rs.getBigDecimal("mfe"), rs.getBigDecimal("mae"), instant(rs, "opened_at"), instant(rs, "closed_at"),
                rs.getLong("version"));
    }

    /**
     * The row the fold continues from, given what {@code analytics_trades} stores of a trade ({@code strategy} as
     * its key); what analytics does not keep is empty. A rebuild's in-memory fold goes on from this very row, so it
     * sees each trade as the live projection reads it back.
     */
    static TradeRow factRow(String tradeId, String username, String strategy, Side side, BigDecimal multiplier,
                            TradeStatus status, int filledQuantity, BigDecimal entryPrice, BigDecimal realizedPnl,
                            BigDecimal unrealizedPnl, BigDecimal mfe, BigDecimal mae, Instant openedAt,
                            Instant closedAt, long version) {
        TradeView t = new TradeView(tradeId, username, null, null, null, null, null, side, 0, filledQuantity, null,
                null, entryPrice, null, null, null, status, null, realizedPnl, unrealizedPnl, null, mfe, mae, strategy,
                null, null, null, null, version, null, openedAt, closedAt, null, Map.of());
        return new TradeRow(t, null, null, multiplier);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    /**
     * Moves the strategy's counts and sums by what the trade's change added ({@code now} less {@code was}): every
     * figure is a count or a sum, so the increments add up to what a recount of the facts gives, in any order.
     */
    private void addToStrategy(String username, String strategy, TradeFacts was, TradeFacts now) {
        StrategyTally d = now.tally(strategy).minus(was.tally(strategy));
        jdbc.update("""
                insert into %s as s (username, strategy, open_trades, closed_trades, wins, losses,
                                                           gross_profit, gross_loss, realized_pnl, unrealized_pnl)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                on conflict (username, strategy) do update set
                    open_trades = s.open_trades + excluded.open_trades,
                    closed_trades = s.closed_trades + excluded.closed_trades,
                    wins = s.wins + excluded.wins, losses = s.losses + excluded.losses,
                    gross_profit = s.gross_profit + excluded.gross_profit,
                    gross_loss = s.gross_loss + excluded.gross_loss,
                    realized_pnl = s.realized_pnl + excluded.realized_pnl,
                    unrealized_pnl = s.unrealized_pnl + excluded.unrealized_pnl""".formatted(tables.stats()),
                username, strategy, d.openTrades(), d.closedTrades(), d.wins(), d.losses(), number(d.grossProfit()),
                number(d.grossLoss()), number(d.realizedPnl()), number(d.unrealizedPnl()));
    }

    /** Books a trade that now counts as closed on the day of its close. */
    private void addToDay(String username, TradeFacts closed) {
        jdbc.update("""
                insert into %s as d (username, day, realized_pnl, closed_trades) values (?, ?, ?, 1)
                on conflict (username, day) do update set
                    realized_pnl = d.realized_pnl + excluded.realized_pnl, closed_trades = d.closed_trades + 1"""
                        .formatted(tables.daily()),
                username, new SqlParameterValue(Types.DATE, closed.closeDate()), number(closed.realizedPnl()));
    }

    /**
     * The strategy's MFE/MAE distribution, recounted from its finished trades when one more finishes (a median
     * cannot be moved by increments). Under the user's lock, taken before the trade's figures were added.
     */
    private void recomputeExcursions(String username, String strategy) {
        jdbc.update(recountExcursions(tables, "and username = ? and strategy = ?"), username, strategy);
    }

    /**
     * The statement that recounts the MFE/MAE distribution of the groups (user and strategy) of {@code tables}'
     * finished trades that {@code filter} selects, into its excursions table: one trade finishing recounts its
     * group; a rebuild recounts every group at once.
     */
    static String recountExcursions(Tables tables, String filter) {
        // percentile_disc keeps numeric exactness: the median is the lower middle value of an even count
        return """
                insert into %s (username, strategy, trades, avg_mfe, median_mfe, max_mfe, avg_mae, median_mae, min_mae)
                select username, strategy, count(*), round(avg(mfe), 4),
                       percentile_disc(0.5) within group (order by mfe), max(mfe),
                       round(avg(mae), 4), percentile_disc(0.5) within group (order by mae), min(mae)
                from %s
                where %s and mfe is not null %s
                group by username, strategy
                on conflict (username, strategy) do update set
                    trades = excluded.trades, avg_mfe = excluded.avg_mfe, median_mfe = excluded.median_mfe,
                    max_mfe = excluded.max_mfe, avg_mae = excluded.avg_mae, median_mae = excluded.median_mae,
                    min_mae = excluded.min_mae""".formatted(tables.excursions(), tables.trades(), FINISHED, filter);
    }

    /**
     * Serializes the user's trades finishing across the processor's segments until the transaction ends. The
     * excursions are recounted from the finished facts; without the lock two segments finishing two trades of one
     * strategy at once would each see only its own fact (read committed) and the later commit would drop the
     * other. Taken before any aggregate row is touched, and one event per transaction (the processor's batch
     * size) holds one lock at a time, so no lock cycle forms.
     */
    private void lockUser(String username) {
        jdbc.query("select pg_advisory_xact_lock(hashtextextended(?, 0))", rs -> null, "analytics:" + username);
    }

    /** Binds the trade's user; null (event skipped) when the trade's TradePlaced was never projected here. */
    private String bindOwner(TradeEvent e, long version) {
        String tradeId = e.tradeId().value();
        String known = owners.get(tradeId);
        if (known != null) {
            userScope.bindCurrentTransaction(known);
            return known;
        }
        String bound = jdbc.queryForObject(BIND_OWNER, String.class, tradeId);
        if (bound == null || bound.isEmpty()) {
            log.warn("analytics skipped {} (version {}) of trade {}: its placement was never projected",
                    e.getClass().getSimpleName(), version, tradeId);
            return null;
        }
        owners.put(tradeId, bound);
        return bound;
    }

    /** The stored key of a strategy: '' for none (a key column cannot be null). */
    static String strategyKey(String strategy) {
        return strategy == null ? "" : strategy;
    }

    private static SqlParameterValue number(BigDecimal value) {
        return new SqlParameterValue(Types.NUMERIC, value);
    }

    private static SqlParameterValue time(Instant value) {
        return new SqlParameterValue(Types.TIMESTAMP_WITH_TIMEZONE, value == null ? null : value.atOffset(ZoneOffset.UTC));
    }
}
