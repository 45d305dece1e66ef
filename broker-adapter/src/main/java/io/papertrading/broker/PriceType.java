package io.papertrading.broker;

import io.papertrading.kernel.trade.OrderType;

/** How an order is priced at the broker. STOP becomes a market order once the stop price trades. */
public enum PriceType {
    MARKET, LIMIT, STOP;

    /** The broker price type for a trade's entry order type. */
    public static PriceType of(OrderType entryType) {
        return entryType == OrderType.LIMIT ? LIMIT : MARKET;
    }
}
