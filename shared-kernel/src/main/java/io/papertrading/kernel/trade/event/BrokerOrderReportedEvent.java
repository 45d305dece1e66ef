package io.papertrading.kernel.trade.event;

import io.papertrading.kernel.money.Money;
import io.papertrading.kernel.trade.TradeId;
import org.axonframework.serialization.Revision;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * News of one order leg of a trade from the order desk, which does the trade's broker work: the order as the
 * broker showed it ({@link Kind#SEEN}: first when it is known, then at each change of state or fills), or why
 * it never came to be. Published on the event bus, not in the trade's stream (it changes neither the trade nor
 * its version); the execution saga that owns the trade decides what it means. {@code tag} names the leg
 * ({@code <trade>}, {@code <trade>-b1}, {@code <trade>-x1}, ...). {@code state} is a broker order state name
 * ({@code OPEN}, {@code FILLED}, ...), {@code type} a price type name ({@code MARKET}, {@code LIMIT}, {@code STOP});
 * ids, prices, quantities and the reason may be null.
 */
@Revision("1")
public record BrokerOrderReportedEvent(TradeId tradeId, String tag, Kind kind, String orderId, String state,
                                       String type, BigDecimal filledQuantity, Money avgFillPrice, Money lastFillPrice,
                                       String reason, List<Leg> legs, Instant occurredAt) {

    public BrokerOrderReportedEvent {
        legs = legs == null ? List.of() : List.copyOf(legs);
    }

    /** What the desk has to say about the leg. */
    public enum Kind {
        /** The broker shows the order: its state and fills. */
        SEEN,
        /** The broker refused the order ({@code reason}); nothing works. */
        REFUSED,
        /** The order never showed up at the broker within the confirmation window ({@code reason} says what is known). */
        UNCONFIRMED,
        /** Withdrawn before it was sent: nothing was placed. */
        NOT_PLACED
    }

    /** One child order of a one-cancels-other or multi-leg order; {@code type} is a price type name (STOP, LIMIT, ...). */
    public record Leg(String orderId, String state, String type, BigDecimal filledQuantity, Money avgFillPrice,
                      Money lastFillPrice) {
    }
}
