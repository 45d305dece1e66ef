package io.papertrading.kernel.trade.event;

import io.papertrading.kernel.trade.CloseReason;
import io.papertrading.kernel.trade.TradeId;
import io.papertrading.kernel.trade.TradeStatus;
import org.axonframework.serialization.Revision;

import java.time.Instant;

/** The trade ended before its entry completed: user cancel (CANCELED) or confirmation timeout (TIMEOUT). */
@Revision("1")
public record TradeCanceledEvent(TradeId tradeId, CloseReason reason, String detail, String actor,
                                 Instant occurredAt) implements TradeStatusEvent {
    @Override
    public TradeStatus newStatus() {
        return TradeStatus.CANCELED;
    }

    @Override
    public String transitionReason() {
        return detail == null ? reason.name() : reason.name() + ": " + detail;
    }
}
