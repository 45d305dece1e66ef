package io.papertrading.kernel.error;

/** Placing the trade would break one of the user's risk limits; {@link #limit()} names which. */
public final class RiskLimitException extends RequestRefusedException {
    private final String limit;

    public RiskLimitException(String limit, String message) {
        super(ErrorCode.RISK_LIMIT, message);
        this.limit = limit;
    }

    public String limit() {
        return limit;
    }
}
