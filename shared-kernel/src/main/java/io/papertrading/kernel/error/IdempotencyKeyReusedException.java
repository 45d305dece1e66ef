package io.papertrading.kernel.error;

/** An Idempotency-Key already used for a different request body. */
public final class IdempotencyKeyReusedException extends RequestRefusedException {
    public IdempotencyKeyReusedException() {
        super(ErrorCode.IDEMPOTENCY_KEY_REUSED,
                "this Idempotency-Key was already used for a different trade; use a new key for a new trade");
    }
}
