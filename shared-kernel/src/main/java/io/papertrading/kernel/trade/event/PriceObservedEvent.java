package io.papertrading.kernel.trade.event;

import io.papertrading.kernel.money.Money;
import io.papertrading.kernel.trade.TradeId;
import org.axonframework.serialization.Revision;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;

/**
 * A quote observed for a live trade's instrument. Published on the event bus, not in the trade aggregate's
 * stream, so a long-lived trade does not slow its own commands. Fields other than the ids may be null
 * (untraded options have no last price).
 */
@Revision("1")
public record PriceObservedEvent(TradeId tradeId, String username, Money bid, Money ask, Money last, Money mark,
                                 Money underlyingPrice, BigDecimal impliedVolatility, BigDecimal delta,
                                 Instant occurredAt) implements TradeEvent {

    /** The price a position is valued at: the mark, else the last trade, else the mid of bid and ask; or null. */
    public BigDecimal valuationPrice() {
        if (mark != null) {
            return mark.amount();
        }
        if (last != null) {
            return last.amount();
        }
        if (bid != null && ask != null) {
            return bid.amount().add(ask.amount()).divide(BigDecimal.valueOf(2), 6, RoundingMode.HALF_EVEN);
        }
        return null;
    }
}
