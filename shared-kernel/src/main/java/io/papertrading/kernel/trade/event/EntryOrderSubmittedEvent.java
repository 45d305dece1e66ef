package io.papertrading.kernel.trade.event;

import io.papertrading.kernel.trade.TradeId;
import org.axonframework.serialization.Revision;

import java.time.Instant;

/** The broker accepted the entry order under {@code brokerOrderId}. */
@Revision("1")
public record EntryOrderSubmittedEvent(TradeId tradeId, String broker, String brokerOrderId, Instant occurredAt)
        implements TradeEvent {
}
