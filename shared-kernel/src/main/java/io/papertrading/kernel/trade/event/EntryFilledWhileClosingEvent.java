package io.papertrading.kernel.trade.event;

import io.papertrading.kernel.money.Money;
import io.papertrading.kernel.trade.TradeId;
import org.axonframework.serialization.Revision;

import java.time.Instant;

/**
 * The trade was asked to close while its entry was partly filled, and more of the entry filled before the broker
 * confirmed the cancel of its rest: the position to exit is now {@code filledQuantity} (cumulative) at
 * {@code averagePrice}. The trade stays CLOSING; its exit is sized from this.
 */
@Revision("1")
public record EntryFilledWhileClosingEvent(TradeId tradeId, int filledQuantity, Money averagePrice, Instant occurredAt)
        implements TradeEvent {
}
