package io.papertrading.query.trade;

import io.papertrading.query.QueryNode;
import io.papertrading.kernel.instrument.OptionSymbol;
import io.papertrading.kernel.money.Money;
import io.papertrading.kernel.trade.TradeOrder;
import io.papertrading.kernel.trade.event.BracketsChangedEvent;
import io.papertrading.kernel.trade.event.BrokerProblemClearedEvent;
import io.papertrading.kernel.trade.event.BrokerProblemReportedEvent;
import io.papertrading.kernel.trade.event.CloseRequestedEvent;
import io.papertrading.kernel.trade.event.EntryOrderSubmittedEvent;
import io.papertrading.kernel.trade.event.EntryPartiallyFilledEvent;
import io.papertrading.kernel.trade.event.ExitOrderSubmittedEvent;
import io.papertrading.kernel.trade.event.ExitRejectedEvent;
import io.papertrading.kernel.trade.event.PositionReducedEvent;
import io.papertrading.kernel.trade.event.PriceObservedEvent;
import io.papertrading.kernel.trade.event.TradeAnnotatedEvent;
import io.papertrading.kernel.trade.event.TradeCanceledEvent;
import io.papertrading.kernel.trade.event.TradeClosedEvent;
import io.papertrading.kernel.trade.event.TradeEvent;
import io.papertrading.kernel.trade.event.TradeExpiredEvent;
import io.papertrading.kernel.trade.event.TradeOpenedEvent;
import io.papertrading.kernel.trade.event.TradePlacedEvent;
import io.papertrading.kernel.trade.event.TradeRejectedEvent;
import io.papertrading.kernel.trade.event.TradeStatusEvent;
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
import java.util.List;

/**
 * Projects the trade events into {@code paper_trades} (one row per trade) and {@code state_transitions} (one
 * row per status-changing event), writing through the RLS-bound app role with the trade's user bound.
 *
 * <p>The row's {@code version} is the aggregate's version: the event's sequence number + 1. Every write is
 * guarded by {@code version < newVersion}, so a redelivered or replayed event changes nothing, and transition
 * rows are keyed by the Axon event identifier as a second line of defence. Each event costs one statement
 * after the user is bound (the old status for the transition row is read inside that statement), so a batch
 * of events in one processor transaction needs no per-event reads.
 *
 * <p>Notes: {@link TradeAnnotatedEvent} text is appended to {@code notes} on a new line, after the notes the
 * trade was placed with, so the column reads as the trade's journal. Price observations update
 * {@code last_price} (the mark, else last, else mid), {@code unrealized_pnl}, {@code mfe}/{@code mae} and add a
 * {@code price_snapshots} row; they are not part of the trade's stream and do not change its version.
 *
 * <p>MFE/MAE (maximum favorable / adverse excursion) are in dollars for the whole position: the highest and
 * the lowest unrealized P&amp;L seen while the trade was live, starting from 0 at the first fill and including
 * the realized P&amp;L at the end. So MFE ≥ 0 and MAE ≤ 0 (a negative number, or 0 when the trade never was
 * under water). They are also kept in {@code trade_context} ({@code mfe}, {@code mae}, and {@code mfeAt}/
 * {@code maeAt}, when they were reached) and freeze when the trade is finished. The price history is thinned
 * to at most {@value #MAX_SNAPSHOTS} rows per trade.
 *
 * <p>Price observations do not belong to the trade's stream, so the processor sequences events by trade id
 * ({@link io.papertrading.query.support.TradeSequencing}): an observation is applied in store order with the
 * trade's own events, which makes a replay produce the same rows as the live run.
 */
@QueryNode
@Component
@ProcessingGroup(TradeProjection.PROCESSING_GROUP)
public class TradeProjection {

    /** The Axon processing group of this projection (its tokens, its replay). */
    public static final String PROCESSING_GROUP = "trades";

