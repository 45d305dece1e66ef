package io.papertrading.command.trade;

import io.papertrading.kernel.trade.TradeOrder;

/**
 * The user's risk limits, checked before a new trade is placed. Refusals are
 * {@link io.papertrading.kernel.error.RiskLimitException}s naming the limit; nothing is stored when one is thrown.
 */
public interface EntryRiskPolicy {

    /** Throws when placing {@code order} for {@code username} would break one of their limits. */
    void check(String username, TradeOrder order);
}
