package io.papertrading.command.execution;

import java.time.Instant;
import java.util.Objects;

/**
 * A broker order a trade's saga is following: its account's poller reports it to the saga once when the watch
 * starts and again at each change. {@code generation} tells one watch of the trade from the next (a trade
 * watches one order at a time: entry, bracket, exit); {@code sentAt} is when the order was sent, so a list taken
 * before it is not expected to show it.
 */
public record OrderWatch(String tradeId, String username, String accountKey, String orderId, long generation,
                         Instant sentAt) {

    public OrderWatch {
        Objects.requireNonNull(tradeId, "tradeId");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(accountKey, "accountKey");
        Objects.requireNonNull(orderId, "orderId");
        Objects.requireNonNull(sentAt, "sentAt");
    }
}
