package io.papertrading.kernel.trade;

/** Direction of the entry order: BUY opens a long position, SELL a short one. */
public enum Side {
    BUY, SELL;

    /** The side of the order that closes a position opened with this side. */
    public Side opposite() {
        return this == BUY ? SELL : BUY;
    }
}
