package io.papertrading.kernel.error;

/** No trade with that id belongs to the caller (another user's trade is reported the same way). */
public final class TradeNotFoundException extends RequestRefusedException {
    public TradeNotFoundException(String tradeId) {
        super(ErrorCode.NOT_FOUND, "no trade " + tradeId);
    }
}
