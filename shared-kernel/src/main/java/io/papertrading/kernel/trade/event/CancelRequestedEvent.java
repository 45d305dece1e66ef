package io.papertrading.kernel.trade.event;

import io.papertrading.kernel.trade.TradeId;
import org.axonframework.serialization.Revision;

import java.time.Instant;

/**
 * The user asked to cancel a trade whose entry is still working. The trade stays as it is until the broker's
 * final word on the entry order: CANCELED (with this request's {@code detail} and {@code actor}) when nothing
 * filled, OPEN with whatever filled meanwhile (a fill the broker made is a position, never dropped).
 */
@Revision("1")
public record CancelRequestedEvent(TradeId tradeId, String detail, String actor, Instant occurredAt) implements TradeEvent {
}
