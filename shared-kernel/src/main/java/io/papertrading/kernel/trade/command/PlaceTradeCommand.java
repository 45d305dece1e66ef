package io.papertrading.kernel.trade.command;

import io.papertrading.kernel.trade.TradeId;
import io.papertrading.kernel.trade.TradeOrder;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Place a new trade. The id is derived from (username, idempotency key), so sending this again with the
 * same order answers the existing trade and with a different order is refused. {@code maxOpenTrades} is the
 * user's limit on live trades as their settings say at the request (null: none); the aggregate enforces it
 * exactly against the command side's count.
 */
public record PlaceTradeCommand(@TargetAggregateIdentifier TradeId tradeId, String username, TradeOrder order,
                                String idempotencyKey, Integer maxOpenTrades) {

    /** A placement with no limit on live trades. */
    public PlaceTradeCommand(TradeId tradeId, String username, TradeOrder order, String idempotencyKey) {
        this(tradeId, username, order, idempotencyKey, null);
    }
}
