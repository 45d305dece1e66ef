package io.papertrading.kernel.trade.event;

import io.papertrading.kernel.trade.TradeId;
import io.papertrading.kernel.trade.TradeOrder;
import io.papertrading.kernel.trade.TradeStatus;
import org.axonframework.serialization.Revision;

import java.time.Instant;

/** A user placed a trade; it is PENDING until the broker confirms the entry order. */
@Revision("1")
public record TradePlacedEvent(TradeId tradeId, String username, TradeOrder order, String idempotencyKey,
                               String requestHash, Instant occurredAt) implements TradeStatusEvent {
    @Override
    public TradeStatus newStatus() {
        return TradeStatus.PENDING;
    }

    @Override
    public String transitionReason() {
        return "placed";
    }

    @Override
    public String actor() {
        return username;
    }
}
