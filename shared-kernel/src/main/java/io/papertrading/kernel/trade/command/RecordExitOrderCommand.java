package io.papertrading.kernel.trade.command;

import io.papertrading.kernel.trade.TradeId;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** The broker accepted the exit order under {@code brokerOrderId}. */
public record RecordExitOrderCommand(@TargetAggregateIdentifier TradeId tradeId, String brokerOrderId) {
}
