package io.papertrading.query.analytics;

import io.papertrading.kernel.trade.event.PriceObservedEvent;
import io.papertrading.kernel.trade.event.TradeEvent;
import io.papertrading.kernel.trade.event.TradePlacedEvent;
import io.papertrading.query.support.StoredEvent;
import io.papertrading.query.trade.TradeFold;
import io.papertrading.query.trade.TradeRow;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * The analytics projection's rules applied to many trades in memory, for a bulk load: what {@link
 * AnalyticsProjection} does for each event, event by event in store order, kept as each trade's fact row instead of
 * statements. Each trade goes on from the row the projection would read back ({@link AnalyticsProjection#factRow}),
 * through {@link TradeFold} and {@link TradeFacts}, behind the projection's guards (only its handlers' event types;
 * an event not newer than the row changes nothing; a price only for a live trade with an entry price, of its user
 * and newer than the last one applied), so the facts equal the live ones.
 *
 * <p>A trade is let go ({@code finished}) once it is finished; later events of a trade not held (of one finished,
 * or never placed) are handed to {@code late} by their position, to be folded from the stored row in the catch-up.
 * A price of a trade not held changes nothing (a finished trade is not live), as in the projection.
 */
final class AnalyticsRebuildFold {

    /** A trade held in memory: its fact row, the time of the last price applied, and what it booked. */
    static final class Held {
        private TradeRow row;
        private Instant priceAt;
        /** Whether the projection would have written its strategy's stats row (any change after the placement). */
        private boolean counted;
        /** The realized P&amp;L and day it was booked with when it first counted as closed; null before. */
        private BigDecimal booked;
        private LocalDate bookedDay;

        Held(TradeRow row) {
            this.row = row;
        }

        TradeRow row() {
            return row;
        }

        TradeFacts facts() {
            return TradeFacts.of(row);
        }

        Instant priceAt() {
            return priceAt;
        }

        boolean counted() {
            return counted;
        }

        BigDecimal booked() {
            return booked;
        }

        LocalDate bookedDay() {
            return bookedDay;
        }

        String tradeId() {
            return row.trade().tradeId();
        }

        String username() {
            return row.trade().username();
        }

        /** The strategy's key ('' for none), as the tables store it. */
        String strategy() {
            return row.trade().strategy();
        }
    }

    private final Map<String, Held> held = new HashMap<>();
    private final Consumer<Held> finished;
    private final LongConsumer late;

    /** A finished trade goes to {@code finished}; an event of a trade not held to {@code late}. */
    AnalyticsRebuildFold(Consumer<Held> finished, LongConsumer late) {
        this.finished = finished;
        this.late = late;
    }

    /** Folds one event; anything the projection has no handler for is ignored. */
    void apply(StoredEvent stored) {
        if (!(stored.payload() instanceof TradeEvent event) || !AnalyticsProjection.FOLDED.contains(event.getClass())) {
            return;
        }
        String tradeId = event.tradeId().value();
        Held h = held.get(tradeId);
        if (event instanceof PriceObservedEvent price) {
            if (h != null) {
                observe(h, price);
            }
            return;
        }
        if (event instanceof TradePlacedEvent placed) {
            if (h == null) {
                place(placed, stored.sequenceNumber());
            }
            return;
        }
        if (h == null) {
            late.accept(stored.globalIndex());
            return;
        }
        TradeRow next = AnalyticsProjection.foldFact(h.row, event, stored.sequenceNumber());
        if (next == h.row) {
            return;
        }
        TradeFacts was = h.facts();
        TradeFacts f = TradeFacts.of(next);
        h.row = next;
        h.counted = true;
        if (f.closed() && !was.closed()) {
            h.booked = f.realizedPnl();
            h.bookedDay = f.closeDate();
        }
        if (f.status().isTerminal()) {
            held.remove(tradeId);
            finished.accept(h);
        }
    }

    /** As the projection's placement: the row it inserts (identity, status, version), nothing else yet. */
    private void place(TradePlacedEvent placed, long sequence) {
        TradeRow row = AnalyticsProjection.placedFact(TradeFold.evolve(null, placed, sequence));
        held.put(row.trade().tradeId(), new Held(row));
    }

    /** As the projection's price handler: the unrealized P&amp;L and excursions move, nothing else. */
    private void observe(Held h, PriceObservedEvent e) {
        TradeRow valued = AnalyticsProjection.observeFact(h.row, h.priceAt, e);
        if (valued == h.row) {
            return;
        }
        h.row = valued;
        h.priceAt = TradeFold.micros(e.occurredAt());
        h.counted = true;
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
}
