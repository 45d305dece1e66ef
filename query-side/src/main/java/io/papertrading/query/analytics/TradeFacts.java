package io.papertrading.query.analytics;

import io.papertrading.kernel.trade.TradeStatus;
import io.papertrading.query.trade.TradeRow;
import io.papertrading.query.trade.TradeView;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.EnumSet;
import java.util.Set;

/**
 * What analytics counts of one trade (a row of {@code analytics_trades}), taken from the trade's folded row: the
 * live projection writes these facts and the portfolio at a past time tallies them, so both count alike.
 *
 * @param heldQuantity what is still held: the entry fill less what partial exits sold
 * @param realizedPnl  the trade's realized P&amp;L once it counts (closed, or expired holding a position); else null
 * @param unrealizedPnl the latest unrealized P&amp;L while a position is held (OPEN, PARTIALLY_FILLED, CLOSING)
 * @param closeDate    the America/New_York date of the close or expiry
 */
record TradeFacts(TradeStatus status, int heldQuantity, BigDecimal entryPrice, BigDecimal realizedPnl,
                  BigDecimal unrealizedPnl, BigDecimal mfe, BigDecimal mae, Instant openedAt, Instant closedAt,
                  LocalDate closeDate, long version) {

    /** The statuses in which a position is held. */
    static final Set<TradeStatus> LIVE = EnumSet.of(TradeStatus.OPEN, TradeStatus.PARTIALLY_FILLED, TradeStatus.CLOSING);
    /** The statuses of a finished trade whose P&amp;L may count. */
    static final Set<TradeStatus> FINISHED = EnumSet.of(TradeStatus.CLOSED, TradeStatus.EXPIRED);

    static TradeFacts of(TradeRow row) {
        TradeView t = row.trade();
        int held = row.heldQuantity();
        // an option that expired without a position realized nothing: it does not count
        boolean counts = t.status() == TradeStatus.CLOSED || t.status() == TradeStatus.EXPIRED && held > 0;
        boolean finished = FINISHED.contains(t.status());
        return new TradeFacts(t.status(), held, t.entryPrice(), counts ? t.realizedPnl() : null,
                LIVE.contains(t.status()) ? t.unrealizedPnl() : null, t.mfe(), t.mae(), t.openedAt(), t.closedAt(),
                finished ? t.closedAt().atZone(AnalyticsProjection.MARKET_ZONE).toLocalDate() : null, t.version());
    }

    /** This trade's contribution to its strategy's tally ({@code strategy} as the tally names it). */
    StrategyTally tally(String strategy) {
        BigDecimal realized = closed() ? realizedPnl : BigDecimal.ZERO;
        BigDecimal unrealized = open() && unrealizedPnl != null ? unrealizedPnl : BigDecimal.ZERO;
        return new StrategyTally(strategy, open() ? 1 : 0, closed() ? 1 : 0,
                closed() && realized.signum() > 0 ? 1 : 0, closed() && realized.signum() < 0 ? 1 : 0,
                realized.signum() > 0 ? realized : BigDecimal.ZERO, realized.signum() < 0 ? realized : BigDecimal.ZERO,
                realized, unrealized);
    }

    boolean finished() {
        return FINISHED.contains(status);
    }

    boolean open() {
        return LIVE.contains(status);
    }

    boolean closed() {
        return realizedPnl != null;
    }
}
