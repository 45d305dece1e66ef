package io.papertrading.broker;

/**
 * A broker call failed. Subclasses say how; messages are safe to show to a user and never carry credentials.
 */
public class BrokerException extends RuntimeException {

    public BrokerException(String message) {
        super(message);
    }

    public BrokerException(String message, Throwable cause) {
        super(message, cause);
    }
}
