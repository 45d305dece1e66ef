package io.papertrading.broker;

import io.papertrading.kernel.instrument.Instrument;
import io.papertrading.kernel.money.Money;

import java.util.Objects;

/**
 * A one-cancels-other exit bracket on an open position: a limit leg at {@code takeProfit} and a stop leg at
 * {@code stopLoss}, both closing {@code quantity} with {@code side}. When one leg fills the other is canceled.
 */
public record OcoRequest(String tag, Instrument instrument, OrderSide side, int quantity, Money takeProfit,
                         Money stopLoss, TimeInForce duration) {

    public OcoRequest {
        Objects.requireNonNull(takeProfit, "takeProfit");
        Objects.requireNonNull(stopLoss, "stopLoss");
        Objects.requireNonNull(duration, "duration");
        // Validates the shared fields once, exactly as a single order would.
        limitLeg(tag, instrument, side, quantity, takeProfit, duration);
        stopLeg(tag, instrument, side, quantity, stopLoss, duration);
    }

    /** The take-profit leg as a plain limit order. */
    public OrderRequest limitLeg() {
        return limitLeg(tag, instrument, side, quantity, takeProfit, duration);
    }

    /** The stop-loss leg as a plain stop order. */
    public OrderRequest stopLeg() {
        return stopLeg(tag, instrument, side, quantity, stopLoss, duration);
    }

    private static OrderRequest limitLeg(String tag, Instrument instrument, OrderSide side, int quantity, Money price,
                                         TimeInForce duration) {
        return OrderRequest.limit(tag, instrument, side, quantity, price, duration);
    }

    private static OrderRequest stopLeg(String tag, Instrument instrument, OrderSide side, int quantity, Money price,
                                        TimeInForce duration) {
        return OrderRequest.stop(tag, instrument, side, quantity, price, duration);
    }
}
