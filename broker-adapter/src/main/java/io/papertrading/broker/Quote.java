package io.papertrading.broker;

import io.papertrading.kernel.instrument.OptionSymbol;
import io.papertrading.kernel.money.Money;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;

/**
 * A quote for a stock, ETF or option. Prices are nullable: an option that has not traded has no {@code last}, and
 * a thin market may lack a bid. {@code underlyingPrice} and {@code greeks} are filled only where the source knows
 * them. Sizes are as the source reports them.
 */
public record Quote(String symbol, String description, Money bid, Money ask, Money last, Long volume,
                    Long bidSize, Long askSize, Money underlyingPrice, Greeks greeks, Instant tradeTime) {

    private static final BigDecimal TWO = BigDecimal.valueOf(2);

    /** Mid of bid and ask when both exist (and ask is positive), else the last trade, else null. */
    public Money mark() {
        if (bid != null && ask != null && ask.isPositive()) {
            return new Money(bid.amount().add(ask.amount()).divide(TWO, 4, RoundingMode.HALF_EVEN));
        }
        return last;
    }

    /** The parsed contract when {@link #symbol} is an OCC option symbol, else null. */
    public OptionSymbol optionSymbol() {
        return OptionSymbol.tryParse(symbol).orElse(null);
    }
}
