package io.papertrading.kernel.trade.event;

import io.papertrading.kernel.trade.TradeId;
import org.axonframework.serialization.Revision;

import java.time.Instant;

/** A note was added to the trade's journal. */
@Revision("1")
public record TradeAnnotatedEvent(TradeId tradeId, String text, String actor, Instant occurredAt) implements TradeEvent {
}
