package io.papertrading.query.trade;

import java.util.Objects;

/** The status changes of one of the user's trades, oldest first (empty for an unknown or foreign trade). */
public record FindTransitionsQuery(String username, String tradeId) {

    public FindTransitionsQuery {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(tradeId, "tradeId");
    }
}
