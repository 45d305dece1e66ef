package io.papertrading.kernel.error;

/** Stored broker credentials cannot be used (missing, or unreadable with the current key). */
public final class BrokerCredentialsException extends RequestRefusedException {
    public BrokerCredentialsException() {
        super(ErrorCode.BROKER_CREDENTIALS, "your broker credentials cannot be read; re-enter your broker credentials");
    }
}
