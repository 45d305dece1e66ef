package io.papertrading.kernel.trade.event;

import io.papertrading.kernel.money.Money;
import io.papertrading.kernel.trade.TradeId;
import org.axonframework.serialization.Revision;

import java.time.Instant;

/**
 * Part of an open position was sold (or bought back) at the broker by an exit or bracket order that then ended
 * without filling the rest: {@code closedQuantity} at {@code exitPrice}, realizing {@code realizedPnl} (dollars,
 * options ×100), with {@code remainingQuantity} still held. The trade's final close or expiry realizes the rest;
 * its realized P&amp;L is then the trade's total, this part included.
 */
@Revision("1")
public record PositionReducedEvent(TradeId tradeId, int closedQuantity, Money exitPrice, Money realizedPnl,
                                   int remainingQuantity, String detail, Instant occurredAt) implements TradeEvent {
}
