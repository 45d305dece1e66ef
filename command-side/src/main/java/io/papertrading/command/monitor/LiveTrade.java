package io.papertrading.command.monitor;

import io.papertrading.kernel.money.Money;
import io.papertrading.kernel.trade.CloseReason;
import io.papertrading.kernel.trade.Side;
import io.papertrading.kernel.trade.TradeId;
import io.papertrading.kernel.trade.TradeStatus;

import java.time.Instant;

/**
 * A trade the price monitor watches: what to quote ({@code quoteSymbol}: the stock, or the option's OCC
 * symbol), how to value it and its brackets. {@code triggerReason} is set once the monitor has asked to close it
 * for a crossed bracket; {@code crossedSince} is when a bracket was first seen crossed.
 */
public record LiveTrade(TradeId tradeId, String username, String quoteSymbol, Side side, TradeStatus status,
                        int filledQuantity, Money entryPrice, Money stopLoss, Money takeProfit,
                        CloseReason triggerReason, Instant crossedSince) {
}
