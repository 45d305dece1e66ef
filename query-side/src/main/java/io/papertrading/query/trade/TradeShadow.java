package io.papertrading.query.trade;

import io.papertrading.kernel.money.Money;
import io.papertrading.query.support.CopyLoader;
import io.papertrading.query.support.CopyRows;
import io.papertrading.query.trade.TradeRebuildFold.Held;
import io.papertrading.query.trade.TradeRebuildFold.Snapshot;
import io.papertrading.query.trade.TradeRebuildFold.Transition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.SqlParameterValue;

import javax.sql.DataSource;
import java.math.BigDecimal;
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

/**
 * The trades projection's shadow tables (migration V37: {@code paper_trades_rebuild}, {@code
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

    private TradeShadow() {
    }

    // ------------------------------------------------------------------------------------------------ bulk load

    /** Trades per COPY batch (and transaction). */
    private static final int BATCH_TRADES = 1_000;

    /**
     * Loads finished trades into the three shadow tables ({@link CopyLoader}: a writer per table); a trade one
     * table refuses is removed from the others by {@link #removeRefused}.
     */
    static CopyLoader<Held> loader(DataSource dataSource) {
        return new CopyLoader<>(dataSource, "trades-rebuild-writer", List.of(
                new CopyLoader.Table<>(TRADES, TRADE_COLUMNS, (out, h) -> encode(out, h.row())),
                new CopyLoader.Table<>(TRANSITIONS, TRANSITION_COLUMNS, (out, h) -> {
                    for (Transition t : h.transitions()) {
                        encode(out, t);
                    }
                }),
                new CopyLoader.Table<>(SNAPSHOTS, SNAPSHOT_COLUMNS, (out, h) -> {
                    for (Snapshot s : h.newSnapshots()) {
                        encode(out, h.row().trade(), s);
                    }
                })), h -> h.row().trade().tradeId(), BATCH_TRADES);
    }

    /** Removes the rows of trades one table refused from all three. */
    static void removeRefused(JdbcTemplate jdbc, List<String> refused) {
        if (refused.isEmpty()) {
            return;
        }
        String[] ids = refused.toArray(String[]::new);
        jdbc.update("delete from " + SNAPSHOTS + " where trade_id = any(?)", (Object) ids);
        jdbc.update("delete from " + TRANSITIONS + " where trade_id = any(?)", (Object) ids);
        jdbc.update("delete from " + TRADES + " where id = any(?)", (Object) ids);
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
            if (!(e.getMostSpecificCause() instanceof SQLException sql) || !CopyLoader.refusedData(sql)) {
                throw e;
            }
            for (Held h : held) {
                jdbc.execute("savepoint rebuild_catch_up");
                try {
                    write(jdbc, List.of(h));
                    jdbc.execute("release savepoint rebuild_catch_up");
                } catch (DataAccessException refused) {
                    jdbc.execute("rollback to savepoint rebuild_catch_up");
                    if (!(refused.getMostSpecificCause() instanceof SQLException s) || !CopyLoader.refusedData(s)) {
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
