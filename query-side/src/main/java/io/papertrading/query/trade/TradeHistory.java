package io.papertrading.query.trade;

import io.papertrading.kernel.instrument.OptionSymbol;
import io.papertrading.kernel.money.Money;
import io.papertrading.kernel.trade.CloseReason;
import io.papertrading.kernel.trade.TradeOrder;
import io.papertrading.kernel.trade.TradeStatus;
import io.papertrading.kernel.trade.event.BracketsChangedEvent;
import io.papertrading.kernel.trade.event.BrokerProblemClearedEvent;
import io.papertrading.kernel.trade.event.BrokerProblemReportedEvent;
import io.papertrading.kernel.trade.event.CloseRequestedEvent;
import io.papertrading.kernel.trade.event.EntryOrderSubmittedEvent;
import io.papertrading.kernel.trade.event.EntryPartiallyFilledEvent;
import io.papertrading.kernel.trade.event.ExitRejectedEvent;
import io.papertrading.kernel.trade.event.PositionReducedEvent;
import io.papertrading.kernel.trade.event.TradeAnnotatedEvent;
import io.papertrading.kernel.trade.event.TradeCanceledEvent;
import io.papertrading.kernel.trade.event.TradeClosedEvent;
import io.papertrading.kernel.trade.event.TradeExpiredEvent;
import io.papertrading.kernel.trade.event.TradeOpenedEvent;
import io.papertrading.kernel.trade.event.TradePlacedEvent;
import io.papertrading.kernel.trade.event.TradeRejectedEvent;
import io.papertrading.kernel.trade.event.TradeStatusEvent;
import io.papertrading.query.support.UserScope;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.springframework.stereotype.Component;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * "What did this trade look like at time T": the trade's own event stream folded up to T (events whose
 * timestamp is ≤ T), with the same rules as {@link TradeProjection}, plus its price state from the latest price
 * snapshot at or before each event (snapshots carry the trade's MFE/MAE as they stood). Ownership is checked on
 * the stream's TradePlaced: another user's trade is reported as unknown. Price figures are exact at the
 * resolution of the kept snapshots (a long-lived trade's older history is thinned, see {@link TradeProjection}).
 */
@Component
public class TradeHistory {

    private static final BigDecimal TWO = BigDecimal.valueOf(2);
    private static final int PRICE_SCALE = 4;

    private final EventStore eventStore;
    private final UserScope userScope;

    public TradeHistory(EventStore eventStore, UserScope userScope) {
        this.eventStore = eventStore;
        this.userScope = userScope;
    }

    /** The trade as it stood at {@code asOf}; empty when unknown, another user's, or not yet placed then. */
    public Optional<TradeView> asOf(String username, String tradeId, Instant asOf) {
        List<? extends DomainEventMessage<?>> stream = eventStore.readEvents(tradeId).asStream().toList();
        if (stream.isEmpty() || !(stream.get(0).getPayload() instanceof TradePlacedEvent placed)
                || !placed.username().equals(username) || stream.get(0).getTimestamp().isAfter(asOf)) {
            return Optional.empty();
        }
        List<SnapshotView> snapshots = userScope.read(username, jdbc -> jdbc.query("""
                select at, bid, ask, last, mark, underlying_price, iv, delta, unrealized_pnl, mfe, mae
                from price_snapshots where trade_id = ? and at <= ? order by at, id""",
                (rs, n) -> new SnapshotView(rs.getObject("at", OffsetDateTime.class).toInstant(),
                        rs.getBigDecimal("bid"), rs.getBigDecimal("ask"), rs.getBigDecimal("last"),
                        rs.getBigDecimal("mark"), rs.getBigDecimal("underlying_price"), rs.getBigDecimal("iv"),
                        rs.getBigDecimal("delta"), rs.getBigDecimal("unrealized_pnl"), rs.getBigDecimal("mfe"),
                        rs.getBigDecimal("mae")),
                tradeId, Timestamp.from(asOf)));
        Fold fold = new Fold();
        Iterator<SnapshotView> prices = snapshots.iterator();
        SnapshotView next = prices.hasNext() ? prices.next() : null;
        for (DomainEventMessage<?> message : stream) {
            if (message.getTimestamp().isAfter(asOf)) {
                break;
            }
            while (next != null && next.at().isBefore(message.getTimestamp())) {
                fold.price(next);
                next = prices.hasNext() ? prices.next() : null;
            }
            fold.apply(message.getPayload(), message.getSequenceNumber());
        }
        while (next != null) {
            fold.price(next);
            next = prices.hasNext() ? prices.next() : null;
        }
        return Optional.of(fold.view());
    }

    /** The mutable state of one trade while its events are applied. */
    static final class Fold {
        private TradePlacedEvent placed;
        private int filledQuantity;
        private BigDecimal entryPrice;
        private BigDecimal exitPrice;
        private BigDecimal stopLoss;
        private BigDecimal takeProfit;
        private TradeStatus status;
        private CloseReason closeReason;
        private BigDecimal realizedPnl;
        private BigDecimal unrealizedPnl;
        private BigDecimal lastPrice;
        private BigDecimal mfe;
        private BigDecimal mae;
        private String notes;
        private String broker;
        private String brokerOrderId;
        private long version;
        private Instant openedAt;
        private Instant closedAt;
        private Instant updatedAt;
        private final Map<String, Object> context = new LinkedHashMap<>();

        void apply(Object event, long sequence) {
            if (event instanceof TradePlacedEvent e) {
                placed = e;
                TradeOrder o = e.order();
                stopLoss = amount(o.stopLoss());
                takeProfit = amount(o.takeProfit());
                notes = o.notes();
            } else if (event instanceof EntryOrderSubmittedEvent e) {
                broker = e.broker();
                brokerOrderId = e.brokerOrderId();
            } else if (event instanceof EntryPartiallyFilledEvent e) {
                filledQuantity = e.filledQuantity();
                entryPrice = amount(e.averagePrice());
                startExcursions();
            } else if (event instanceof TradeOpenedEvent e) {
                filledQuantity = e.filledQuantity();
                entryPrice = amount(e.entryPrice());
                openedAt = openedAt == null ? e.occurredAt() : openedAt;
                startExcursions();
            } else if (event instanceof TradeRejectedEvent e) {
                closeReason = e.closeReason();
                closedAt = e.occurredAt();
                context.put("rejectionReason", e.reason());
            } else if (event instanceof TradeCanceledEvent e) {
                closeReason = e.reason();
                closedAt = e.occurredAt();
            } else if (event instanceof BracketsChangedEvent e) {
                stopLoss = amount(e.stopLoss());
                takeProfit = amount(e.takeProfit());
            } else if (event instanceof CloseRequestedEvent e) {
                closeReason = e.reason();
            } else if (event instanceof ExitRejectedEvent e) {
                closeReason = null;
                context.put("lastExitRejection", e.reason());
            } else if (event instanceof TradeClosedEvent e) {
                exitPrice = amount(e.exitPrice());
                realizedPnl = amount(e.realizedPnl());
                unrealizedPnl = BigDecimal.ZERO;
                closeReason = e.reason();
                closedAt = e.occurredAt();
                finishExcursions(realizedPnl);
            } else if (event instanceof TradeExpiredEvent e) {
                exitPrice = amount(e.settlementPrice());
                realizedPnl = amount(e.realizedPnl());
                closeReason = CloseReason.EXPIRED;
                closedAt = e.occurredAt();
                unrealizedPnl = filledQuantity > 0 ? BigDecimal.ZERO : null;
                context.put("expiryUnderlyingPrice", amount(e.underlyingPrice()));
                finishExcursions(realizedPnl);
            } else if (event instanceof PositionReducedEvent e) {
                BigDecimal part = amount(e.realizedPnl());
                realizedPnl = realizedPnl == null ? part : realizedPnl.add(part);
                context.merge("exitedQuantity", e.closedQuantity(), (a, b) -> ((Number) a).intValue() + (Integer) b);
            } else if (event instanceof BrokerProblemReportedEvent e) {
                context.put("brokerProblem", e.problem());
            } else if (event instanceof BrokerProblemClearedEvent) {
                context.remove("brokerProblem");
            } else if (event instanceof TradeAnnotatedEvent e) {
                notes = notes == null || notes.isEmpty() ? e.text() : notes + "\n" + e.text();
            }
            if (event instanceof TradeStatusEvent s) {
                status = s.newStatus();
            }
            if (event instanceof io.papertrading.kernel.trade.event.TradeEvent t) {
                updatedAt = t.occurredAt();
            }
            version = sequence + 1;
        }

        /** A price snapshot of the live trade: the row's price figures as they stood once it was applied. */
        void price(SnapshotView s) {
            BigDecimal price = s.mark() != null ? s.mark() : s.last() != null ? s.last()
                    : s.bid() != null && s.ask() != null ? s.bid().add(s.ask()).divide(TWO, 6, RoundingMode.HALF_EVEN) : null;
            if (price != null) {
                lastPrice = price.setScale(PRICE_SCALE, RoundingMode.HALF_UP);
            }
            if (s.unrealizedPnl() != null) {
                unrealizedPnl = s.unrealizedPnl();
            }
            if (s.mfe() != null) {
                mfe = s.mfe();
                context.put("mfe", mfe);
            }
            if (s.mae() != null) {
                mae = s.mae();
                context.put("mae", mae);
            }
        }

        private void startExcursions() {
            mfe = mfe == null ? BigDecimal.ZERO : mfe;
            mae = mae == null ? BigDecimal.ZERO : mae;
            context.put("mfe", mfe);
            context.put("mae", mae);
        }

        private void finishExcursions(BigDecimal realized) {
            if (filledQuantity <= 0) {
                mfe = null;
                mae = null;
                return;
            }
            BigDecimal r = realized == null ? BigDecimal.ZERO : realized;
            mfe = (mfe == null ? BigDecimal.ZERO : mfe).max(r);
            mae = (mae == null ? BigDecimal.ZERO : mae).min(r);
            context.put("mfe", mfe);
            context.put("mae", mae);
        }

        TradeView view() {
            TradeOrder o = placed.order();
            OptionSymbol option = o.instrument().optionSymbol();
            return new TradeView(placed.tradeId().value(), placed.username(), o.instrument().symbol(),
                    option == null ? null : option.occ(), option == null ? null : option.type(),
                    option == null ? null : option.strike(), option == null ? null : option.expiry(),
                    o.side(), o.quantity(), filledQuantity, o.orderType(), amount(o.limitPrice()), entryPrice,
                    exitPrice, stopLoss, takeProfit, status, closeReason, realizedPnl, unrealizedPnl, lastPrice,
                    mfe, mae, o.strategy(), notes, broker, brokerOrderId, placed.idempotencyKey(), version,
                    micros(placed.occurredAt()), micros(openedAt), micros(closedAt), micros(updatedAt),
                    new LinkedHashMap<>(context));
        }

        /** PostgreSQL keeps microseconds (rounded): so does the fold, so both answers agree to the digit. */
        private static Instant micros(Instant t) {
            return t == null ? null : Instant.ofEpochSecond(t.getEpochSecond(), Math.round(t.getNano() / 1000.0) * 1000L);
        }

        private static BigDecimal amount(Money m) {
            return m == null ? null : m.amount();
        }
    }

    /** The trade ids to fold for a portfolio at {@code asOf}: the user's trades created by then, via RLS. */
    public List<String> tradeIdsCreatedBy(String username, Instant asOf, int limit) {
        return userScope.read(username, jdbc -> new ArrayList<>(jdbc.queryForList(
                "select id from paper_trades where created_at <= ? order by created_at, id limit ?",
                String.class, Timestamp.from(asOf), limit)));
    }
}
