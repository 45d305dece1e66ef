package io.papertrading.broker;

/** Too many requests: our own limiter refused the call, or the broker answered 429. Nothing was sent or changed. */
public class BrokerRateLimitException extends BrokerException {
    public BrokerRateLimitException(String message) {
        super(message);
    }
}
