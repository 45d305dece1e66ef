package io.papertrading.query.trade;

import io.papertrading.kernel.instrument.OptionSymbol;
import io.papertrading.kernel.money.Money;
import io.papertrading.kernel.money.ProfitAndLoss;
import io.papertrading.kernel.trade.CloseReason;
import io.papertrading.kernel.trade.TradeOrder;
import io.papertrading.kernel.trade.TradeStatus;
import io.papertrading.kernel.trade.event.BracketsChangedEvent;
import io.papertrading.kernel.trade.event.BrokerProblemClearedEvent;
import io.papertrading.kernel.trade.event.BrokerProblemReportedEvent;
import io.papertrading.kernel.trade.event.CancelRequestedEvent;
import io.papertrading.kernel.trade.event.EntryFilledWhileClosingEvent;
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

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one set of rules that turns a trade's events into its row: status, fills, prices, realized and unrealized
 * P&amp;L (through the kernel's {@link ProfitAndLoss}, with the instrument's multiplier), MFE/MAE, close reason,
 * notes and the trade context. Pure: no database, no clock. The trade projection reads a row, folds an event
 * and writes the row back; {@code asOf} folds a trade's stream from nothing; the analytics projection folds its
 * own facts of a trade. So all three agree by construction.
 *
 * <p>The row holds what the database stores: prices and P&amp;L rounded to 4 decimals half away from zero, as
 * {@code numeric(19, 4)} does, and times at microseconds. The trade context keeps exact figures ({@code mfe},
 * {@code mae} as reached), as it always has.
 *
 * <p>MFE/MAE (maximum favorable / adverse excursion) are in dollars for the whole position: the highest and the
 * lowest unrealized P&amp;L seen while the trade was live, starting from 0 at the first fill and including the
 * realized P&amp;L at the end. So MFE ≥ 0 and MAE ≤ 0. Kept in the context too ({@code mfe}, {@code mae}, and
 * {@code mfeAt}/{@code maeAt}, when they were reached); they freeze when the trade is finished.
 */
public final class TradeFold {

    /** Context key: how many units partial exits sold ({@link PositionReducedEvent}). */
    static final String EXITED_QUANTITY = "exitedQuantity";
    private static final int MONEY_SCALE = 4;
    private static final int STRIKE_SCALE = 3;
    private static final BigDecimal TWO = BigDecimal.valueOf(2);
    /** How PostgreSQL writes a timestamptz into JSON in a UTC session: fraction without trailing zeros. */
    private static final DateTimeFormatter JSON_TIME = new DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd'T'HH:mm:ss").appendFraction(ChronoField.MICRO_OF_SECOND, 0, 6, true)
            .appendLiteral("+00:00").toFormatter().withZone(ZoneOffset.UTC);

    private TradeFold() {
    }

    /**
     * The row after one event of the trade's stream with sequence number {@code sequence} (a price observation
     * goes to {@link #observe}). A TradePlaced starts the row (and changes an existing one not at all); any other
     * event needs a row and moves its version to {@code sequence + 1}. An event not newer than the row (a
     * redelivery, a replayed duplicate) returns {@code row} itself, as does any event of an unknown trade (null).
     */
    public static TradeRow evolve(TradeRow row, TradeEvent event, long sequence) {
        if (event instanceof PriceObservedEvent price) {
            return observe(row, price);
        }
        long version = sequence + 1;
        if (event instanceof TradePlacedEvent placed) {
            return row != null ? row : placed(placed, version);
        }
        if (row == null || version <= row.trade().version()) {
            return row;
        }
        Draft d = new Draft(row);
        d.apply(event);
        if (event instanceof TradeStatusEvent moved) {
            d.status = moved.newStatus();
        }
        d.version = version;
        d.updatedAt = micros(event.occurredAt());
        return d.row();
    }

