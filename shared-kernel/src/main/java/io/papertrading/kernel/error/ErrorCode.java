package io.papertrading.kernel.error;

/** Stable machine codes of refused requests; clients match on these, so never rename one. */
public enum ErrorCode {
    VALIDATION_FAILED,
    IDEMPOTENCY_KEY_REUSED,
    RISK_LIMIT,
    VERSION_CONFLICT,
    ILLEGAL_TRANSITION,
    NOT_FOUND,
    BROKER_CREDENTIALS,
    BROKER_UNAVAILABLE,
    BROKER_IN_USE,
    OPERATION_CONFLICT,
    TOO_MANY_STREAMS
}
