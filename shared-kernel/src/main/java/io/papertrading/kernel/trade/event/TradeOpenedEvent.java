package io.papertrading.kernel.trade.event;

import io.papertrading.kernel.money.Money;
import io.papertrading.kernel.trade.TradeId;
import io.papertrading.kernel.trade.TradeStatus;
import org.axonframework.serialization.Revision;

import java.time.Instant;

/**
 * The entry is complete: the position holds {@code filledQuantity} at {@code entryPrice} (average). Less
 * than the ordered quantity when the unfilled remainder was canceled ({@code detail} says so).
 */
@Revision("1")
public record TradeOpenedEvent(TradeId tradeId, int filledQuantity, Money entryPrice, String detail,
                               Instant occurredAt) implements TradeStatusEvent {
    @Override
    public TradeStatus newStatus() {
        return TradeStatus.OPEN;
    }

    @Override
    public String transitionReason() {
        return detail;
    }

    @Override
    public String actor() {
        return "broker";
    }
}