    /**
     * The row after a quote of its instrument: the last price, the unrealized P&amp;L of what is still held and the
     * excursions move. Only a live trade (not finished) is valued; for any other, {@code row} itself comes back.
     * Price observations are not part of the trade's stream: the version and {@code updatedAt} stay.
     */
    public static TradeRow observe(TradeRow row, PriceObservedEvent e) {
        if (row == null || row.trade().status().isTerminal()) {
            return row;
        }
        BigDecimal price = e.valuationPrice();
        BigDecimal pnl = valuation(row, price);
        Draft d = new Draft(row);
        if (price != null) {
            d.lastPrice = money(price);
        }
        if (pnl != null) {
            BigDecimal mfe = greatest(d.mfe, pnl);
            BigDecimal mae = least(d.mae, pnl);
            String at = JSON_TIME.format(micros(e.occurredAt()));
            d.edit().put("mfe", mfe);
            d.edit().put("mae", mae);
            d.edit().put("mfeAt", d.mfe == null || pnl.compareTo(d.mfe) > 0 ? at : d.context.getOrDefault("mfeAt", at));
            d.edit().put("maeAt", d.mae == null || pnl.compareTo(d.mae) < 0 ? at : d.context.getOrDefault("maeAt", at));
            d.unrealizedPnl = money(pnl);
            d.mfe = money(mfe);
            d.mae = money(mae);
        }
        return d.row();
    }

    /**
     * The exact P&amp;L of what {@code row} still holds valued at {@code price}; null when there is no price or
     * nothing was filled yet.
     */
    static BigDecimal valuation(TradeRow row, BigDecimal price) {
        BigDecimal entry = row.trade().entryPrice();
        if (price == null || entry == null) {
            return null;
        }
        return ProfitAndLoss.of(row.trade().side(), new Money(entry), new Money(price),
                BigDecimal.valueOf(row.heldQuantity()), row.multiplier()).amount();
    }

    /**
     * The row with its price figures as a stored price snapshot recorded them once it was applied ({@code asOf}
     * reads snapshots instead of the price events, which the kept history thins).
     */
    static TradeRow restore(TradeRow row, SnapshotView s) {
        if (row == null) {
            return null;
        }
        Draft d = new Draft(row);
        BigDecimal price = s.mark() != null ? s.mark() : s.last() != null ? s.last()
                : s.bid() != null && s.ask() != null ? s.bid().add(s.ask()).divide(TWO, 6, RoundingMode.HALF_EVEN) : null;
        if (price != null) {
            d.lastPrice = money(price);
        }
        if (s.unrealizedPnl() != null) {
            d.unrealizedPnl = s.unrealizedPnl();
        }
        if (s.mfe() != null) {
            d.mfe = s.mfe();
            d.edit().put("mfe", s.mfe());
        }
        if (s.mae() != null) {
            d.mae = s.mae();
            d.edit().put("mae", s.mae());
        }
        return d.row();
    }

    private static TradeRow placed(TradePlacedEvent e, long version) {
        TradeOrder o = e.order();
        OptionSymbol option = o.instrument().optionSymbol();
        Instant at = micros(e.occurredAt());
        TradeView trade = new TradeView(e.tradeId().value(), e.username(), o.instrument().symbol(),
                option == null ? null : option.occ(), option == null ? null : option.type(),
                option == null ? null : option.strike().setScale(STRIKE_SCALE, RoundingMode.HALF_UP),
                option == null ? null : option.expiry(), o.side(), o.quantity(), 0, o.orderType(),
                money(o.limitPrice()), null, null, money(o.stopLoss()), money(o.takeProfit()), TradeStatus.PENDING,
                null, null, null, null, null, null, o.strategy(), o.notes(), null, null, e.idempotencyKey(), version,
                at, null, null, at, Map.of());
        return new TradeRow(trade, null, e.requestHash(), o.multiplier());
    }

    /** A row being changed by one event: a copy of its values, then a new row. */
    private static final class Draft {
        private final TradeRow from;
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
        private String exitOrderId;
        private long version;
        private Instant openedAt;
        private Instant closedAt;
        private Instant updatedAt;
        /** The row's context until the event changes it, then a copy of its own ({@link #edit}). */
        private Map<String, Object> context;
        private boolean contextCopied;

