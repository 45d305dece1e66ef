package io.papertrading.query.trade;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * One price snapshot of a trade ({@code GET /api/trades/{id}/snapshots}): the quote observed at {@code at} and
 * the position's unrealized P&amp;L at that price, with the trade's MFE/MAE as they stood then.
 */
public record SnapshotView(Instant at, BigDecimal bid, BigDecimal ask, BigDecimal last, BigDecimal mark,
                           BigDecimal underlyingPrice, BigDecimal iv, BigDecimal delta, BigDecimal unrealizedPnl,
                           BigDecimal mfe, BigDecimal mae) {
}
