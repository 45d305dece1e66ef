package io.papertrading.kernel.trade;

/** What a trade command answers: the trade, its status and its version after the command. */
public record TradeAck(TradeId tradeId, TradeStatus status, long version) {
}
