package io.papertrading.kernel.trade.event;

import io.papertrading.kernel.money.Money;
import io.papertrading.kernel.trade.TradeId;
import org.axonframework.serialization.Revision;

import java.time.Instant;

/** The trade's stop loss and take profit are now these (null: none). */
@Revision("1")
public record BracketsChangedEvent(TradeId tradeId, Money stopLoss, Money takeProfit, String actor,
                                   Instant occurredAt) implements TradeEvent {
}
