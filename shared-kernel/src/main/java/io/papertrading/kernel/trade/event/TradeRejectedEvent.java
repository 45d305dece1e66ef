package io.papertrading.kernel.trade.event;

import io.papertrading.kernel.trade.CloseReason;
import io.papertrading.kernel.trade.TradeId;
import io.papertrading.kernel.trade.TradeStatus;
import org.axonframework.serialization.Revision;

import java.time.Instant;

/** The broker rejected the entry order; the trade ends CANCELED with close reason REJECTED. */
@Revision("1")
public record TradeRejectedEvent(TradeId tradeId, String reason, Instant occurredAt) implements TradeStatusEvent {
    @Override
    public TradeStatus newStatus() {
        return TradeStatus.CANCELED;
    }

    public CloseReason closeReason() {
        return CloseReason.REJECTED;
    }

    @Override
    public String transitionReason() {
        return "rejected by broker: " + reason;
    }

    @Override
    public String actor() {
        return "broker";
    }
}
