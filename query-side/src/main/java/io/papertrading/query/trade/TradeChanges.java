package io.papertrading.query.trade;

import java.util.List;

/**
 * A user's trades changed between two stream horizons, in the order they changed; {@code horizon} is where the
 * next read starts. {@code deferred} says rows exist that a still-running older transaction kept back.
 */
public record TradeChanges(List<TradeView> trades, long horizon, boolean deferred) {
}
