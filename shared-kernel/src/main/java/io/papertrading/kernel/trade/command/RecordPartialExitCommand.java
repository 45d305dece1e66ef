package io.papertrading.kernel.trade.command;

import io.papertrading.kernel.money.Money;
import io.papertrading.kernel.trade.TradeId;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * An exit or bracket order ended at the broker after filling {@code quantity} of the position at
 * {@code averagePrice}: that part is no longer held. Sent by the execution saga.
 */
public record RecordPartialExitCommand(@TargetAggregateIdentifier TradeId tradeId, int quantity, Money averagePrice,
                                       String detail) {
}
