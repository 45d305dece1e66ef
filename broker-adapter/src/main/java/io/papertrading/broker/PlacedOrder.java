package io.papertrading.broker;

/**
 * The broker accepted an order for processing; this is not a fill, and not even a guarantee the order survives
 * downstream checks. Read its status back ({@link BrokerProvider#getOrder}) before trusting it, unless the broker
 * answered with it: {@code report} is the order as the broker had it when it answered (null when it does not say).
 */
public record PlacedOrder(String orderId, String tag, OrderStatusReport report) {

    /** An acceptance that says nothing of the order's state. */
    public PlacedOrder(String orderId, String tag) {
        this(orderId, tag, null);
    }
}
