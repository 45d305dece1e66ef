package io.papertrading.kernel.trade.command;

import io.papertrading.kernel.money.Money;
import io.papertrading.kernel.trade.Actor;
import io.papertrading.kernel.trade.TradeId;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Replace the trade's stop loss and take profit; a null clears that bracket. */
public record ChangeBracketsCommand(@TargetAggregateIdentifier TradeId tradeId, Money stopLoss, Money takeProfit,
                                    Actor actor, Long expectedVersion) {
}
