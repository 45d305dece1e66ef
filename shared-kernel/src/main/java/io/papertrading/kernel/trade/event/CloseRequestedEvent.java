package io.papertrading.kernel.trade.event;

import io.papertrading.kernel.trade.CloseReason;
import io.papertrading.kernel.trade.TradeId;
import io.papertrading.kernel.trade.TradeStatus;
import org.axonframework.serialization.Revision;

import java.time.Instant;

/** Closing started (manual, stop loss or take profit); an exit order follows. */
@Revision("1")
public record CloseRequestedEvent(TradeId tradeId, CloseReason reason, String actor, Instant occurredAt)
        implements TradeStatusEvent {
    @Override
    public TradeStatus newStatus() {
        return TradeStatus.CLOSING;
    }

    @Override
    public String transitionReason() {
        return "close requested: " + reason;
    }
}
