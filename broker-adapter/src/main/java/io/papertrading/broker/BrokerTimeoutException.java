package io.papertrading.broker;

/**
 * The broker did not answer in time, so the outcome is unknown. After an order placement the order may exist:
 * reconcile with {@link BrokerProvider#findOrderByTag} before placing it again.
 */
public class BrokerTimeoutException extends BrokerOutcomeUnknownException {
    public BrokerTimeoutException(String message, Throwable cause) {
        super(message, cause);
    }
}
