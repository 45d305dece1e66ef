package io.papertrading.kernel.trade.command;

import io.papertrading.kernel.trade.TradeId;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** The broker accepted the entry order under {@code brokerOrderId}. */
public record RecordEntryOrderCommand(@TargetAggregateIdentifier TradeId tradeId, String broker, String brokerOrderId) {
}
