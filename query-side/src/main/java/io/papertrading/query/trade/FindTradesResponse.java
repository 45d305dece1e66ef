package io.papertrading.query.trade;

import java.util.List;

/** A page of trades and how many match in all: {@code {"items":[…],"page":0,"size":50,"total":123}}. */
public record FindTradesResponse(List<TradeView> items, int page, int size, long total) {

    public FindTradesResponse {
        items = List.copyOf(items);
    }
}
