package io.papertrading.kernel.trade.command;

import io.papertrading.kernel.trade.Actor;
import io.papertrading.kernel.trade.TradeId;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Add a note to the trade's journal (any state, including ended trades). */
public record AnnotateTradeCommand(@TargetAggregateIdentifier TradeId tradeId, String text, Actor actor,
                                   Long expectedVersion) {
}
