package io.papertrading.kernel.trade.command;

import io.papertrading.kernel.trade.TradeId;
import io.papertrading.kernel.trade.TradeOrder;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Place a new trade. The id is derived from (username, idempotency key), so sending this again with the
 * same order answers the existing trade and with a different order is refused.
 */
public record PlaceTradeCommand(@TargetAggregateIdentifier TradeId tradeId, String username, TradeOrder order,
                                String idempotencyKey) {
}
