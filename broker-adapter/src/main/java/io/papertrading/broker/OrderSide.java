package io.papertrading.broker;

import io.papertrading.kernel.trade.Side;

/**
 * Direction plus intent: whether the order opens or closes a position. Brokers need both (Tradier's
 * {@code buy_to_open}, {@code sell_to_close}, {@code sell_short}, {@code buy_to_cover}).
 */
public enum OrderSide {
    BUY_TO_OPEN(Side.BUY, true),
    SELL_TO_CLOSE(Side.SELL, false),
    SELL_TO_OPEN(Side.SELL, true),
    BUY_TO_CLOSE(Side.BUY, false);

    private final Side direction;
    private final boolean opening;

    OrderSide(Side direction, boolean opening) {
        this.direction = direction;
        this.opening = opening;
    }

    /** The side that opens a position in {@code direction}. */
    public static OrderSide opening(Side direction) {
        return direction == Side.BUY ? BUY_TO_OPEN : SELL_TO_OPEN;
    }

    /** The side that closes a position opened in {@code entryDirection}. */
    public static OrderSide closing(Side entryDirection) {
        return entryDirection == Side.BUY ? SELL_TO_CLOSE : BUY_TO_CLOSE;
    }

    public Side direction() {
        return direction;
    }

    public boolean isOpening() {
        return opening;
    }

    public boolean isBuy() {
        return direction == Side.BUY;
    }
}
