package io.papertrading.query.trade;

import io.papertrading.kernel.trade.TradeStatus;
import io.papertrading.kernel.trade.event.PriceObservedEvent;
import io.papertrading.kernel.trade.event.TradeEvent;
import io.papertrading.kernel.trade.event.TradePlacedEvent;
import io.papertrading.kernel.trade.event.TradeStatusEvent;
import io.papertrading.query.support.StoredEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * The trades projection's rules applied to many trades in memory, for a bulk rebuild: what {@link TradeProjection}
 * writes for each event, event by event in store order, but kept as the trades' rows, transitions and price
 * snapshots instead of statements. The rules are {@link TradeFold}'s, and the projection's guards are the same
 * (an event not newer than the row changes nothing; an observation not newer than the trade's latest snapshot
 * changes nothing; snapshots thinned at {@link TradeProjection#MAX_SNAPSHOTS}), so the rebuilt tables equal what
 * the live projection writes.
 *
 * <p>Two uses. The bulk load starts from nothing and lets a trade go ({@code finished}) once it is finished: later
 * events of a trade no longer held (a note on a closed trade; an event of a trade never placed) are handed to
 * {@code late} by their position, to be folded again from the stored row in the catch-up. The catch-up starts from
 * the stored rows of the trades it touches ({@link #hold}) and keeps them all until {@link #drain}.
 */
final class TradeRebuildFold {

    private static final Logger log = LoggerFactory.getLogger(TradeRebuildFold.class);

    /** One status change, as a {@code state_transitions} row. */
    record Transition(String tradeId, String username, TradeStatus from, TradeStatus to, String reason, String actor,
                      Instant occurredAt, String eventId, long version) {
    }

    /**
     * One price snapshot, as a {@code price_snapshots} row; {@code stored} when the table already holds it (only
     * its time matters then).
     */
    record Snapshot(Instant at, PriceObservedEvent price, BigDecimal unrealizedPnl, BigDecimal mfe, BigDecimal mae,
                    String eventId, boolean stored) {

        static Snapshot stored(Instant at) {
            return new Snapshot(at, null, null, null, null, null, true);
        }
    }

    /** A trade held in memory: its row now, the row as stored (null if none), and what is still to be written. */
    static final class Held {
        private TradeRow row;
        private final TradeRow stored;
        private final List<Transition> transitions = new ArrayList<>(4);
        /** Kept snapshots, oldest first: stored ones and new ones. */
        private List<Snapshot> snapshots = new ArrayList<>(0);
        /** Stored snapshots thinned out since (their times). */
        private final List<Instant> dropped = new ArrayList<>(0);

        Held(TradeRow row, TradeRow stored) {
            this.row = row;
            this.stored = stored;
        }

        TradeRow row() {
            return row;
        }

        /** Whether the row must be written: new, or changed since it was stored. */
        boolean rowChanged() {
            return row != stored;
        }

        boolean isNew() {
            return stored == null;
        }

        List<Transition> transitions() {
            return transitions;
        }

        /** The snapshots to insert, oldest first. */
        List<Snapshot> newSnapshots() {
            return snapshots.stream().filter(s -> !s.stored()).toList();
        }

        /** The times of the stored snapshots to delete. */
        List<Instant> droppedSnapshots() {
            return dropped;
        }

        int snapshotCount() {
            return snapshots.size();
        }
    }

    private final Map<String, Held> held = new HashMap<>();
    private final Consumer<Held> finished;
    private final LongConsumer late;
    private long skipped;

    private TradeRebuildFold(Consumer<Held> finished, LongConsumer late) {
        this.finished = finished;
        this.late = late;
    }

    /** For the bulk load: a finished trade goes to {@code finished}; an event of a trade not held to {@code late}. */
    static TradeRebuildFold bulk(Consumer<Held> finished, LongConsumer late) {
        return new TradeRebuildFold(finished, late);
    }

    /** For the catch-up: trades are held until {@link #drain}; an event of a trade not held is skipped. */
    static TradeRebuildFold catchUp() {
        return new TradeRebuildFold(null, null);
    }

    /** Holds a stored trade with the times of its stored snapshots, oldest first (catch-up). */
    void hold(TradeRow stored, List<Instant> snapshotTimes) {
        Held h = new Held(stored, stored);
        h.snapshots = new ArrayList<>(snapshotTimes.size() + 1);
        snapshotTimes.forEach(at -> h.snapshots.add(Snapshot.stored(at)));
        held.put(stored.trade().tradeId(), h);
    }

    /** Folds one event; anything but a trade's event is ignored. */
    void apply(StoredEvent stored) {
        if (!(stored.payload() instanceof TradeEvent event)) {
            return;
        }
        String tradeId = event.tradeId().value();
        Held h = held.get(tradeId);
        if (event instanceof PriceObservedEvent price) {
            if (h != null) {
                observe(h, price, stored.eventId());
            }
            return;
        }
        if (event instanceof TradePlacedEvent placed) {
            if (h == null) {
                place(placed, stored);
            }
            return;
        }
        if (h == null) {
            if (late != null) {
                late.accept(stored.globalIndex());
            } else {
                skipped++;
                log.warn("rebuild skipped {} (version {}) of trade {}: the trade has no row",
                        event.getClass().getSimpleName(), stored.sequenceNumber() + 1, tradeId);
            }
            return;
        }
        TradeRow next = TradeFold.evolve(h.row, event, stored.sequenceNumber());
        if (next == h.row) {
            return;
        }
        if (event instanceof TradeStatusEvent moved) {
            h.transitions.add(new Transition(tradeId, next.trade().username(), h.row.trade().status(),
                    moved.newStatus(), moved.transitionReason(), moved.actor(), TradeFold.micros(event.occurredAt()),
                    stored.eventId(), next.trade().version()));
        }
        h.row = next;
        if (finished != null && next.trade().status().isTerminal()) {
            held.remove(tradeId);
            finished.accept(h);
        }
    }

    private void place(TradePlacedEvent placed, StoredEvent stored) {
        TradeRow row = TradeFold.evolve(null, placed, stored.sequenceNumber());
        Held h = new Held(row, null);
        TradeView t = row.trade();
        h.transitions.add(new Transition(t.tradeId(), t.username(), null, t.status(), placed.transitionReason(),
                placed.actor(), TradeFold.micros(placed.occurredAt()), stored.eventId(), t.version()));
        held.put(t.tradeId(), h);
    }

    /**
     * As {@link TradeProjection#on(PriceObservedEvent, String)}: nothing unless newer than the latest snapshot and
     * the trade is live; then the row is valued, a snapshot added and the history thinned once it grows past
     * {@link TradeProjection#MAX_SNAPSHOTS}.
     */
    private void observe(Held h, PriceObservedEvent e, String eventId) {
        Instant at = TradeFold.micros(e.occurredAt());
        if (!h.snapshots.isEmpty() && !h.snapshots.get(h.snapshots.size() - 1).at().isBefore(at)) {
            return;
        }
        TradeRow valued = TradeFold.observe(h.row, e);
        if (valued == h.row) {
            return;
        }
        h.snapshots.add(new Snapshot(at, e, TradeFold.valuation(h.row, e.valuationPrice()), valued.trade().mfe(),
                valued.trade().mae(), eventId, false));
        h.row = valued;
        if (h.snapshots.size() > TradeProjection.MAX_SNAPSHOTS) {
            thin(h);
        }
    }

    /** Drops every second snapshot but the latest (the projection's ranks by time: even ranks below the last). */
    private static void thin(Held h) {
        int n = h.snapshots.size();
        List<Snapshot> kept = new ArrayList<>(n / 2 + 2);
        for (int rank = 1; rank <= n; rank++) {
            Snapshot s = h.snapshots.get(rank - 1);
            if (rank % 2 == 0 && rank < n) {
                if (s.stored()) {
                    h.dropped.add(s.at());
                }
            } else {
                kept.add(s);
            }
        }
        h.snapshots = kept;
    }

    /** Every trade still held, emptying the fold. */
    Collection<Held> drain() {
        List<Held> all = new ArrayList<>(held.values());
        held.clear();
        return all;
    }

    /** How many trades are held now. */
    int size() {
        return held.size();
    }

    /** Events skipped because their trade has no row (catch-up). */
    long skipped() {
        return skipped;
    }
}
