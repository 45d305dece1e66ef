package io.papertrading.kernel.trade.command;

import io.papertrading.kernel.trade.TradeId;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** The broker rejected the entry order; {@code reason} is the broker's explanation. */
public record RejectTradeCommand(@TargetAggregateIdentifier TradeId tradeId, String reason) {
}
