package io.papertrading.kernel.trade.event;

import io.papertrading.kernel.trade.TradeId;
import io.papertrading.kernel.trade.TradeStatus;
import org.axonframework.serialization.Revision;

import java.time.Instant;

/** The exit order was rejected or canceled at the broker; the position is OPEN again. */
@Revision("1")
public record ExitRejectedEvent(TradeId tradeId, String reason, Instant occurredAt) implements TradeStatusEvent {
    @Override
    public TradeStatus newStatus() {
        return TradeStatus.OPEN;
    }

    @Override
    public String transitionReason() {
        return "exit rejected: " + reason;
    }

    @Override
    public String actor() {
        return "broker";
    }
}
