package io.papertrading.broker;

/** How long an order works: until the session ends, or until canceled. */
public enum TimeInForce {
    DAY, GTC
}
