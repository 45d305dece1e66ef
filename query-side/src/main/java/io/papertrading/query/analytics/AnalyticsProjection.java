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
import io.papertrading.query.support.BatchedProjection;
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
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

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
 *
 * <p><b>In batches.</b> A processor batch's events are folded in memory ({@link BatchedProjection}): each trade's
 * fact row is read (locked) once, and what the batch changed is written when its transaction is about to commit,
 * user by user in name order, each user's facts, then strategy totals, days and excursion recounts in key order.
 * Every batch takes the rows other segments also write (a user's strategy and day totals) in that one order, so two
 * segments never wait on each other in a cycle. A trade finishing recounts its strategy's excursions after moving
 * the strategy's totals row: that row's lock holds a second segment finishing a trade of the same strategy until
 * the first commits, so its recount sees both facts.
 */
@QueryNode
@Component
@ProcessingGroup(AnalyticsProjection.PROCESSING_GROUP)
public class AnalyticsProjection implements BatchedProjection {

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
    /** This projection's key for the {@link Batch} of the current transaction. */
    private final Object batchKey = new Object();

    /** {@code jdbc}, {@code userScope} and {@code transactionManager} are the engine's: one connection per batch. */
    @Autowired
    public AnalyticsProjection(JdbcTemplate jdbc, @Qualifier(UserScope.ENGINE) UserScope userScope,
                               PlatformTransactionManager transactionManager) {
        this(jdbc, userScope, transactionManager, Tables.LIVE);
    }

    /** The projection writing {@code tables}. */
    AnalyticsProjection(JdbcTemplate jdbc, UserScope userScope, PlatformTransactionManager transactionManager,
                        Tables tables) {
        this.jdbc = jdbc;
        this.userScope = userScope;
        this.tx = new JoiningTransactionTemplate(transactionManager);
        this.tables = tables;
    }

    /**
     * Folds one stored event as the matching handler would (a rebuild's catch-up); events the projection has no
     * handler for change nothing. What it changed is written by {@link #flush} or when the transaction commits.
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
        inBatch(b -> {
            bind(b, t.username());
            int inserted = jdbc.update("""
                    insert into %s (trade_id, username, strategy, side, multiplier, status, version)
                    values (?, ?, ?, ?, ?, ?, ?)
                    on conflict (trade_id) do nothing""".formatted(tables.trades()),
                    t.tradeId(), t.username(), strategyKey(t.strategy()), t.side().name(), row.multiplier(),
                    t.status().name(), t.version());
            owners.put(t.tradeId(), t.username());
            if (inserted > 0) {
                b.facts.put(t.tradeId(), new Fact(placedFact(row), null));
            }
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
        inBatch(b -> {
            String tradeId = e.tradeId().value();
            Fact f = b.facts.get(tradeId);
            if (f == null && !b.facts.containsKey(tradeId)) {
                bind(b, e.username());
                // the user is matched here as well as by row-level security, which a rebuild's shadows do not have;
                // a trade of another user stays unknown to the batch, not absent
                f = load(b, tradeId, e.username());
            }
            if (f == null) {
                return;
            }
            TradeRow valued = observeFact(f.row, f.priceAt, e);
            if (valued == f.row) {
                return;
            }
            b.count(f.row, valued);
            f.row = valued;
            f.priceAt = TradeFold.micros(e.occurredAt());
            b.changed.add(tradeId);
        });
    }

    @ResetHandler
    void reset() {
        tx.executeWithoutResult(status -> {
            jdbc.execute("select analytics_reset_projection()");
            discard();
        });
        owners.clear();
    }

    /**
     * Folds a stream event into the trade's facts ({@link TradeFold}; only if newer than them) and counts what it
     * changed in the trade's groups.
     */
    private void apply(TradeEvent e, long seq) {
        String tradeId = e.tradeId().value();
        inBatch(b -> {
            Fact f = b.facts.get(tradeId);
            if (f == null && !b.facts.containsKey(tradeId)) {
                if (!bindOwner(b, e, seq + 1)) {
                    return;
                }
                f = load(b, tradeId, null);
            }
            if (f == null) {
                return;
            }
            TradeRow next = foldFact(f.row, e, seq);
            if (next == f.row) {
                return;
            }
            b.count(f.row, next);
            f.row = next;
            b.changed.add(tradeId);
        });
    }

    /**
     * The fact row a stream event folds {@code row} into, as the projection reads it back ({@link #factRow}); {@code
     * row} itself when the event changes nothing (not newer, or an unknown trade).
     */
    static TradeRow foldFact(TradeRow row, TradeEvent e, long seq) {
        TradeRow next = TradeFold.evolve(row, e, seq);
        if (next == row) {
            return row;
        }
        TradeFacts f = TradeFacts.of(next);
        TradeView t = row.trade();
        return factRow(t.tradeId(), t.username(), t.strategy(), t.side(), row.multiplier(), f.status(),
                f.heldQuantity(), f.entryPrice(), f.realizedPnl(), f.unrealizedPnl(), f.mfe(), f.mae(), f.openedAt(),
                f.closedAt(), f.version());
    }

    /**
     * The fact row a quote values {@code row} at, as read back; {@code row} itself unless the trade is live with an
     * entry price, of the quote's user, and the quote newer than {@code priceAt} (the last one applied).
     */
    static TradeRow observeFact(TradeRow row, Instant priceAt, PriceObservedEvent e) {
        TradeView t = row.trade();
        Instant at = TradeFold.micros(e.occurredAt());
        if (e.valuationPrice() == null || !TradeFacts.LIVE.contains(t.status()) || t.entryPrice() == null
                || !t.username().equals(e.username()) || priceAt != null && !priceAt.isBefore(at)) {
            return row;
        }
        TradeRow valued = TradeFold.observe(row, e);
        if (valued == row) {
            return row;
        }
        TradeView v = valued.trade();
        return factRow(t.tradeId(), t.username(), t.strategy(), t.side(), row.multiplier(), t.status(),
                t.filledQuantity(), t.entryPrice(), t.realizedPnl(), v.unrealizedPnl(), v.mfe(), v.mae(), t.openedAt(),
                t.closedAt(), t.version());
    }

    /** The fact row of a trade just placed, as its placement inserts it (identity, status, version). */
    static TradeRow placedFact(TradeRow placed) {
        TradeView t = placed.trade();
        return factRow(t.tradeId(), t.username(), strategyKey(t.strategy()), t.side(), placed.multiplier(), t.status(),
                0, null, null, null, null, null, null, null, t.version());
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

    // ----------------------------------------------------------------------------------------------- batch

    /** A trade's facts as the current transaction has them: read (locked) from the table or folded since. */
    private static final class Fact {
        TradeRow row;
        /** The time of the last price applied, at microseconds as stored. */
        Instant priceAt;

        Fact(TradeRow row, Instant priceAt) {
            this.row = row;
            this.priceAt = priceAt;
        }
    }

    /** A user's strategy (its key: '' for none). */
    private record Group(String username, String strategy) {
    }

    private record Day(String username, LocalDate day) {
    }

    /** What a day's closes add to its realized P&amp;L and count. */
    private record DayTotal(BigDecimal realizedPnl, int closes) {
        DayTotal plus(DayTotal o) {
            return new DayTotal(realizedPnl.add(o.realizedPnl), closes + o.closes);
        }
    }

    /** One user's writes of a batch, each kind in key order when written. */
    private record UserWrites(List<Fact> facts, List<Group> groups, List<Day> days) {
        UserWrites() {
            this(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        }
    }

    /** What the current transaction folded and has not written yet, and what it knows of the connection. */
    private static final class Batch {
        /** By trade id; a null value: the trade has no fact row. */
        final Map<String, Fact> facts = new HashMap<>();
        final Set<String> changed = new HashSet<>();
        final Map<Group, StrategyTally> strategies = new HashMap<>();
        final Map<Day, DayTotal> days = new HashMap<>();
        final Set<Group> finished = new HashSet<>();
        /** The user bound on the connection now (set_config of this transaction); null when not known. */
        String bound;

        /** Counts the change of a trade's facts in its strategy (moved by the difference), day and excursions. */
        void count(TradeRow before, TradeRow after) {
            TradeFacts was = TradeFacts.of(before);
            TradeFacts now = TradeFacts.of(after);
            String username = after.trade().username();
            String strategy = after.trade().strategy();
            Group group = new Group(username, strategy);
            strategies.merge(group, now.tally(strategy).minus(was.tally(strategy)), StrategyTally::plus);
            if (now.closed() && !was.closed()) {
                days.merge(new Day(username, now.closeDate()), new DayTotal(now.realizedPnl(), 1), DayTotal::plus);
            }
            if (now.finished() && !was.finished()) {
                finished.add(group);
            }
        }

        void written() {
            changed.clear();
            strategies.clear();
            days.clear();
            finished.clear();
        }

        void forget() {
            written();
            facts.clear();
            bound = null;
        }
    }

    /** Runs {@code work} on the current transaction's batch (opening a transaction of its own if there is none). */
    private void inBatch(Consumer<Batch> work) {
        tx.executeWithoutResult(status -> work.accept(batch()));
    }

    private Batch batch() {
        Batch b = (Batch) TransactionSynchronizationManager.getResource(batchKey);
        if (b == null) {
            Batch fresh = new Batch();
            TransactionSynchronizationManager.bindResource(batchKey, fresh);
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void beforeCommit(boolean readOnly) {
                    write(fresh);
                }

                @Override
                public void afterCompletion(int status) {
                    TransactionSynchronizationManager.unbindResourceIfPossible(batchKey);
                }
            });
            b = fresh;
        }
        return b;
    }

    @Override
    public void flush() {
        if (TransactionSynchronizationManager.hasResource(batchKey)) {
            write((Batch) TransactionSynchronizationManager.getResource(batchKey));
        }
    }

    @Override
    public void discard() {
        Batch b = (Batch) TransactionSynchronizationManager.unbindResourceIfPossible(batchKey);
        if (b != null) {
            b.forget(); // its transaction's synchronization must not write it when it commits
        }
    }

    /**
     * Writes the batch: user by user in name order, the user's changed facts, strategy totals, days and excursion
     * recounts, each in key order (see the class comment for why this order).
     */
    private void write(Batch b) {
        if (b.changed.isEmpty()) { // every change of totals comes with a change of a trade's facts
            return;
        }
        Map<String, UserWrites> byUser = new TreeMap<>();
        b.changed.forEach(tradeId -> {
            Fact f = b.facts.get(tradeId);
            byUser.computeIfAbsent(f.row.trade().username(), u -> new UserWrites()).facts().add(f);
        });
        b.strategies.keySet().forEach(g -> byUser.computeIfAbsent(g.username(), u -> new UserWrites()).groups().add(g));
        b.days.keySet().forEach(d -> byUser.computeIfAbsent(d.username(), u -> new UserWrites()).days().add(d));
        byUser.forEach((username, writes) -> {
            bind(b, username);
            List<Fact> facts = writes.facts();
            facts.sort(Comparator.comparing(f -> f.row.trade().tradeId()));
            jdbc.batchUpdate("""
                    update %s
                    set status = ?, filled_quantity = ?, entry_price = ?, realized_pnl = ?, unrealized_pnl = ?, mfe = ?,
                        mae = ?, opened_at = ?, closed_at = ?, close_date = ?, version = ?, price_at = ?
                    where trade_id = ?""".formatted(tables.trades()), facts.stream().map(AnalyticsProjection::factValues).toList());
            List<Group> groups = writes.groups();
            groups.sort(Comparator.comparing(Group::strategy));
            jdbc.batchUpdate("""
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
                    groups.stream().map(g -> strategyValues(g, b.strategies.get(g))).toList());
            List<Day> days = writes.days();
            days.sort(Comparator.comparing(Day::day));
            jdbc.batchUpdate("""
                    insert into %s as d (username, day, realized_pnl, closed_trades) values (?, ?, ?, ?)
                    on conflict (username, day) do update set
                        realized_pnl = d.realized_pnl + excluded.realized_pnl,
                        closed_trades = d.closed_trades + excluded.closed_trades""".formatted(tables.daily()),
                    days.stream().map(d -> new Object[] {d.username(), new SqlParameterValue(Types.DATE, d.day()),
                            number(b.days.get(d).realizedPnl()), b.days.get(d).closes()}).toList());
            List<Object[]> recounts = groups.stream().filter(b.finished::contains)
                    .map(g -> new Object[] {g.username(), g.strategy()}).toList();
            jdbc.batchUpdate(recountExcursions(tables, "and username = ? and strategy = ?"), recounts);
        });
        b.written();
    }

    private static Object[] factValues(Fact fact) {
        TradeFacts f = TradeFacts.of(fact.row);
        return new Object[] {f.status().name(), f.heldQuantity(), number(f.entryPrice()), number(f.realizedPnl()),
                number(f.unrealizedPnl()), number(f.mfe()), number(f.mae()), time(f.openedAt()), time(f.closedAt()),
                new SqlParameterValue(Types.DATE, f.closeDate()), f.version(), time(fact.priceAt),
                fact.row.trade().tradeId()};
    }

    private static Object[] strategyValues(Group g, StrategyTally d) {
        return new Object[] {g.username(), g.strategy(), d.openTrades(), d.closedTrades(), d.wins(), d.losses(),
                number(d.grossProfit()), number(d.grossLoss()), number(d.realizedPnl()), number(d.unrealizedPnl())};
    }

    /**
     * Reads a trade's facts, locked for the batch, and keeps them in the batch; only of {@code username} when given
     * (and then a miss is not kept: the trade may be another user's), else also that it has none.
     */
    private Fact load(Batch b, String tradeId, String username) {
        Object[] args = username == null ? new Object[] {tradeId} : new Object[] {tradeId, username};
        Fact f = jdbc.query("select " + FACT_COLUMNS + ", price_at from " + tables.trades() + " where trade_id = ?"
                        + (username == null ? "" : " and username = ?") + " for update",
                        (rs, n) -> new Fact(fact(rs), instant(rs, "price_at")), args)
                .stream().findFirst().orElse(null);
        if (f != null || username == null) {
            b.facts.put(tradeId, f);
        }
        return f;
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

    /** Binds {@code username} for the rest of the transaction unless it is bound already. */
    private void bind(Batch b, String username) {
        if (!username.equals(b.bound)) {
            userScope.bindCurrentTransaction(username);
            b.bound = username;
        }
    }

    /** Binds the trade's user; false (event skipped) when the trade's TradePlaced was never projected here. */
    private boolean bindOwner(Batch b, TradeEvent e, long version) {
        String tradeId = e.tradeId().value();
        String known = owners.get(tradeId);
        if (known != null) {
            bind(b, known);
            return true;
        }
        String bound = jdbc.queryForObject(BIND_OWNER, String.class, tradeId);
        b.bound = bound;
        if (bound == null || bound.isEmpty()) {
            log.warn("analytics skipped {} (version {}) of trade {}: its placement was never projected",
                    e.getClass().getSimpleName(), version, tradeId);
            return false;
        }
        owners.put(tradeId, bound);
        return true;
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
