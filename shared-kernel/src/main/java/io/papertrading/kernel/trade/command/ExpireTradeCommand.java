package io.papertrading.kernel.trade.command;

import io.papertrading.kernel.money.Money;
import io.papertrading.kernel.trade.TradeId;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * The option contract reached its expiry: settle what was filled at intrinsic value from
 * {@code underlyingPrice} (out of the money settles at 0).
 */
public record ExpireTradeCommand(@TargetAggregateIdentifier TradeId tradeId, Money underlyingPrice) {
}
