package io.papertrading.command.trade;

import io.papertrading.kernel.trade.TradeOrder;

/**
 * Checks a new trade against the market and the user's risk limits before anything is stored. Refusals are
 * {@link io.papertrading.kernel.error.RiskLimitException}s naming the limit, or
 * {@link io.papertrading.kernel.error.ValidationFailedException}s (e.g. a market order's brackets on the wrong
 * side of the current price).
 */
public interface EntryRiskPolicy {

    /** Throws when placing {@code order} for {@code username} is refused. */
    void check(String username, TradeOrder order);
}