        Draft(TradeRow row) {
            TradeView t = row.trade();
            from = row;
            filledQuantity = t.filledQuantity();
            entryPrice = t.entryPrice();
            exitPrice = t.exitPrice();
            stopLoss = t.stopLoss();
            takeProfit = t.takeProfit();
            status = t.status();
            closeReason = t.closeReason();
            realizedPnl = t.realizedPnl();
            unrealizedPnl = t.unrealizedPnl();
            lastPrice = t.lastPrice();
            mfe = t.mfe();
            mae = t.mae();
            notes = t.notes();
            broker = t.broker();
            brokerOrderId = t.brokerOrderId();
            exitOrderId = row.exitOrderId();
            version = t.version();
            openedAt = t.openedAt();
            closedAt = t.closedAt();
            updatedAt = t.updatedAt();
            context = t.tradeContext();
        }

        void apply(TradeEvent event) {
            if (event instanceof EntryOrderSubmittedEvent e) {
                broker = e.broker();
                brokerOrderId = e.brokerOrderId();
            } else if (event instanceof EntryPartiallyFilledEvent e) {
                filledQuantity = e.filledQuantity();
                entryPrice = money(e.averagePrice());
                startExcursions();
            } else if (event instanceof EntryFilledWhileClosingEvent e) {
                filledQuantity = e.filledQuantity();
                entryPrice = money(e.averagePrice());
            } else if (event instanceof CancelRequestedEvent e) {
                // shown until the broker's word ends the trade (canceled) or the entry's fill wins (opened)
                edit().put("cancelRequestedAt", e.occurredAt().toString());
            } else if (event instanceof TradeOpenedEvent e) {
                if (context.containsKey("cancelRequestedAt")) {
                    edit().remove("cancelRequestedAt");
                }
                filledQuantity = e.filledQuantity();
                entryPrice = money(e.entryPrice());
                openedAt = openedAt == null ? micros(e.occurredAt()) : openedAt;
                startExcursions();
            } else if (event instanceof TradeRejectedEvent e) {
                closeReason = e.closeReason();
                closedAt = micros(e.occurredAt());
                edit().put("rejectionReason", e.reason());
            } else if (event instanceof TradeCanceledEvent e) {
                closeReason = e.reason();
                closedAt = micros(e.occurredAt());
            } else if (event instanceof BracketsChangedEvent e) {
                stopLoss = money(e.stopLoss());
                takeProfit = money(e.takeProfit());
            } else if (event instanceof CloseRequestedEvent e) {
                // provisional: the reason the close was asked for; the fill (TradeClosed) confirms or replaces it
                closeReason = e.reason();
            } else if (event instanceof ExitOrderSubmittedEvent e) {
                exitOrderId = e.brokerOrderId();
            } else if (event instanceof ExitRejectedEvent e) {
                closeReason = null;
                exitOrderId = null;
                edit().put("lastExitRejection", e.reason());
            } else if (event instanceof TradeClosedEvent e) {
                exitPrice = money(e.exitPrice());
                realizedPnl = money(e.realizedPnl());
                unrealizedPnl = money(BigDecimal.ZERO);
                closeReason = e.reason();
                closedAt = micros(e.occurredAt());
                finishExcursions(amount(e.realizedPnl()));
            } else if (event instanceof TradeExpiredEvent e) {
                exitPrice = money(e.settlementPrice());
                realizedPnl = money(e.realizedPnl());
                closeReason = CloseReason.EXPIRED;
                closedAt = micros(e.occurredAt());
                unrealizedPnl = filledQuantity > 0 ? money(BigDecimal.ZERO) : null;
                edit().put("expiryUnderlyingPrice", amount(e.underlyingPrice()));
                finishExcursions(amount(e.realizedPnl()));
            } else if (event instanceof PositionReducedEvent e) {
                // what is still held is what prices value from here on; the trade's close realizes the total
                BigDecimal before = realizedPnl == null ? BigDecimal.ZERO : realizedPnl;
                realizedPnl = money(before.add(e.realizedPnl().amount()));
                Object exited = context.get(EXITED_QUANTITY);
                edit().put(EXITED_QUANTITY, (exited instanceof Number n ? n.intValue() : 0) + e.closedQuantity());
            } else if (event instanceof BrokerProblemReportedEvent e) {
                edit().put("brokerProblem", e.problem());
            } else if (event instanceof BrokerProblemClearedEvent) {
                edit().remove("brokerProblem");
            } else if (event instanceof TradeAnnotatedEvent e) {
                // the column reads as the trade's journal: the notes it was placed with, then each note on a line
                notes = notes == null || notes.isEmpty() ? e.text() : notes + "\n" + e.text();
            }
            // any other event of the stream (a type added later) still counts towards the version
        }

