package io.papertrading.kernel.trade.event;

import io.papertrading.kernel.money.Money;
import io.papertrading.kernel.trade.TradeId;
import io.papertrading.kernel.trade.TradeStatus;
import org.axonframework.serialization.Revision;

import java.time.Instant;

/**
 * The option contract expired: {@code quantity} filled contracts settled at {@code settlementPrice}
 * (intrinsic value at {@code underlyingPrice}; 0 out of the money), realizing {@code realizedPnl}. A trade
 * that never filled expires with quantity 0 and no P&amp;L.
 */
@Revision("1")
public record TradeExpiredEvent(TradeId tradeId, Money underlyingPrice, Money settlementPrice, int quantity,
                                Money realizedPnl, Instant occurredAt) implements TradeStatusEvent {
    @Override
    public TradeStatus newStatus() {
        return TradeStatus.EXPIRED;
    }

    @Override
    public String transitionReason() {
        return "expired; underlying at " + underlyingPrice + ", settled at " + settlementPrice;
    }
}
