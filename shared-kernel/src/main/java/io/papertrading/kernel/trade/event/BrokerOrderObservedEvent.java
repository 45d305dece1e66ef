package io.papertrading.kernel.trade.event;

import io.papertrading.kernel.money.Money;
import io.papertrading.kernel.trade.TradeId;
import org.axonframework.serialization.Revision;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * A broker order the execution saga watches, as its account's poller saw it: the first sighting after the saga
 * started watching it, then each change. Published on the event bus, not in the trade's stream (it changes
 * neither the trade nor its version); the saga that owns the trade decides what it means. {@code watch} names
 * the saga's watch it answers, so a sighting for a watch the saga has since left is ignored. {@code state} is a
 * broker order state name ({@code OPEN}, {@code FILLED}, ...); prices and the reason may be null.
 */
@Revision("1")
public record BrokerOrderObservedEvent(TradeId tradeId, long watch, String orderId, String state,
                                       BigDecimal filledQuantity, Money avgFillPrice, Money lastFillPrice,
                                       String reason, List<Leg> legs, Instant occurredAt) {

    public BrokerOrderObservedEvent {
        legs = legs == null ? List.of() : List.copyOf(legs);
    }

    /** One child order of a one-cancels-other or multi-leg order; {@code type} is a price type name (STOP, LIMIT, ...). */
    public record Leg(String orderId, String state, String type, BigDecimal filledQuantity, Money avgFillPrice,
                      Money lastFillPrice) {
    }
}
