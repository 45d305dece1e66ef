package io.papertrading.kernel.trade;

/** How the entry order is priced. */
public enum OrderType {
    MARKET, LIMIT
}
