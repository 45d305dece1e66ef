package io.papertrading.query.trade;

import io.papertrading.kernel.instrument.OptionType;
import io.papertrading.kernel.trade.CloseReason;
import io.papertrading.kernel.trade.OrderType;
import io.papertrading.kernel.trade.Side;
import io.papertrading.kernel.trade.TradeStatus;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;

/**
 * A trade as the query API returns it (the contract's Trade JSON). Money and prices are exact; P&amp;L is per
 * trade in dollars (options × 100); {@code version} is the trade aggregate's version.
 */
public record TradeView(
        String tradeId,
        String username,
        String symbol,
        String optionSymbol,
        OptionType optionType,
        BigDecimal strike,
        LocalDate expiry,
        Side side,
        int quantity,
        int filledQuantity,
        OrderType orderType,
        BigDecimal limitPrice,
        BigDecimal entryPrice,
        BigDecimal exitPrice,
        BigDecimal stopLoss,
        BigDecimal takeProfit,
        TradeStatus status,
        CloseReason closeReason,
        BigDecimal realizedPnl,
        BigDecimal unrealizedPnl,
        BigDecimal lastPrice,
        BigDecimal mfe,
        BigDecimal mae,
        String strategy,
        String notes,
        String broker,
        String brokerOrderId,
        String idempotencyKey,
        long version,
        Instant createdAt,
        Instant openedAt,
        Instant closedAt,
        Instant updatedAt,
        Map<String, Object> tradeContext) {
}
