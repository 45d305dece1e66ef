package io.papertrading.kernel.trade.event;

import io.papertrading.kernel.money.Money;
import io.papertrading.kernel.trade.TradeId;
import io.papertrading.kernel.trade.TradeStatus;
import org.axonframework.serialization.Revision;

import java.time.Instant;

/** Part of the entry order filled: {@code filledQuantity} so far (cumulative) at {@code averagePrice}. */
@Revision("1")
public record EntryPartiallyFilledEvent(TradeId tradeId, int filledQuantity, Money averagePrice, Instant occurredAt)
        implements TradeStatusEvent {
    @Override
    public TradeStatus newStatus() {
        return TradeStatus.PARTIALLY_FILLED;
    }

    @Override
    public String transitionReason() {
        return "entry partly filled: " + filledQuantity + " at " + averagePrice;
    }

    @Override
    public String actor() {
        return "broker";
    }
}
