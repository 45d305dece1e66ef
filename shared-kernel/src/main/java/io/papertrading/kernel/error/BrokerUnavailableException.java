package io.papertrading.kernel.error;

/** The broker cannot be reached right now; the request changed nothing and may be retried later. */
public final class BrokerUnavailableException extends RequestRefusedException {
    public BrokerUnavailableException(String message) {
        super(ErrorCode.BROKER_UNAVAILABLE, message);
    }
}
