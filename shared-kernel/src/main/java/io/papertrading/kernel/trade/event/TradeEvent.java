package io.papertrading.kernel.trade.event;

import io.papertrading.kernel.trade.TradeId;

import java.time.Instant;

/** An event of one trade's own stream. */
public interface TradeEvent {
    TradeId tradeId();

    Instant occurredAt();
}
