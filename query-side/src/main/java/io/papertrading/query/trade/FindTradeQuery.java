package io.papertrading.query.trade;

import java.util.Objects;

/**
 * One of the user's trades. With {@code minVersion} &gt; 0 the answer waits (bounded) until the read model has
 * reached that version, then answers with what it has.
 */
public record FindTradeQuery(String username, String tradeId, long minVersion) {

    public FindTradeQuery {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(tradeId, "tradeId");
    }

    public FindTradeQuery(String username, String tradeId) {
        this(username, tradeId, 0);
    }
}
