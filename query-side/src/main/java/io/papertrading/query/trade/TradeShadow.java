package io.papertrading.query.trade;

import io.papertrading.kernel.money.Money;
import io.papertrading.query.support.CopyRows;
import io.papertrading.query.trade.TradeRebuildFold.Held;
import io.papertrading.query.trade.TradeRebuildFold.Snapshot;
import io.papertrading.query.trade.TradeRebuildFold.Transition;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.SqlParameterValue;

import javax.sql.DataSource;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The trades projection's shadow tables (migration V36: {@code paper_trades_rebuild}, {@code
 * state_transitions_rebuild}, {@code price_snapshots_rebuild}) as a bulk rebuild fills them: trades bulk-loaded
 * with COPY from a writer thread of its own ({@link Loader}), then the catch-up's few changes written with plain
 * statements in the caller's transaction ({@link #catchUp}). The engine role writes them; row-level security is
 * off on a shadow (COPY refuses a table under it) and the request role cannot read one at all.
 *
 * <p>A trade whose rows the database refuses (a value out of a column's range, a second trade claiming a user's
 * idempotency key: data only events from outside the command API can carry) is left out and logged, as the live
 * projection would park it; the other trades of its batch are loaded one by one.
 */
final class TradeShadow {

    private static final Logger log = LoggerFactory.getLogger(TradeShadow.class);

    static final String TRADES = "paper_trades_rebuild";
    static final String TRANSITIONS = "state_transitions_rebuild";
    static final String SNAPSHOTS = "price_snapshots_rebuild";

    private static final String TRADE_COLUMNS = """
            id, username, symbol, option_symbol, option_type, strike, expiry, side, quantity, filled_quantity,
            order_type, limit_price, entry_price, exit_price, stop_loss, take_profit, status, close_reason,
            realized_pnl, unrealized_pnl, last_price, mfe, mae, strategy, notes, broker, broker_order_id, exit_order_id,
            idempotency_key, request_hash, version, trade_context, created_at, opened_at, closed_at, updated_at""";
    private static final String TRANSITION_COLUMNS =
            "trade_id, username, from_status, to_status, reason, actor, occurred_at, event_id, version";
    private static final String SNAPSHOT_COLUMNS = "trade_id, username, at, bid, ask, last, mark, underlying_price, iv, "
            + "delta, unrealized_pnl, mfe, mae, event_id";
    /** Trades per COPY batch (and transaction). */
    private static final int BATCH_TRADES = 1_000;

    private TradeShadow() {
    }

    // ------------------------------------------------------------------------------------------------ bulk load

    /**
     * Loads finished trades into the shadow tables, one writer thread per table on a connection of its own: {@link
     * #add} collects trades into batches, and each writer encodes its table's rows of a batch and COPYs them in a
     * transaction of their own. The queues to the writers are short, so the fold waits for the database rather than
     * filling the heap. The shadows have no keys or foreign keys while they load, so the writers need no order
     * between them; a trade whose rows one writer's table refuses is removed from all three at {@link #finish}.
     */
    static final class Loader implements AutoCloseable {

        private static final List<Held> END = List.of();

        private final DataSource dataSource;
        private final List<BlockingQueue<List<Held>>> queues = new ArrayList<>();
        private final List<Thread> writers = new ArrayList<>();
        private final AtomicReference<Exception> failure = new AtomicReference<>();
        private final AtomicLong written = new AtomicLong();
        private final Set<String> refused = ConcurrentHashMap.newKeySet();
        private List<Held> batch = new ArrayList<>(BATCH_TRADES);

        Loader(DataSource dataSource, String name) {
            this.dataSource = dataSource;
            for (Table table : Table.values()) {
                BlockingQueue<List<Held>> queue = new ArrayBlockingQueue<>(1);
                Thread writer = new Thread(() -> write(table, queue), name + "-" + table.name().toLowerCase(java.util.Locale.ROOT));
                writer.setDaemon(true);
                queues.add(queue);
                writers.add(writer);
                writer.start();
            }
        }

