package io.papertrading.broker;

/** The broker cannot be reached or is failing (5xx, connection refused, circuit open). Retry later. */
public class BrokerUnavailableException extends BrokerException {
    public BrokerUnavailableException(String message) {
        super(message);
    }

    public BrokerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
