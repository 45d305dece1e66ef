package io.papertrading.kernel.trade.event;

import io.papertrading.kernel.money.Money;
import io.papertrading.kernel.trade.CloseReason;
import io.papertrading.kernel.trade.TradeId;
import io.papertrading.kernel.trade.TradeStatus;
import org.axonframework.serialization.Revision;

import java.time.Instant;

/** The position was closed: {@code quantity} at {@code exitPrice}, realizing {@code realizedPnl} dollars (signed). */
@Revision("1")
public record TradeClosedEvent(TradeId tradeId, CloseReason reason, int quantity, Money exitPrice, Money realizedPnl,
                               Instant occurredAt) implements TradeStatusEvent {
    @Override
    public TradeStatus newStatus() {
        return TradeStatus.CLOSED;
    }

    @Override
    public String transitionReason() {
        return "closed (" + reason + ") at " + exitPrice;
    }

    @Override
    public String actor() {
        return "broker";
    }
}