    private static final Logger log = LoggerFactory.getLogger(TradeProjection.class);
    private static final int OWNER_CACHE_SIZE = 100_000;
    private static final String BIND_OWNER =
            "select set_config('app.current_user', coalesce(paper_trade_owner(?), ''), true)";
    /** The most price snapshots kept per trade; thinning keeps at least half of this. */
    static final int MAX_SNAPSHOTS = 500;
    /**
     * At the first fill the position is worth what it cost: the excursions start at 0 (MFE ≥ 0, MAE ≤ 0).
     */
    private static final String EXCURSIONS_START = """
            mfe = coalesce(t.mfe, 0), mae = coalesce(t.mae, 0),
            trade_context = t.trade_context || jsonb_build_object('mfe', coalesce(t.mfe, 0), 'mae', coalesce(t.mae, 0))""";
    /**
     * At the end the realized P&amp;L is the position's last value, so it counts as an excursion too (a stop
     * filled below the last observed price is the trade's worst moment). Four parameters: the realized P&amp;L.
     */
    private static final String EXCURSIONS_FINAL = """
            mfe = case when t.filled_quantity > 0 then greatest(coalesce(t.mfe, 0), ?::numeric) end,
            mae = case when t.filled_quantity > 0 then least(coalesce(t.mae, 0), ?::numeric) end,
            trade_context = t.trade_context || case when t.filled_quantity > 0 then jsonb_build_object(
                'mfe', greatest(coalesce(t.mfe, 0), ?::numeric), 'mae', least(coalesce(t.mae, 0), ?::numeric))
                else '{}'::jsonb end""";

