package io.papertrading.query.trade;

import io.papertrading.kernel.trade.event.TradeEvent;
import io.papertrading.kernel.trade.event.TradePlacedEvent;
import io.papertrading.query.support.UserScope;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.springframework.stereotype.Component;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * "What did this trade look like at time T": the trade's own event stream folded up to T (events whose
 * timestamp is ≤ T) by {@link TradeFold}, the projection's own rules, plus its price state from the latest price
 * snapshot at or before each event (snapshots carry the trade's MFE/MAE as they stood). Ownership is checked on
 * the stream's TradePlaced: another user's trade is reported as unknown. Price figures are exact at the
 * resolution of the kept snapshots (a long-lived trade's older history is thinned, see {@link TradeProjection}).
 */
@Component
public class TradeHistory {

    private final EventStore eventStore;
    private final UserScope userScope;

    public TradeHistory(EventStore eventStore, UserScope userScope) {
        this.eventStore = eventStore;
        this.userScope = userScope;
    }

    /** The trade as it stood at {@code asOf}; empty when unknown, another user's, or not yet placed then. */
    public Optional<TradeView> asOf(String username, String tradeId, Instant asOf) {
        return rowAsOf(username, tradeId, asOf).map(TradeRow::trade);
    }

    /** The trade's whole row as it stood at {@code asOf}; empty as {@link #asOf}. */
    public Optional<TradeRow> rowAsOf(String username, String tradeId, Instant asOf) {
        List<? extends DomainEventMessage<?>> stream = eventStore.readEvents(tradeId).asStream().toList();
        if (stream.isEmpty() || !(stream.get(0).getPayload() instanceof TradePlacedEvent placed)
                || !placed.username().equals(username) || stream.get(0).getTimestamp().isAfter(asOf)) {
            return Optional.empty();
        }
        List<SnapshotView> snapshots = userScope.query(username, """
                select at, bid, ask, last, mark, underlying_price, iv, delta, unrealized_pnl, mfe, mae
                from price_snapshots where trade_id = ? and at <= ? order by at, id""",
                (rs, n) -> TradeRows.snapshot(rs),
                tradeId, Timestamp.from(asOf));
        TradeRow row = null;
        Iterator<SnapshotView> prices = snapshots.iterator();
        SnapshotView next = prices.hasNext() ? prices.next() : null;
        for (DomainEventMessage<?> message : stream) {
            if (message.getTimestamp().isAfter(asOf)) {
                break;
            }
            while (next != null && next.at().isBefore(message.getTimestamp())) {
                row = TradeFold.restore(row, next);
                next = prices.hasNext() ? prices.next() : null;
            }
            if (message.getPayload() instanceof TradeEvent event) {
                row = TradeFold.evolve(row, event, message.getSequenceNumber());
            }
        }
        while (next != null) {
            row = TradeFold.restore(row, next);
            next = prices.hasNext() ? prices.next() : null;
        }
        return Optional.ofNullable(row);
    }

    /** The trade ids to fold for a portfolio at {@code asOf}: the user's trades created by then, via RLS. */
    public List<String> tradeIdsCreatedBy(String username, Instant asOf, int limit) {
        return userScope.read(username, jdbc -> new ArrayList<>(jdbc.queryForList(
                "select id from paper_trades where created_at <= ? order by created_at, id limit ?",
                String.class, Timestamp.from(asOf), limit)));
    }
}
