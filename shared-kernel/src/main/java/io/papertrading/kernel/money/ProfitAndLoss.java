package io.papertrading.kernel.money;

import io.papertrading.kernel.trade.Side;

import java.math.BigDecimal;

/** The one formula for a position's profit and loss, used by the aggregate, projections and analytics. */
public final class ProfitAndLoss {

    private ProfitAndLoss() {
    }

    /**
     * P&amp;L in dollars of {@code quantity} units opened at {@code entry} and valued or closed at {@code exit}:
     * (exit − entry) × quantity × multiplier for a long (BUY) position, the negation for a short (SELL) one.
     * Exact: no rounding.
     */
    public static Money of(Side side, Money entry, Money exit, BigDecimal quantity, BigDecimal multiplier) {
        Money perUnit = exit.minus(entry);
        Money pnl = perUnit.times(quantity).times(multiplier);
        return side == Side.BUY ? pnl : pnl.negate();
    }

    /** Volume-weighted average of two fills: the running average after adding {@code addQty} at {@code addPrice}. */
    public static Money averagePrice(Money currentAvg, BigDecimal currentQty, Money addPrice, BigDecimal addQty) {
        BigDecimal total = currentQty.add(addQty);
        if (total.signum() == 0) {
            return Money.ZERO;
        }
        BigDecimal notional = currentAvg.amount().multiply(currentQty).add(addPrice.amount().multiply(addQty));
        // Prices carry at most 4 decimals at the broker; 10 keeps the average exact enough for any P&L to the cent.
        return new Money(notional.divide(total, 10, java.math.RoundingMode.HALF_EVEN).stripTrailingZeros());
    }
}