    private final JdbcTemplate jdbc;
    private final UserScope userScope;
    private final TransactionTemplate tx;
    private final TradeChangeSignal signal;
    private final TradeOwners owners = new TradeOwners(OWNER_CACHE_SIZE);

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
        TradeOrder order = e.order();
        OptionSymbol option = order.instrument().optionSymbol();
        long version = seq + 1;
        inTransaction(() -> {
            userScope.bindCurrentTransaction(e.username());
            jdbc.update("""
                    with placed as (
                        insert into paper_trades (id, username, symbol, option_symbol, option_type, strike, expiry,
                                                  side, quantity, order_type, limit_price, stop_loss, take_profit,
                                                  strategy, notes, idempotency_key, request_hash, status, version,
                                                  created_at, updated_at)
                        values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'PENDING', ?, ?, ?)
                        on conflict (id) do nothing
                        returning id, username)
                    insert into state_transitions (trade_id, username, from_status, to_status, reason, actor,
                                                   occurred_at, event_id, version)
                    select id, username, null, 'PENDING', ?::text, ?::text, ?::timestamptz, ?::text, ?::bigint
                    from placed
                    on conflict (event_id) do nothing""",
                    e.tradeId().value(), e.username(), order.instrument().symbol(),
                    text(option == null ? null : option.occ()),
                    text(option == null ? null : option.type().name()),
                    number(option == null ? null : option.strike()),
                    date(option == null ? null : option.expiry()),
                    order.side().name(), order.quantity(), order.orderType().name(),
                    money(order.limitPrice()), money(order.stopLoss()), money(order.takeProfit()),
                    text(order.strategy()), text(order.notes()), text(e.idempotencyKey()), text(e.requestHash()),
                    version, time(e.occurredAt()), time(e.occurredAt()),
                    text(e.transitionReason()), text(e.actor()), time(e.occurredAt()), eventId, version);
            owners.put(e.tradeId().value(), e.username());
        });
    }

    @EventHandler
    void on(EntryOrderSubmittedEvent e, @SequenceNumber long seq) {
        change(e, seq, "broker = ?, broker_order_id = ?", text(e.broker()), text(e.brokerOrderId()));
    }

    @EventHandler
    void on(EntryPartiallyFilledEvent e, @SequenceNumber long seq, @MessageIdentifier String eventId) {
        transition(e, seq, eventId, "filled_quantity = ?, entry_price = ?, " + EXCURSIONS_START,
                e.filledQuantity(), money(e.averagePrice()));
    }

    @EventHandler
    void on(TradeOpenedEvent e, @SequenceNumber long seq, @MessageIdentifier String eventId) {
        transition(e, seq, eventId, "filled_quantity = ?, entry_price = ?, opened_at = coalesce(t.opened_at, ?), "
                        + EXCURSIONS_START, e.filledQuantity(), money(e.entryPrice()), time(e.occurredAt()));
    }

    @EventHandler
    void on(TradeRejectedEvent e, @SequenceNumber long seq, @MessageIdentifier String eventId) {
        transition(e, seq, eventId, """
                        close_reason = ?, closed_at = ?,
                        trade_context = t.trade_context || jsonb_build_object('rejectionReason', ?::text)""",
                e.closeReason().name(), time(e.occurredAt()), text(e.reason()));
    }

    @EventHandler
    void on(TradeCanceledEvent e, @SequenceNumber long seq, @MessageIdentifier String eventId) {
        transition(e, seq, eventId, "close_reason = ?, closed_at = ?", e.reason().name(), time(e.occurredAt()));
    }

    @EventHandler
    void on(BracketsChangedEvent e, @SequenceNumber long seq) {
        change(e, seq, "stop_loss = ?, take_profit = ?", money(e.stopLoss()), money(e.takeProfit()));
    }

    @EventHandler
    void on(CloseRequestedEvent e, @SequenceNumber long seq, @MessageIdentifier String eventId) {
        // provisional: the reason the close was asked for; the fill (TradeClosed) confirms or replaces it
        transition(e, seq, eventId, "close_reason = ?", e.reason().name());
    }

    @EventHandler
    void on(ExitOrderSubmittedEvent e, @SequenceNumber long seq) {
        change(e, seq, "exit_order_id = ?", text(e.brokerOrderId()));
    }

    @EventHandler
    void on(ExitRejectedEvent e, @SequenceNumber long seq, @MessageIdentifier String eventId) {
        transition(e, seq, eventId, """
                        close_reason = null, exit_order_id = null,
                        trade_context = t.trade_context || jsonb_build_object('lastExitRejection', ?::text)""",
                text(e.reason()));
    }

    @EventHandler
    void on(TradeClosedEvent e, @SequenceNumber long seq, @MessageIdentifier String eventId) {
        transition(e, seq, eventId,
                "exit_price = ?, realized_pnl = ?, unrealized_pnl = 0, close_reason = ?, closed_at = ?, "
                        + EXCURSIONS_FINAL,
                money(e.exitPrice()), money(e.realizedPnl()), e.reason().name(), time(e.occurredAt()),
                money(e.realizedPnl()), money(e.realizedPnl()), money(e.realizedPnl()), money(e.realizedPnl()));
    }

    @EventHandler
    void on(TradeExpiredEvent e, @SequenceNumber long seq, @MessageIdentifier String eventId) {
        transition(e, seq, eventId, """
                        exit_price = ?, realized_pnl = ?, close_reason = 'EXPIRED', closed_at = ?,
                        unrealized_pnl = case when t.filled_quantity > 0 then 0 end,
                        mfe = case when t.filled_quantity > 0 then greatest(coalesce(t.mfe, 0), ?::numeric) end,
                        mae = case when t.filled_quantity > 0 then least(coalesce(t.mae, 0), ?::numeric) end,
                        trade_context = t.trade_context || jsonb_build_object('expiryUnderlyingPrice', ?::numeric)
                            || case when t.filled_quantity > 0 then jsonb_build_object(
                                'mfe', greatest(coalesce(t.mfe, 0), ?::numeric),
                                'mae', least(coalesce(t.mae, 0), ?::numeric)) else '{}'::jsonb end""",
                money(e.settlementPrice()), money(e.realizedPnl()), time(e.occurredAt()),
                money(e.realizedPnl()), money(e.realizedPnl()), money(e.underlyingPrice()),
                money(e.realizedPnl()), money(e.realizedPnl()));
    }

    @EventHandler
    void on(TradeAnnotatedEvent e, @SequenceNumber long seq) {
        change(e, seq, "notes = case when t.notes is null or t.notes = '' then ?::text else t.notes || chr(10) || ?::text end",
                text(e.text()), text(e.text()));
    }

    /**
     * Part of the position sold by an exit that then ended: its P&amp;L is realized now, and what is still held
     * ({@code filled_quantity} less {@code tradeContext.exitedQuantity}) is what prices value from here on.
     */
    @EventHandler
    void on(PositionReducedEvent e, @SequenceNumber long seq) {
        change(e, seq, """
                        realized_pnl = coalesce(t.realized_pnl, 0) + ?::numeric,
                        trade_context = t.trade_context || jsonb_build_object('exitedQuantity',
                            coalesce((t.trade_context ->> 'exitedQuantity')::int, 0) + ?)""",
                money(e.realizedPnl()), e.closedQuantity());
    }

    @EventHandler
    void on(BrokerProblemReportedEvent e, @SequenceNumber long seq) {
        change(e, seq, "trade_context = t.trade_context || jsonb_build_object('brokerProblem', ?::text)",
                text(e.problem()));
    }

    @EventHandler
    void on(BrokerProblemClearedEvent e, @SequenceNumber long seq) {
        change(e, seq, "trade_context = t.trade_context - 'brokerProblem'");
    }

    /**
     * Any other event of a trade's stream (a type added after this projection was written) still counts
     * towards the version, so the row's version keeps matching the aggregate's.
     */
    @EventHandler
    void on(TradeEvent e, @SequenceNumber long seq) {
        change(e, seq, null);
    }

    /**
     * Not part of the trade's stream: never changes its version, and only live trades are valued. An observation
     * not newer than the trade's latest snapshot (a redelivery, a replayed duplicate) changes nothing, so the
     * snapshot series stays in time order and a thinned-out snapshot is never re-inserted. MFE and MAE move only
     * while the trade is live, so a finished trade keeps its final figures.
     */
    @EventHandler
    void on(PriceObservedEvent e, @MessageIdentifier String eventId) {
        BigDecimal price = e.valuationPrice();
        String tradeId = e.tradeId().value();
        inTransaction(() -> {
            userScope.bindCurrentTransaction(e.username());
            int inserted = jdbc.update("""
                    with live as (
                        select id, username,
                               (?::numeric - entry_price)
                                 * (filled_quantity - coalesce((trade_context ->> 'exitedQuantity')::int, 0))
                                 * (case when option_symbol is null then 1 else 100 end)
                                 * (case when side = 'BUY' then 1 else -1 end) as pnl
                        from paper_trades
                        where id = ? and status in ('PENDING', 'PARTIALLY_FILLED', 'OPEN', 'CLOSING')
                          and not exists (select 1 from price_snapshots s where s.trade_id = ? and s.at >= ?::timestamptz)
                        for update),
                    valued as (
                        update paper_trades t
                        set last_price = coalesce(?::numeric, t.last_price),
                            unrealized_pnl = coalesce(live.pnl, t.unrealized_pnl),
                            mfe = greatest(t.mfe, live.pnl),
                            mae = least(t.mae, live.pnl),
                            trade_context = case
                                when live.pnl is null then t.trade_context
                                else t.trade_context || jsonb_build_object(
                                    'mfe', greatest(t.mfe, live.pnl), 'mae', least(t.mae, live.pnl),
                                    'mfeAt', case when t.mfe is null or live.pnl > t.mfe then to_jsonb(?::timestamptz)
                                                  else coalesce(t.trade_context -> 'mfeAt', to_jsonb(?::timestamptz)) end,
                                    'maeAt', case when t.mae is null or live.pnl < t.mae then to_jsonb(?::timestamptz)
                                                  else coalesce(t.trade_context -> 'maeAt', to_jsonb(?::timestamptz)) end)
                            end
                        from live where t.id = live.id
                        returning t.id, t.username, live.pnl, t.mfe, t.mae)
                    insert into price_snapshots (trade_id, username, at, bid, ask, last, mark, underlying_price,
                                                 iv, delta, unrealized_pnl, mfe, mae, event_id)
                    select id, username, ?::timestamptz, ?::numeric, ?::numeric, ?::numeric, ?::numeric,
                           ?::numeric, ?::numeric, ?::numeric, pnl, mfe, mae, ?::text
                    from valued
                    on conflict (event_id) do nothing""",
                    number(price), tradeId, tradeId, time(e.occurredAt()), number(price),
                    time(e.occurredAt()), time(e.occurredAt()), time(e.occurredAt()), time(e.occurredAt()),
                    time(e.occurredAt()), money(e.bid()), money(e.ask()), money(e.last()), money(e.mark()),
                    money(e.underlyingPrice()), number(e.impliedVolatility()), number(e.delta()), eventId);
            if (inserted > 0) {
                thinSnapshots(tradeId);
            }
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
        tx.executeWithoutResult(status -> jdbc.execute("select paper_reset_trade_projection()"));
        owners.clear();
        signal.changed();
    }

    /** A non-status event: sets {@code assignments} (may be null) and moves the version on. */
    private void change(TradeEvent e, long seq, String assignments, Object... args) {
        long version = seq + 1;
        inTransaction(() -> {
            if (!bindOwner(e, version)) {
                return;
            }
            String set = (assignments == null ? "" : assignments + ", ") + "version = ?, updated_at = ?";
            List<Object> params = new ArrayList<>(Arrays.asList(args));
            params.addAll(List.of(version, time(e.occurredAt()), e.tradeId().value(), version));
            jdbc.update("update paper_trades t set " + set + " where id = ? and version < ?", params.toArray());
        });
    }

    /**
     * A status-changing event: moves the row to the event's status with {@code assignments}, and records the
     * transition from the status the row had, all in one statement.
     */
    private void transition(TradeStatusEvent e, long seq, String eventId, String assignments, Object... args) {
        long version = seq + 1;
        inTransaction(() -> {
            if (!bindOwner(e, version)) {
                return;
            }
            List<Object> params = new ArrayList<>();
            params.addAll(List.of(e.tradeId().value(), version, e.newStatus().name(), version, time(e.occurredAt())));
            params.addAll(Arrays.asList(args));
            params.addAll(List.of(e.newStatus().name(), text(e.transitionReason()), text(e.actor()),
                    time(e.occurredAt()), eventId, version));
            jdbc.update("""
                    with old as (
                        select id, status from paper_trades where id = ? and version < ? for update),
                    moved as (
                        update paper_trades t
                        set status = ?, version = ?, updated_at = ?, %s
                        from old where t.id = old.id
                        returning t.id, t.username, old.status as from_status)
                    insert into state_transitions (trade_id, username, from_status, to_status, reason, actor,
                                                   occurred_at, event_id, version)
                    select id, username, from_status, ?::text, ?::text, ?::text, ?::timestamptz, ?::text, ?::bigint
                    from moved
                    on conflict (event_id) do nothing""".formatted(assignments), params.toArray());
        });
    }

    /**
     * Binds the trade's user to the current transaction; false when no row of the trade exists (its
     * TradePlaced was never projected), in which case the event is skipped.
     */
    private boolean bindOwner(TradeEvent e, long version) {
        String tradeId = e.tradeId().value();
        String known = owners.get(tradeId);
        if (known != null) {
            userScope.bindCurrentTransaction(known);
            return true;
        }
        String bound = jdbc.queryForObject(BIND_OWNER, String.class, tradeId);
        if (bound == null || bound.isEmpty()) {
            log.warn("skipped {} (version {}) of trade {}: the trade has no row in the read model",
                    e.getClass().getSimpleName(), version, tradeId);
            return false;
        }
        owners.put(tradeId, bound);
        return true;
    }

    /** Joins the processor's transaction, or opens one; waiting readers are woken once it commits. */
    private void inTransaction(Runnable work) {
        tx.executeWithoutResult(status -> {
            work.run();
            signalAfterCommit();
        });
    }

    private void signalAfterCommit() {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            signal.changed();
            return;
        }
        // once per transaction: a processor batch of many events wakes readers once
        if (TransactionSynchronizationManager.hasResource(signal)) {
            return;
        }
        TransactionSynchronizationManager.bindResource(signal, Boolean.TRUE);
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                signal.changed();
            }

            @Override
            public void afterCompletion(int status) {
                TransactionSynchronizationManager.unbindResourceIfPossible(signal);
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
