package io.papertrading.broker;

/** Which broker a user trades through. */
public enum BrokerKind {
    /** The embedded paper exchange: no credentials, no network. */
    SIMULATED,
    TRADIER
}
