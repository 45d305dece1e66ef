package io.papertrading.kernel.trade.command;

import io.papertrading.kernel.trade.Actor;
import io.papertrading.kernel.trade.CloseReason;
import io.papertrading.kernel.trade.TradeId;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Start closing an open (or partially filled) trade: manually, or because a bracket was hit. */
public record RequestCloseCommand(@TargetAggregateIdentifier TradeId tradeId, CloseReason reason, Actor actor,
                                  Long expectedVersion) {
}
