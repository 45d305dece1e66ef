package io.papertrading.kernel.trade.command;

import io.papertrading.kernel.trade.TradeId;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** The exit order was rejected or canceled at the broker; the trade goes back to OPEN. */
public record RejectExitCommand(@TargetAggregateIdentifier TradeId tradeId, String reason) {
}
