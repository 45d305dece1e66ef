package io.papertrading.kernel.error;

import io.papertrading.kernel.trade.TradeStatus;

/** The state machine refuses to move a trade from {@code from} to {@code to}. */
public final class IllegalTransitionException extends RequestRefusedException {
    private final TradeStatus from;
    private final TradeStatus to;

    public IllegalTransitionException(TradeStatus from, TradeStatus to) {
        super(ErrorCode.ILLEGAL_TRANSITION, "a " + from + " trade cannot become " + to);
        this.from = from;
        this.to = to;
    }

    public TradeStatus from() {
        return from;
    }

    public TradeStatus to() {
        return to;
    }
}
