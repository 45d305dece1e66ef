package io.papertrading.kernel.trade.event;

import io.papertrading.kernel.trade.TradeId;
import org.axonframework.serialization.Revision;

import java.time.Instant;

/**
 * The broker account behind a live trade keeps failing in a way that waiting alone will not fix (a revoked token,
 * a closed account): the trade cannot move until the user acts. {@code problem} is safe to show the user.
 */
@Revision("1")
public record BrokerProblemReportedEvent(TradeId tradeId, String problem, Instant occurredAt) implements TradeEvent {
}
