package io.papertrading.query.analytics;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * The counts and sums of one strategy's trades from which every portfolio ratio is derived (see
 * {@link AnalyticsProjection} for the definitions). {@code strategy} is null for trades placed without one.
 * {@code grossLoss} is ≤ 0.
 */
public record StrategyTally(String strategy, int openTrades, int closedTrades, int wins, int losses,
                            BigDecimal grossProfit, BigDecimal grossLoss, BigDecimal realizedPnl,
                            BigDecimal unrealizedPnl) {

    /** Ratios are given to 4 decimals, rounded half-even. */
    public static final int SCALE = 4;

    public static StrategyTally empty(String strategy) {
        return new StrategyTally(strategy, 0, 0, 0, 0, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO);
    }

    public StrategyTally plus(StrategyTally o) {
        return new StrategyTally(strategy, openTrades + o.openTrades, closedTrades + o.closedTrades, wins + o.wins,
                losses + o.losses, grossProfit.add(o.grossProfit), grossLoss.add(o.grossLoss),
                realizedPnl.add(o.realizedPnl), unrealizedPnl.add(o.unrealizedPnl));
    }

    /** What this tally has more than {@code o}: figure by figure, the difference. */
    public StrategyTally minus(StrategyTally o) {
        return new StrategyTally(strategy, openTrades - o.openTrades, closedTrades - o.closedTrades, wins - o.wins,
                losses - o.losses, grossProfit.subtract(o.grossProfit), grossLoss.subtract(o.grossLoss),
                realizedPnl.subtract(o.realizedPnl), unrealizedPnl.subtract(o.unrealizedPnl));
    }

    /** wins / closed; null with no closed trade. */
    public BigDecimal winRate() {
        return closedTrades == 0 ? null
                : BigDecimal.valueOf(wins).divide(BigDecimal.valueOf(closedTrades), SCALE, RoundingMode.HALF_EVEN);
    }

    /** total realized / closed: the average P&amp;L of a closed trade; null with no closed trade. */
    public BigDecimal expectancy() {
        return closedTrades == 0 ? null
                : realizedPnl.divide(BigDecimal.valueOf(closedTrades), SCALE, RoundingMode.HALF_EVEN);
    }

    /** gross profit / |gross loss|; null when there is no loss. */
    public BigDecimal profitFactor() {
        return losses == 0 || grossLoss.signum() == 0 ? null
                : grossProfit.divide(grossLoss.abs(), SCALE, RoundingMode.HALF_EVEN);
    }
}
