package io.papertrading.query.trade;

import io.papertrading.kernel.trade.TradeStatus;

import java.time.LocalDate;
import java.util.Objects;
import java.util.Set;

/**
 * One page of a user's trades, newest first. Null filters match everything; {@code statuses} empty matches
 * every status; {@code from}/{@code to} are inclusive UTC dates of {@code createdAt}.
 */
public record FindTradesQuery(String username, Set<TradeStatus> statuses, String symbol, String strategy,
                              LocalDate from, LocalDate to, int page, int size) {

    /** The largest page the API serves. */
    public static final int MAX_SIZE = 500;
    public static final int DEFAULT_SIZE = 50;

    public FindTradesQuery {
        Objects.requireNonNull(username, "username");
        statuses = statuses == null ? Set.of() : Set.copyOf(statuses);
        if (page < 0) {
            throw new IllegalArgumentException("page must be >= 0");
        }
        if (size < 1 || size > MAX_SIZE) {
            throw new IllegalArgumentException("size must be 1-" + MAX_SIZE);
        }
    }
}
