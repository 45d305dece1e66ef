package io.papertrading.broker;

import io.papertrading.kernel.instrument.Instrument;
import io.papertrading.kernel.money.Money;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A single-leg order. {@code tag} carries the trade id so a placement whose answer was lost can be found again
 * ({@link BrokerProvider#findOrderByTag}); brokers such as Tradier allow letters, digits and '-' only.
 */
public record OrderRequest(String tag, Instrument instrument, OrderSide side, int quantity, PriceType type,
                           Money limitPrice, Money stopPrice, TimeInForce duration) {

    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9-]{1,255}");

    public OrderRequest {
        Objects.requireNonNull(instrument, "instrument");
        Objects.requireNonNull(side, "side");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(duration, "duration");
        if (tag != null && !TAG.matcher(tag).matches()) {
            throw new IllegalArgumentException("tag must be 1-255 letters, digits or '-'");
        }
        if (quantity < 1) {
            throw new IllegalArgumentException("quantity must be at least 1");
        }
        if (type == PriceType.LIMIT && (limitPrice == null || !limitPrice.isPositive())) {
            throw new IllegalArgumentException("a LIMIT order needs a positive limit price");
        }
        if (type == PriceType.STOP && (stopPrice == null || !stopPrice.isPositive())) {
            throw new IllegalArgumentException("a STOP order needs a positive stop price");
        }
    }

    /** A day market order. */
    public static OrderRequest market(String tag, Instrument instrument, OrderSide side, int quantity) {
        return new OrderRequest(tag, instrument, side, quantity, PriceType.MARKET, null, null, TimeInForce.DAY);
    }

    /** A limit order. */
    public static OrderRequest limit(String tag, Instrument instrument, OrderSide side, int quantity, Money limit,
                                     TimeInForce duration) {
        return new OrderRequest(tag, instrument, side, quantity, PriceType.LIMIT, limit, null, duration);
    }

    /** A stop order. */
    public static OrderRequest stop(String tag, Instrument instrument, OrderSide side, int quantity, Money stop,
                                    TimeInForce duration) {
        return new OrderRequest(tag, instrument, side, quantity, PriceType.STOP, null, stop, duration);
    }
}