        /** At the first fill the position is worth what it cost: the excursions start at 0. */
        private void startExcursions() {
            BigDecimal best = mfe == null ? BigDecimal.ZERO : mfe;
            BigDecimal worst = mae == null ? BigDecimal.ZERO : mae;
            edit().put("mfe", best);
            edit().put("mae", worst);
            mfe = money(best);
            mae = money(worst);
        }

        /**
         * At the end the realized P&amp;L is the position's last value, so it counts as an excursion too (a stop
         * filled below the last observed price is the trade's worst moment). A trade that never filled has none.
         */
        private void finishExcursions(BigDecimal realized) {
            if (filledQuantity <= 0) {
                mfe = null;
                mae = null;
                return;
            }
            BigDecimal best = greatest(mfe == null ? BigDecimal.ZERO : mfe, realized);
            BigDecimal worst = least(mae == null ? BigDecimal.ZERO : mae, realized);
            edit().put("mfe", best);
            edit().put("mae", worst);
            mfe = money(best);
            mae = money(worst);
        }

        TradeRow row() {
            TradeView t = from.trade();
            return new TradeRow(new TradeView(t.tradeId(), t.username(), t.symbol(), t.optionSymbol(),
                    t.optionType(), t.strike(), t.expiry(), t.side(), t.quantity(), filledQuantity, t.orderType(),
                    t.limitPrice(), entryPrice, exitPrice, stopLoss, takeProfit, status, closeReason, realizedPnl,
                    unrealizedPnl, lastPrice, mfe, mae, t.strategy(), notes, broker, brokerOrderId,
                    t.idempotencyKey(), version, t.createdAt(), openedAt, closedAt, updatedAt,
                    Collections.unmodifiableMap(context)), exitOrderId, from.requestHash(), from.multiplier());
        }

        /** The context to change: copied from the row's on first use (most events leave it as it is). */
        Map<String, Object> edit() {
            if (!contextCopied) {
                context = new LinkedHashMap<>(context);
                contextCopied = true;
            }
            return context;
        }
    }

    /** The larger, ignoring a null; the first on a tie (as SQL's {@code greatest}). */
    private static BigDecimal greatest(BigDecimal a, BigDecimal b) {
        return a == null ? b : b == null || a.compareTo(b) >= 0 ? a : b;
    }

    /** The smaller, ignoring a null; the first on a tie (as SQL's {@code least}). */
    private static BigDecimal least(BigDecimal a, BigDecimal b) {
        return a == null ? b : b == null || a.compareTo(b) <= 0 ? a : b;
    }

    /** As a {@code numeric(19, 4)} column stores it. */
    static BigDecimal money(BigDecimal value) {
        return value == null ? null : value.setScale(MONEY_SCALE, RoundingMode.HALF_UP);
    }

    private static BigDecimal money(Money value) {
        return money(amount(value));
    }

    private static BigDecimal amount(Money m) {
        return m == null ? null : m.amount();
    }

    /** PostgreSQL keeps microseconds (rounded): so does the fold, so a folded row and a stored one agree. */
    public static Instant micros(Instant t) {
        return t == null ? null : Instant.ofEpochSecond(t.getEpochSecond(), Math.round(t.getNano() / 1000.0) * 1000L);
    }
}
