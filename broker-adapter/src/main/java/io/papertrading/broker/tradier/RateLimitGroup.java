package io.papertrading.broker.tradier;

/** Tradier counts requests per token in three separate groups, each with its own window. */
enum RateLimitGroup {
    /** Accounts, user profile and order reads. */
    STANDARD,
    /** Everything under /markets. */
    MARKET_DATA,
    /** Order placement, modification and cancellation. */
    TRADING
}
