package io.papertrading.broker;

/** The broker refused the credentials (invalid, revoked, or meant for the other environment). */
public class BrokerAuthException extends BrokerException {
    public BrokerAuthException(String message) {
        super(message);
    }
}
