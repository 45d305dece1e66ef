package io.papertrading.broker;

/**
 * The broker cannot be reached or is failing (connection refused, circuit open, a read answered 5xx): the request
 * certainly changed nothing, so it may be retried later. A change whose outcome is unknown is a
 * {@link BrokerOutcomeUnknownException} instead.
 */
public class BrokerUnavailableException extends BrokerException {
    public BrokerUnavailableException(String message) {
        super(message);
    }

    public BrokerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
