package io.papertrading.query.trade;

import io.papertrading.kernel.trade.TradeStatus;

import java.time.Instant;

/** One status change of a trade, as the query API returns it; {@code from} is null for the first one. */
public record TransitionView(TradeStatus from, TradeStatus to, String reason, String actor, Instant occurredAt,
                             long version) {
}
