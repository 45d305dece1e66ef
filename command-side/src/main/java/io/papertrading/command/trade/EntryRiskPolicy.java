package io.papertrading.command.trade;

import io.papertrading.kernel.trade.TradeOrder;

/**
 * Checks a new trade against the market and the user's risk limits before anything is stored (except the number
 * of live trades, which the aggregate counts in the placing transaction). Refusals are
 * {@link io.papertrading.kernel.error.RiskLimitException}s naming the limit, or
 * {@link io.papertrading.kernel.error.ValidationFailedException}s (e.g. a market order's brackets on the wrong
 * side of the current price).
 */
public interface EntryRiskPolicy {

    /**
     * Throws when placing {@code order} for {@code username} is refused; otherwise answers the user's limit on
     * live trades (null: none), which only the aggregate can enforce exactly (see {@link LiveTrades}).
     */
    Integer check(String username, TradeOrder order);
}
