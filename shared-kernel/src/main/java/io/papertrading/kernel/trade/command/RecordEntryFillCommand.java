package io.papertrading.kernel.trade.command;

import io.papertrading.kernel.money.Money;
import io.papertrading.kernel.trade.TradeId;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * The broker reports the entry order filled up to {@code filledQuantity} (cumulative) at
 * {@code averagePrice}. A fill of the whole quantity opens the trade; less records a partial fill; a report
 * that adds nothing is ignored, so a repeated poll is harmless. {@code broker} and {@code brokerOrderId}, when
 * given, name the entry order the fill belongs to, not recorded yet: the order is recorded in the same step, as
 * {@link RecordEntryOrderCommand} would (a broker that fills an order at once reports both in one answer).
 */
public record RecordEntryFillCommand(@TargetAggregateIdentifier TradeId tradeId, int filledQuantity, Money averagePrice,
                                     String broker, String brokerOrderId) {

    /** A fill of the entry order already recorded. */
    public RecordEntryFillCommand(TradeId tradeId, int filledQuantity, Money averagePrice) {
        this(tradeId, filledQuantity, averagePrice, null, null);
    }
}
