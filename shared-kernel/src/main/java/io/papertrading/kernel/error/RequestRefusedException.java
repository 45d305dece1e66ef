package io.papertrading.kernel.error;

/**
 * A request the engine refuses without recording anything: each subtype carries a stable {@link ErrorCode},
 * and the REST layer maps the hierarchy to HTTP status in one place. Outcomes the business keeps on record
 * (a broker rejection, say) are events, not exceptions.
 */
public abstract sealed class RequestRefusedException extends RuntimeException
        permits IllegalTransitionException, VersionConflictException, IdempotencyKeyReusedException,
        TradeNotFoundException, ValidationFailedException, RiskLimitException, BrokerCredentialsException,
        BrokerUnavailableException, UnknownResourceException, BrokerInUseException, OperationConflictException,
        TooManyStreamsException {

    private final ErrorCode code;

    protected RequestRefusedException(ErrorCode code, String message) {
        // No stack trace: these are answers, not faults, and must never leak into a response or a log as one.
        super(message, null, false, false);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
