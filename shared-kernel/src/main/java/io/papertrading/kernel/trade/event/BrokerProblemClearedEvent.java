package io.papertrading.kernel.trade.event;

import io.papertrading.kernel.trade.TradeId;
import org.axonframework.serialization.Revision;

import java.time.Instant;

/** The broker account answers again: the problem reported on the trade is over. */
@Revision("1")
public record BrokerProblemClearedEvent(TradeId tradeId, Instant occurredAt) implements TradeEvent {
}
