package io.papertrading.query.trade;

import io.papertrading.query.QueryNode;
import io.papertrading.kernel.money.Money;
import io.papertrading.kernel.trade.event.PriceObservedEvent;
import io.papertrading.kernel.trade.event.TradeEvent;
import io.papertrading.kernel.trade.event.TradePlacedEvent;
import io.papertrading.kernel.trade.event.TradeStatusEvent;
import io.papertrading.query.support.BatchedProjection;
import io.papertrading.query.support.JoiningTransactionTemplate;
import io.papertrading.query.support.TradeOwners;
import io.papertrading.query.support.UserScope;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.SequenceNumber;
import org.axonframework.messaging.annotation.MessageIdentifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.SqlParameterValue;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.math.BigDecimal;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Projects the trade events into {@code paper_trades} (one row per trade) and {@code state_transitions} (one
 * row per status-changing event), writing through the RLS-bound app role with the trade's user bound.
 *
 * <p>The rules live in {@link TradeFold}: for each event this reads the trade's row (locked), folds the event
 * into it and writes the row back, with the transition row when the status moved; SQL only stores. The row's
 * {@code version} is the aggregate's version: the event's sequence number + 1. An event not newer than the row
 * (a redelivery, a replay over existing rows) folds to the same row and writes nothing, and transition rows are
 * keyed by the Axon event identifier as a second line of defence. Within one transaction (a processor batch)
 * a trade's row is read once: later events of the trade fold the row the batch last wrote.
 *
 * <p>Price observations update the price figures (see {@link TradeFold#observe}) and add a
 * {@code price_snapshots} row, thinned to at most {@value #MAX_SNAPSHOTS} per trade. They are not part of the
 * trade's stream and do not change its version, so the processor sequences events by trade id
 * ({@link io.papertrading.query.support.TradeSequencing}): an observation is applied in store order with the
 * trade's own events, which makes a replay produce the same rows as the live run.
 */
@QueryNode
@Component
@ProcessingGroup(TradeProjection.PROCESSING_GROUP)
public class TradeProjection implements BatchedProjection {

    /** The Axon processing group of this projection (its tokens, its replay). */
    public static final String PROCESSING_GROUP = "trades";

    private static final Logger log = LoggerFactory.getLogger(TradeProjection.class);
    private static final int OWNER_CACHE_SIZE = 100_000;
    private static final String BIND_OWNER =
            "select set_config('app.current_user', coalesce(paper_trade_owner(?), ''), true)";
    /** The most price snapshots kept per trade; thinning keeps at least half of this. */
    static final int MAX_SNAPSHOTS = 500;
    private static final String UPDATE_COLUMNS = """
            set filled_quantity = ?, entry_price = ?, exit_price = ?, stop_loss = ?, take_profit = ?, status = ?,
                close_reason = ?, realized_pnl = ?, unrealized_pnl = ?, last_price = ?, mfe = ?, mae = ?, notes = ?,
                broker = ?, broker_order_id = ?, exit_order_id = ?, version = ?, trade_context = ?::jsonb,
                opened_at = ?, closed_at = ?, updated_at = ?
            where id = ?""";
    /** Writes every column the fold owns; the last parameter is the trade id. */
    private static final String UPDATE_ROW = updateRowSql("paper_trades");

    private final JdbcTemplate jdbc;
    private final UserScope userScope;
    private final TransactionTemplate tx;
    private final TradeChangeSignal signal;
    private final TradeOwners owners = new TradeOwners(OWNER_CACHE_SIZE);
    /** This projection's key for what the current transaction knows and holds back ({@link #batch()}). */
    private final Object batchKey = new Object();

    /** {@code jdbc}, {@code userScope} and {@code transactionManager} are the engine's: one connection per batch. */
    public TradeProjection(JdbcTemplate jdbc, @Qualifier(UserScope.ENGINE) UserScope userScope,
                           PlatformTransactionManager transactionManager, TradeChangeSignal signal) {
        this.jdbc = jdbc;
        this.userScope = userScope;
        this.tx = new JoiningTransactionTemplate(transactionManager);
        this.signal = signal;
    }

    @EventHandler
    void on(TradePlacedEvent e, @SequenceNumber long seq, @MessageIdentifier String eventId) {
        TradeRow row = TradeFold.evolve(null, e, seq);
        TradeView t = row.trade();
        inTransaction(() -> {
            Batch b = batch();
            writeHeldBack(b);
            bind(b, e.username());
            int placed = jdbc.update("""
                    with placed as (
                        insert into paper_trades (id, username, symbol, option_symbol, option_type, strike, expiry,
                                                  side, quantity, order_type, limit_price, stop_loss, take_profit,
                                                  strategy, notes, idempotency_key, request_hash, status, version,
                                                  created_at, updated_at)
                        values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        on conflict (id) do nothing
                        returning id, username)
                    insert into state_transitions (trade_id, username, from_status, to_status, reason, actor,
                                                   occurred_at, event_id, version)
                    select id, username, null, ?::text, ?::text, ?::text, ?::timestamptz, ?::text, ?::bigint
                    from placed
                    on conflict (event_id) do nothing""",
                    t.tradeId(), t.username(), t.symbol(), text(t.optionSymbol()), text(name(t.optionType())),
                    number(t.strike()), date(t.expiry()), t.side().name(), t.quantity(), t.orderType().name(),
                    number(t.limitPrice()), number(t.stopLoss()), number(t.takeProfit()), text(t.strategy()),
                    text(t.notes()), text(t.idempotencyKey()), text(row.requestHash()),
                    t.status().name(), t.version(), time(t.createdAt()), time(t.updatedAt()),
                    t.status().name(), text(e.transitionReason()), text(e.actor()), time(e.occurredAt()), eventId, t.version());
            owners.put(e.tradeId().value(), e.username());
            if (placed > 0) {
                b.rows.put(t.tradeId(), row);
            }
        });
    }

    /** A status-changing event: the row moves, and the transition from the status it had is recorded. */
    @EventHandler
    void on(TradeStatusEvent e, @SequenceNumber long seq, @MessageIdentifier String eventId) {
        fold(e, seq, eventId);
    }

    /**
     * Any other event of a trade's stream, including a type added after this projection was written: it still
     * counts towards the version, so the row's version keeps matching the aggregate's.
     */
    @EventHandler
    void on(TradeEvent e, @SequenceNumber long seq) {
        fold(e, seq, null);
    }

    /**
     * Not part of the trade's stream: never changes its version, and only live trades are valued. An observation
     * not newer than the trade's latest snapshot (a redelivery, a replayed duplicate) changes nothing, so the
     * snapshot series stays in time order and a thinned-out snapshot is never re-inserted. MFE and MAE move only
     * while the trade is live, so a finished trade keeps its final figures.
     */
    @EventHandler
    void on(PriceObservedEvent e, @MessageIdentifier String eventId) {
        String tradeId = e.tradeId().value();
        inTransaction(() -> {
            Batch b = batch();
            writeHeldBack(b);
            bind(b, e.username());
            TradeRow row = jdbc.query("select " + TradeRows.ROW_COLUMNS + """
                     from paper_trades
                    where id = ? and not exists (select 1 from price_snapshots s where s.trade_id = ? and s.at >= ?::timestamptz)
                    for update""", (rs, n) -> TradeRows.row(rs), tradeId, tradeId, time(e.occurredAt()))
                    .stream().findFirst().orElse(null);
            TradeRow valued = TradeFold.observe(row, e);
            if (valued == row) {
                remember(b, row);
                return;
            }
            jdbc.update(UPDATE_ROW, rowValues(valued));
            int inserted = jdbc.update("""
                    insert into price_snapshots (trade_id, username, at, bid, ask, last, mark, underlying_price,
                                                 iv, delta, unrealized_pnl, mfe, mae, event_id)
                    values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    on conflict (event_id) do nothing""",
                    tradeId, valued.trade().username(), time(e.occurredAt()), money(e.bid()), money(e.ask()),
                    money(e.last()), money(e.mark()), money(e.underlyingPrice()), number(e.impliedVolatility()),
                    number(e.delta()), number(TradeFold.valuation(row, e.valuationPrice())),
                    number(valued.trade().mfe()), number(valued.trade().mae()), eventId);
            if (inserted > 0) {
                thinSnapshots(tradeId);
            }
            remember(b, valued);
        });
    }

    /**
     * Keeps a trade's price history between {@link #MAX_SNAPSHOTS}/2 and {@link #MAX_SNAPSHOTS} rows however long
     * it lives: once it grows past the maximum, every second snapshot is dropped (the first and the latest stay),
     * which halves the resolution of the older history. Deterministic for a given event order, so a replay
     * keeps the same rows. The MFE/MAE figures are kept on the trade row, so thinning never loses them.
     */
    private void thinSnapshots(String tradeId) {
        Integer count = jdbc.queryForObject("select count(*) from price_snapshots where trade_id = ?",
                Integer.class, tradeId);
        if (count == null || count <= MAX_SNAPSHOTS) {
            return;
        }
        jdbc.update("""
                delete from price_snapshots where id in (
                    select id from (
                        select id, row_number() over (order by at, id) as rn, count(*) over () as n
                        from price_snapshots where trade_id = ?) ranked
                    where rn % 2 = 0 and rn < n)""", tradeId);
    }

    /** Empties the projection across all users before a replay (see {@code paper_reset_trade_projection}). */
    @ResetHandler
    void reset() {
        tx.executeWithoutResult(status -> {
            jdbc.execute("select paper_reset_trade_projection()");
            batch().forget();
        });
        owners.clear();
        signal.changed();
    }

    /**
     * Reads the trade's row, folds the event into it and holds the result back: the trade's next event, if it
     * comes next in the batch (a command's events do), folds onto it, and the row is written once, with every
     * transition a status-changing event ({@code eventId} given) recorded. What is held back is written before any
     * other trade's event, before a placement or a price, and before the transaction commits.
     */
    private void fold(TradeEvent e, long seq, String eventId) {
        long version = seq + 1;
        inTransaction(() -> {
            Batch b = batch();
            String tradeId = e.tradeId().value();
            if (b.heldBack != null && !b.heldBack.tradeId.equals(tradeId)) {
                writeHeldBack(b);
            }
            if (!bindOwner(b, e, version)) {
                return;
            }
            TradeRow row = b.rows.get(tradeId);
            if (row == null) {
                row = jdbc.query("select " + TradeRows.ROW_COLUMNS + " from paper_trades where id = ? for update",
                        (rs, n) -> TradeRows.row(rs), tradeId).stream().findFirst().orElse(null);
            }
            TradeRow next = TradeFold.evolve(row, e, seq);
            if (next != row) {
                HeldBack held = b.heldBack != null ? b.heldBack : new HeldBack(tradeId);
                held.row = next;
                if (e instanceof TradeStatusEvent moved && eventId != null) {
                    held.transitions.add(new Object[] {text(row.trade().status().name()), moved.newStatus().name(),
                            text(moved.transitionReason()), text(moved.actor()), time(e.occurredAt()), eventId, version});
                }
                b.heldBack = held;
            }
            remember(b, next);
        });
    }

    /** Writes what the current transaction holds back (the last trade's folded row); nothing when there is nothing. */
    @Override
    public void flush() {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            writeHeldBack(batch());
        }
    }

    /** Forgets what the current transaction folded and knows of the connection: its writes were rolled back. */
    @Override
    public void discard() {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            batch().forget();
        }
    }

    /** The held back row in one statement, with the transitions of the events folded into it. */
    private void writeHeldBack(Batch b) {
        HeldBack held = b.heldBack;
        if (held == null) {
            return;
        }
        b.heldBack = null;
        bind(b, held.row.trade().username());
        if (held.transitions.isEmpty()) {
            jdbc.update(UPDATE_ROW, rowValues(held.row));
            return;
        }
        List<Object> params = new ArrayList<>(Arrays.asList(rowValues(held.row)));
        StringBuilder values = new StringBuilder();
        for (Object[] transition : held.transitions) {
            values.append(values.isEmpty() ? "" : ", ")
                    .append("(?::text, ?::text, ?::text, ?::text, ?::timestamptz, ?::text, ?::bigint)");
            params.addAll(Arrays.asList(transition));
        }
        jdbc.update("with moved as (" + UPDATE_ROW + """
                 returning id, username)
                insert into state_transitions (trade_id, username, from_status, to_status, reason, actor,
                                               occurred_at, event_id, version)
                select id, username, t.from_status, t.to_status, t.reason, t.actor, t.occurred_at, t.event_id, t.version
                from moved, (values %s) as t (from_status, to_status, reason, actor, occurred_at, event_id, version)
                on conflict (event_id) do nothing""".formatted(values), params.toArray());
    }

    /** Binds {@code username} for the rest of the transaction unless it is bound already. */
    private void bind(Batch b, String username) {
        if (!username.equals(b.bound)) {
            userScope.bindCurrentTransaction(username);
            b.bound = username;
        }
    }

    /**
     * What the current transaction (a processor batch) knows and holds back: the trade rows it has read (locked)
     * or folded, by trade id, so a batch reads each trade's row once; the user bound on its connection; the last
     * trade's row not written yet. Bound on first use in a transaction, which also wakes waiting readers once the
     * transaction commits (once per batch), and writes what is held back before it commits. A handler rolled back
     * to its savepoint makes it forget everything ({@link #discard}). Outside a transaction, a fresh one each time.
     */
    private Batch batch() {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            return new Batch();
        }
        Batch b = (Batch) TransactionSynchronizationManager.getResource(batchKey);
        if (b == null) {
            Batch fresh = new Batch();
            TransactionSynchronizationManager.bindResource(batchKey, fresh);
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void beforeCommit(boolean readOnly) {
                    writeHeldBack(fresh);
                }

                @Override
                public void afterCommit() {
                    signal.changed();
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

    private static void remember(Batch b, TradeRow row) {
        if (row != null) {
            b.rows.put(row.trade().tradeId(), row);
        }
    }

    private static final class Batch {
        final Map<String, TradeRow> rows = new HashMap<>();
        /** The user bound on the connection now (set_config of this transaction); null when not known. */
        String bound;
        HeldBack heldBack;

        void forget() {
            rows.clear();
            bound = null;
            heldBack = null;
        }
    }

    /** A trade's row folded and not written yet, with the transitions of the events folded into it. */
    private static final class HeldBack {
        final String tradeId;
        final List<Object[]> transitions = new ArrayList<>();
        TradeRow row;

        HeldBack(String tradeId) {
            this.tradeId = tradeId;
        }
    }

    /** The statement writing every column the fold owns into {@code table}; see {@link #rowValues}. */
    static String updateRowSql(String table) {
        return "update " + table + "\n" + UPDATE_COLUMNS;
    }

    /** The parameters of {@link #UPDATE_ROW} (or {@link #updateRowSql}) for {@code row}. */
    static Object[] rowValues(TradeRow row) {
        TradeView t = row.trade();
        return new Object[] {t.filledQuantity(), number(t.entryPrice()), number(t.exitPrice()), number(t.stopLoss()),
                number(t.takeProfit()), t.status().name(), text(name(t.closeReason())), number(t.realizedPnl()),
                number(t.unrealizedPnl()), number(t.lastPrice()), number(t.mfe()), number(t.mae()), text(t.notes()),
                text(t.broker()), text(t.brokerOrderId()), text(row.exitOrderId()), t.version(),
                text(TradeRows.contextJson(t.tradeContext())), time(t.openedAt()), time(t.closedAt()),
                time(t.updatedAt()), t.tradeId()};
    }

    private static String name(Enum<?> value) {
        return value == null ? null : value.name();
    }

    /**
     * Binds the trade's user to the current transaction; false when no row of the trade exists (its
     * TradePlaced was never projected), in which case the event is skipped.
     */
    private boolean bindOwner(Batch b, TradeEvent e, long version) {
        String tradeId = e.tradeId().value();
        String known = owners.get(tradeId);
        if (known != null) {
            bind(b, known);
            return true;
        }
        String bound = jdbc.queryForObject(BIND_OWNER, String.class, tradeId);
        if (bound == null || bound.isEmpty()) {
            b.bound = null;
            log.warn("skipped {} (version {}) of trade {}: the trade has no row in the read model",
                    e.getClass().getSimpleName(), version, tradeId);
            return false;
        }
        b.bound = bound;
        owners.put(tradeId, bound);
        return true;
    }

    /** Joins the processor's transaction, or opens one; waiting readers are woken once it commits. */
    private void inTransaction(Runnable work) {
        tx.executeWithoutResult(status -> {
            work.run();
            if (!TransactionSynchronizationManager.isSynchronizationActive()) {
                signal.changed();
            }
        });
    }

    int cachedOwners() {
        return owners.size();
    }

    // Typed parameters: a null must still tell the driver its SQL type, and no value ever becomes SQL text.

    private static SqlParameterValue text(String value) {
        return new SqlParameterValue(Types.VARCHAR, value);
    }

    private static SqlParameterValue number(BigDecimal value) {
        return new SqlParameterValue(Types.NUMERIC, value);
    }

    private static SqlParameterValue money(Money value) {
        return number(value == null ? null : value.amount());
    }

    private static SqlParameterValue date(LocalDate value) {
        return new SqlParameterValue(Types.DATE, value);
    }

    private static SqlParameterValue time(Instant value) {
        return new SqlParameterValue(Types.TIMESTAMP_WITH_TIMEZONE, value == null ? null : value.atOffset(ZoneOffset.UTC));
    }
}
