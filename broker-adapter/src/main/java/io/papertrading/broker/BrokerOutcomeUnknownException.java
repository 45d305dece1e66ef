package io.papertrading.broker;

/**
 * A request that changes something at the broker (an order placement) may or may not have taken effect: it timed
 * out, its connection broke after the request was written, a gateway answered 5xx, or the answer could not be
 * read. Never repeat such a request blindly: a repeated order placement is a second order. Reconcile instead, with
 * {@link BrokerProvider#findOrderByTag}.
 */
public class BrokerOutcomeUnknownException extends BrokerException {
    public BrokerOutcomeUnknownException(String message) {
        super(message);
    }

    public BrokerOutcomeUnknownException(String message, Throwable cause) {
        super(message, cause);
    }
}
