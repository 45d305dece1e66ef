package io.papertrading.kernel.trade.command;

import io.papertrading.kernel.money.Money;
import io.papertrading.kernel.trade.CloseReason;
import io.papertrading.kernel.trade.TradeId;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * The exit filled at {@code exitPrice}: from CLOSING (reason taken from the close request when null), or
 * straight from OPEN when a bracket leg filled at the broker (reason STOP_LOSS or TAKE_PROFIT).
 */
public record CloseTradeCommand(@TargetAggregateIdentifier TradeId tradeId, Money exitPrice, CloseReason reason) {
}