        /** Adds a trade whose rows are final (until the catch-up); it is not touched again. */
        void add(Held trade) throws Exception {
            batch.add(trade);
            if (batch.size() >= BATCH_TRADES) {
                hand(batch);
                batch = new ArrayList<>(BATCH_TRADES);
            }
        }

        /**
         * Writes what is left, waits for the writers (throwing what stopped one) and removes the refused trades'
         * rows from every table.
         */
        void finish(JdbcTemplate jdbc) throws Exception {
            if (!batch.isEmpty()) {
                hand(batch);
            }
            batch = new ArrayList<>();
            hand(END);
            for (Thread writer : writers) {
                writer.join();
            }
            rethrow();
            if (!refused.isEmpty()) {
                String[] ids = refused.toArray(String[]::new);
                jdbc.update("delete from " + SNAPSHOTS + " where trade_id = any(?)", (Object) ids);
                jdbc.update("delete from " + TRANSITIONS + " where trade_id = any(?)", (Object) ids);
                jdbc.update("delete from " + TRADES + " where id = any(?)", (Object) ids);
            }
        }

        /** Trades written so far (their rows in every table). */
        long written() {
            return written.get() - refused.size();
        }

        /** Ids of the trades the database refused. */
        List<String> refused() {
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

        private void hand(List<Held> trades) throws Exception {
            for (BlockingQueue<List<Held>> queue : queues) {
                while (!queue.offer(trades, 100, TimeUnit.MILLISECONDS)) {
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

        private void write(Table table, BlockingQueue<List<Held>> queue) {
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(false);
                CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
                CopyRows rows = new CopyRows();
                int[] ends = new int[BATCH_TRADES];
                for (List<Held> trades = queue.take(); trades != END; trades = queue.take()) {
                    rows.clear();
                    if (ends.length < trades.size()) {
                        ends = new int[trades.size()];
                    }
                    for (int i = 0; i < trades.size(); i++) {
                        table.encode(rows, trades.get(i));
                        ends[i] = rows.length();
                    }
                    write(table, c, copy, trades, rows, ends);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure.compareAndSet(null, e);
            } catch (Exception e) {
                failure.compareAndSet(null, e);
            }
        }

        private void write(Table table, Connection c, CopyManager copy, List<Held> trades, CopyRows rows, int[] ends)
                throws SQLException {
            try {
                relaxCommit(c);
                copy(copy, table, rows, 0, rows.length());
                c.commit();
                if (table == Table.TRADES) {
                    written.addAndGet(trades.size());
                }
                return;
            } catch (SQLException e) {
                c.rollback();
                if (!refusedData(e)) {
                    throw e;
                }
            }
            // something in the batch is refused: each trade's rows on their own, leaving out the refused ones
            for (int i = 0; i < trades.size(); i++) {
                String id = trades.get(i).row().trade().tradeId();
                try {
                    relaxCommit(c);
                    copy(copy, table, rows, i == 0 ? 0 : ends[i - 1], ends[i]);
                    c.commit();
                } catch (SQLException e) {
                    c.rollback();
                    if (!refusedData(e)) {
                        throw e;
                    }
                    refused.add(id);
                    log.warn("rebuild left out trade {}: the database refused its {} ({})", id, table.table,
                            e.getSQLState());
                }
            }
            if (table == Table.TRADES) {
                written.addAndGet(trades.size());
            }
        }

        /**
         * A shadow's rows are worth nothing until the switch, which commits as usual: a load's commits need not wait
         * for the disk (a crash loses at most the load, which the next rebuild starts over).
         */
        private static void relaxCommit(Connection c) throws SQLException {
            try (var st = c.createStatement()) {
                st.execute("set local synchronous_commit = off");
            }
        }

        private static void copy(CopyManager copy, Table table, CopyRows rows, int from, int to) throws SQLException {
            if (to <= from) {
                return;
            }
            CopyIn in = copy.copyIn(table.copy);
            try {
                in.writeToCopy(rows.bytes(), from, to - from);
                in.endCopy();
            } finally {
                if (in.isActive()) {
                    in.cancelCopy();
                }
            }
        }
    }

    /** Integrity and data errors: the rows are refused, the connection is fine. */
    static boolean refusedData(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("22") || state.startsWith("23"));
    }

    /** The three tables, each with its COPY statement and its rows of a trade. */
    private enum Table {
        TRADES(TradeShadow.TRADES, TRADE_COLUMNS) {
            @Override
            void encode(CopyRows out, Held h) {
                TradeShadow.encode(out, h.row());
            }
        },
        TRANSITIONS(TradeShadow.TRANSITIONS, TRANSITION_COLUMNS) {
            @Override
            void encode(CopyRows out, Held h) {
                for (Transition t : h.transitions()) {
                    TradeShadow.encode(out, t);
                }
            }
        },
        SNAPSHOTS(TradeShadow.SNAPSHOTS, SNAPSHOT_COLUMNS) {
            @Override
            void encode(CopyRows out, Held h) {
                for (Snapshot s : h.newSnapshots()) {
                    TradeShadow.encode(out, h.row().trade(), s);
                }
            }
        };

        private final String table;
        private final String copy;

        Table(String table, String columns) {
            this.table = table;
            this.copy = "copy " + table + " (" + columns + ") from stdin";
        }

        abstract void encode(CopyRows out, Held h);
    }

    static void encode(CopyRows out, TradeRow row) {
        TradeView t = row.trade();
        out.text(t.tradeId()).text(t.username()).text(t.symbol()).text(t.optionSymbol()).text(name(t.optionType()))
                .number(t.strike()).date(t.expiry()).text(t.side().name()).number(t.quantity())
                .number(t.filledQuantity()).text(t.orderType().name()).number(t.limitPrice()).number(t.entryPrice())
                .number(t.exitPrice()).number(t.stopLoss()).number(t.takeProfit()).text(t.status().name())
                .text(name(t.closeReason())).number(t.realizedPnl()).number(t.unrealizedPnl()).number(t.lastPrice())
                .number(t.mfe()).number(t.mae()).text(t.strategy()).text(t.notes()).text(t.broker())
                .text(t.brokerOrderId()).text(row.exitOrderId()).text(t.idempotencyKey()).text(row.requestHash())
                .number(t.version()).text(TradeRows.contextJson(t.tradeContext())).time(t.createdAt())
                .time(t.openedAt()).time(t.closedAt()).time(t.updatedAt()).endRow();
    }

    static void encode(CopyRows out, Transition t) {
        out.text(t.tradeId()).text(t.username()).text(name(t.from())).text(t.to().name()).text(t.reason())
                .text(t.actor()).time(t.occurredAt()).text(t.eventId()).number(t.version()).endRow();
    }

    static void encode(CopyRows out, TradeView trade, Snapshot s) {
        var e = s.price();
        out.text(trade.tradeId()).text(trade.username()).time(s.at()).number(amount(e.bid())).number(amount(e.ask()))
                .number(amount(e.last())).number(amount(e.mark())).number(amount(e.underlyingPrice()))
                .number(e.impliedVolatility()).number(e.delta()).number(s.unrealizedPnl()).number(s.mfe())
                .number(s.mae()).text(s.eventId()).endRow();
    }

    /**
     * Removes from the loaded shadow tables every trade whose user's idempotency key a trade placed earlier (by
     * store order) also claims, with its transitions and snapshots; returns their ids. The live projection refuses
     * such a placement the same way (and parks it).
     */
    static List<String> removeIdempotencyTwins(JdbcTemplate jdbc) {
        List<String> twins = jdbc.queryForList("""
                select id from (
                    select t.id, row_number() over (partition by t.username, t.idempotency_key
                                                    order by e.global_index) as rank
                    from %s t join domain_event_entry e on e.aggregate_identifier = t.id and e.sequence_number = 0
                    where (t.username, t.idempotency_key) in (
                        select username, idempotency_key from %s where idempotency_key is not null
                        group by username, idempotency_key having count(*) > 1)) ranked
                where rank > 1""".formatted(TRADES, TRADES), String.class);
        String[] ids = twins.toArray(String[]::new);
        jdbc.update("delete from " + SNAPSHOTS + " where trade_id = any(?)", (Object) ids);
        jdbc.update("delete from " + TRANSITIONS + " where trade_id = any(?)", (Object) ids);
        jdbc.update("delete from " + TRADES + " where id = any(?)", (Object) ids);
        twins.forEach(id -> log.warn("rebuild left out trade {}: an earlier trade holds its idempotency key", id));
        return twins;
    }

    // ------------------------------------------------------------------------------------------------- catch-up

    /**
     * Folds events that came after the bulk load into the shadow tables, in the caller's transaction on the
     * engine's connection: the stored rows (and snapshot times) of the trades they touch are read, the events
     * folded, and what changed written back. Returns how many trades changed.
     */
    static int catchUp(JdbcTemplate jdbc, List<io.papertrading.query.support.StoredEvent> events) {
        Set<String> ids = new java.util.LinkedHashSet<>();
        Set<String> priced = new java.util.HashSet<>();
        for (var e : events) {
            if (e.payload() instanceof io.papertrading.kernel.trade.event.TradeEvent t) {
                ids.add(t.tradeId().value());
                if (t instanceof io.papertrading.kernel.trade.event.PriceObservedEvent) {
                    priced.add(t.tradeId().value());
                }
            }
        }
        if (ids.isEmpty()) {
            return 0;
        }
        TradeRebuildFold fold = TradeRebuildFold.catchUp();
        Map<String, List<Instant>> times = new HashMap<>();
        if (!priced.isEmpty()) {
            jdbc.query("select trade_id, at from " + SNAPSHOTS + " where trade_id = any(?) order by trade_id, at, id",
                    (java.sql.ResultSet rs) -> {
                        times.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(TradeRows.instant(rs, "at"));
                    }, (Object) priced.toArray(String[]::new));
        }
        jdbc.query("select " + TradeRows.ROW_COLUMNS + " from " + TRADES + " where id = any(?)",
                (java.sql.ResultSet rs) -> {
                    TradeRow row = TradeRows.row(rs);
                    fold.hold(row, times.getOrDefault(row.trade().tradeId(), List.of()));
                }, (Object) ids.toArray(String[]::new));
        events.forEach(fold::apply);
        Collection<Held> held = fold.drain().stream().filter(h -> h.rowChanged() || !h.droppedSnapshots().isEmpty()).toList();
        jdbc.execute("savepoint rebuild_catch_up");
        try {
            write(jdbc, held);
            jdbc.execute("release savepoint rebuild_catch_up");
        } catch (DataAccessException e) {
            jdbc.execute("rollback to savepoint rebuild_catch_up");
            if (!(e.getMostSpecificCause() instanceof SQLException sql) || !refusedData(sql)) {
                throw e;
            }
            for (Held h : held) {
                jdbc.execute("savepoint rebuild_catch_up");
                try {
                    write(jdbc, List.of(h));
                    jdbc.execute("release savepoint rebuild_catch_up");
                } catch (DataAccessException refused) {
                    jdbc.execute("rollback to savepoint rebuild_catch_up");
                    if (!(refused.getMostSpecificCause() instanceof SQLException s) || !refusedData(s)) {
                        throw refused;
                    }
                    log.warn("rebuild left trade {} as it was: the database refused its catch-up ({})",
                            h.row().trade().tradeId(), s.getSQLState());
                }
            }
        }
        return held.size();
    }

    private static void write(JdbcTemplate jdbc, Collection<Held> held) {
        List<Object[]> inserts = new ArrayList<>();
        List<Object[]> updates = new ArrayList<>();
        List<Object[]> transitions = new ArrayList<>();
        List<Object[]> snapshots = new ArrayList<>();
        List<Object[]> drops = new ArrayList<>();
        for (Held h : held) {
            TradeRow row = h.row();
            TradeView t = row.trade();
            if (h.isNew()) {
                inserts.add(insertValues(row));
            } else if (h.rowChanged()) {
                updates.add(TradeProjection.rowValues(row));
            }
            for (Transition x : h.transitions()) {
                transitions.add(new Object[] {x.tradeId(), x.username(), text(name(x.from())), x.to().name(),
                        text(x.reason()), text(x.actor()), time(x.occurredAt()), x.eventId(), x.version()});
            }
            for (Snapshot s : h.newSnapshots()) {
                var e = s.price();
                snapshots.add(new Object[] {t.tradeId(), t.username(), time(s.at()), number(amount(e.bid())),
                        number(amount(e.ask())), number(amount(e.last())), number(amount(e.mark())),
                        number(amount(e.underlyingPrice())), number(e.impliedVolatility()), number(e.delta()),
                        number(s.unrealizedPnl()), number(s.mfe()), number(s.mae()), s.eventId()});
            }
            for (Instant at : h.droppedSnapshots()) {
                drops.add(new Object[] {t.tradeId(), time(at)});
            }
        }
        // parents first: a new trade's transitions and snapshots reference its row
        jdbc.batchUpdate("insert into " + TRADES + " (" + TRADE_COLUMNS + ") values (" + "?, ".repeat(31)
                + "?::jsonb, ?, ?, ?, ?) on conflict (id) do nothing", inserts);
        jdbc.batchUpdate(TradeProjection.updateRowSql(TRADES), updates);
        jdbc.batchUpdate("insert into " + TRANSITIONS + " (" + TRANSITION_COLUMNS + ") values (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                + " on conflict (event_id) do nothing", transitions);
        jdbc.batchUpdate("insert into " + SNAPSHOTS + " (" + SNAPSHOT_COLUMNS + ") values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                + "?, ?, ?, ?) on conflict (event_id) do nothing", snapshots);
        jdbc.batchUpdate("delete from " + SNAPSHOTS + " where trade_id = ? and at = ?", drops);
    }

    /** The values of {@link #TRADE_COLUMNS} for {@code row}. */
    private static Object[] insertValues(TradeRow row) {
        TradeView t = row.trade();
        return new Object[] {t.tradeId(), t.username(), t.symbol(), text(t.optionSymbol()), text(name(t.optionType())),
                number(t.strike()), new SqlParameterValue(Types.DATE, t.expiry()), t.side().name(), t.quantity(),
                t.filledQuantity(), t.orderType().name(), number(t.limitPrice()), number(t.entryPrice()),
                number(t.exitPrice()), number(t.stopLoss()), number(t.takeProfit()), t.status().name(),
                text(name(t.closeReason())), number(t.realizedPnl()), number(t.unrealizedPnl()), number(t.lastPrice()),
                number(t.mfe()), number(t.mae()), text(t.strategy()), text(t.notes()), text(t.broker()),
                text(t.brokerOrderId()), text(row.exitOrderId()), text(t.idempotencyKey()), text(row.requestHash()),
                t.version(), text(TradeRows.contextJson(t.tradeContext())),
                time(t.createdAt()), time(t.openedAt()), time(t.closedAt()), time(t.updatedAt())};
    }

    private static String name(Enum<?> value) {
        return value == null ? null : value.name();
    }

    private static BigDecimal amount(Money m) {
        return m == null ? null : m.amount();
    }

    private static SqlParameterValue text(String value) {
        return new SqlParameterValue(Types.VARCHAR, value);
    }

    private static SqlParameterValue number(BigDecimal value) {
        return new SqlParameterValue(Types.NUMERIC, value);
    }

    private static SqlParameterValue time(Instant value) {
        return new SqlParameterValue(Types.TIMESTAMP_WITH_TIMEZONE, value == null ? null : value.atOffset(ZoneOffset.UTC));
    }
}
