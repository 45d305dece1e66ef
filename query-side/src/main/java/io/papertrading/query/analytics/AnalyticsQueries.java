package io.papertrading.query.analytics;

import io.papertrading.kernel.error.ValidationFailedException;
import io.papertrading.query.support.UserScope;
import io.papertrading.query.trade.TradeHistory;
import io.papertrading.query.trade.TradeRow;
import org.springframework.stereotype.Component;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the analytics read model as one user, through row-level security; and rebuilds the portfolio at a past
 * time from the event stream ({@link #portfolioAsOf}).
 */
@Component
public class AnalyticsQueries {

    /** The most trades a portfolio-at-time-T request folds; more is refused rather than run unbounded. */
    public static final int MAX_AS_OF_TRADES = 2000;

    private final UserScope userScope;
    private final TradeHistory history;

    public AnalyticsQueries(UserScope userScope, TradeHistory history) {
        this.userScope = userScope;
        this.history = history;
    }

    /** The live portfolio, from the analytics projection. */
    public PortfolioView portfolio(String username) {
        List<StrategyTally> tallies = userScope.query(username, """
                select strategy, open_trades, closed_trades, wins, losses, gross_profit, gross_loss, realized_pnl,
                       unrealized_pnl
                from analytics_strategy_stats where username = ?""",
                (rs, n) -> new StrategyTally(label(rs.getString("strategy")), rs.getInt("open_trades"),
                        rs.getInt("closed_trades"), rs.getInt("wins"), rs.getInt("losses"),
                        rs.getBigDecimal("gross_profit"), rs.getBigDecimal("gross_loss"),
                        rs.getBigDecimal("realized_pnl"), rs.getBigDecimal("unrealized_pnl")),
                username);
        return PortfolioView.of(tallies, null);
    }

    /**
     * The portfolio as it stood at {@code asOf}: each of the user's trades created by then (found through the
     * read model under RLS) folded from its own event stream up to {@code asOf}, then tallied with the same
     * definitions as the live projection.
     */
    public PortfolioView portfolioAsOf(String username, Instant asOf) {
        List<String> ids = history.tradeIdsCreatedBy(username, asOf, MAX_AS_OF_TRADES + 1);
        if (ids.size() > MAX_AS_OF_TRADES) {
            throw ValidationFailedException.of("asOf", "more than " + MAX_AS_OF_TRADES
                    + " trades by then: a portfolio at a past time is limited to that many");
        }
        Map<String, StrategyTally> byStrategy = new LinkedHashMap<>();
        for (String id : ids) {
            history.rowAsOf(username, id, asOf)
                    .ifPresent(t -> byStrategy.merge(key(t.trade().strategy()), tally(t), StrategyTally::plus));
        }
        return PortfolioView.of(new ArrayList<>(byStrategy.values()), asOf);
    }

    /** One trade's contribution to its strategy's tally: its facts as the live projection counts them. */
    static StrategyTally tally(TradeRow row) {
        return TradeFacts.of(row).tally(row.trade().strategy());
    }

    /**
     * The equity curve: one point per day with a close, oldest first, within {@code from..to} (inclusive, either
     * optional); the cumulative P&amp;L counts every earlier day too.
     */
    public List<EquityPoint> equityCurve(String username, LocalDate from, LocalDate to) {
        return userScope.query(username, """
                select day, realized_pnl, closed_trades, cumulative from (
                    select day, realized_pnl, closed_trades,
                           sum(realized_pnl) over (order by day) as cumulative
                    from analytics_daily_pnl where username = ?) d
                where day >= coalesce(?::date, '-infinity'::date) and day <= coalesce(?::date, 'infinity'::date)
                order by day""",
                (rs, n) -> new EquityPoint(rs.getObject("day", LocalDate.class), rs.getBigDecimal("realized_pnl"),
                        rs.getBigDecimal("cumulative"), rs.getInt("closed_trades")),
                username, from, to);
    }

    /** MFE/MAE distribution per strategy of the user's finished trades. */
    public List<ExcursionStats> excursions(String username) {
        return userScope.query(username, """
                select strategy, trades, avg_mfe, median_mfe, max_mfe, avg_mae, median_mae, min_mae
                from analytics_excursions where username = ? order by strategy = '', strategy""",
                (rs, n) -> new ExcursionStats(label(rs.getString("strategy")), rs.getInt("trades"),
                        rs.getBigDecimal("avg_mfe"), rs.getBigDecimal("median_mfe"), rs.getBigDecimal("max_mfe"),
                        rs.getBigDecimal("avg_mae"), rs.getBigDecimal("median_mae"), rs.getBigDecimal("min_mae")),
                username);
    }

    private static String label(String key) {
        return key == null || key.isEmpty() ? null : key;
    }

    private static String key(String strategy) {
        return strategy == null ? "" : strategy;
    }
}
