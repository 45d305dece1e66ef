package io.papertrading.broker;

/**
 * The broker accepted an order for processing; this is not a fill, and not even a guarantee the order survives
 * downstream checks. Read its status back ({@link BrokerProvider#getOrder}) before trusting it.
 */
public record PlacedOrder(String orderId, String tag) {
}
