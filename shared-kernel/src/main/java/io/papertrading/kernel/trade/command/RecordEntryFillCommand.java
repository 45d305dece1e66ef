package io.papertrading.kernel.trade.command;

import io.papertrading.kernel.money.Money;
import io.papertrading.kernel.trade.TradeId;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * The broker reports the entry order filled up to {@code filledQuantity} (cumulative) at
 * {@code averagePrice}. A fill of the whole quantity opens the trade; less records a partial fill; a report
 * that adds nothing is ignored, so a repeated poll is harmless.
 */
public record RecordEntryFillCommand(@TargetAggregateIdentifier TradeId tradeId, int filledQuantity, Money averagePrice) {
}
