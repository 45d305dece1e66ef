package io.papertrading.query.analytics;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/**
 * {@code GET /api/portfolio}: the user's whole book and each strategy's part of it. {@code asOf} is null for the
 * live figures, else the time the figures were reconstructed for. Ratios are null where undefined (no closed
 * trade; profit factor with no loss).
 */
public record PortfolioView(int openTrades, int closedTrades, int wins, int losses, BigDecimal realizedPnl,
                            BigDecimal unrealizedPnl, BigDecimal winRate, BigDecimal expectancy,
                            BigDecimal profitFactor, List<StrategyView> byStrategy, Instant asOf) {

    /** One strategy's statistics; {@code trades} is the number of closed trades (the win rate's denominator). */
    public record StrategyView(String strategy, int trades, int openTrades, int wins, int losses, BigDecimal winRate,
                               BigDecimal expectancy, BigDecimal profitFactor, BigDecimal realizedPnl,
                               BigDecimal unrealizedPnl) {

        static StrategyView of(StrategyTally t) {
            return new StrategyView(t.strategy(), t.closedTrades(), t.openTrades(), t.wins(), t.losses(), t.winRate(),
                    t.expectancy(), t.profitFactor(), t.realizedPnl(), t.unrealizedPnl());
        }
    }

    /** The portfolio of these strategies' tallies; strategies listed by name, the unnamed one last. */
    public static PortfolioView of(List<StrategyTally> tallies, Instant asOf) {
        StrategyTally total = StrategyTally.empty(null);
        for (StrategyTally t : tallies) {
            total = total.plus(t);
        }
        List<StrategyView> byStrategy = tallies.stream()
                .sorted(Comparator.comparing(StrategyTally::strategy, Comparator.nullsLast(Comparator.naturalOrder())))
                .map(StrategyView::of).toList();
        return new PortfolioView(total.openTrades(), total.closedTrades(), total.wins(), total.losses(),
                total.realizedPnl(), total.unrealizedPnl(), total.winRate(), total.expectancy(), total.profitFactor(),
                byStrategy, asOf);
    }
}
