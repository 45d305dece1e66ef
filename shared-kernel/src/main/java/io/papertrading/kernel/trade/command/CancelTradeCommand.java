package io.papertrading.kernel.trade.command;

import io.papertrading.kernel.trade.Actor;
import io.papertrading.kernel.trade.CloseReason;
import io.papertrading.kernel.trade.TradeId;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * End a trade whose entry has not completed: by the user (reason CANCELED), on a confirmation timeout
 * (TIMEOUT), or because the broker canceled the order. A partially filled trade keeps what was filled and
 * opens with it. {@code expectedVersion} is the client's If-Match, or null.
 */
public record CancelTradeCommand(@TargetAggregateIdentifier TradeId tradeId, CloseReason reason, String detail,
                                 Actor actor, Long expectedVersion) {
}
