package io.papertrading.query.trade;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.papertrading.query.support.UserScope;

/** Test access to the trade read model from other test packages. */
public final class TradeQueriesAccess {

    private TradeQueriesAccess() {
    }

    public static TradeView find(UserScope scope, String username, String tradeId) {
        return new TradeQueries(scope, new TradeChangeSignal(), new ObjectMapper()).find(username, tradeId).orElseThrow();
    }
}
