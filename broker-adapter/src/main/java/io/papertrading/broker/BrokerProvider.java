package io.papertrading.broker;

import java.time.LocalDate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The port every broker implements: market data, orders and account state over broker-neutral records. Failures
 * are {@link BrokerException}s. Implementations are thread-safe.
 */
public interface BrokerProvider {

    /** Quotes for stock and OCC option symbols; symbols the broker does not know are left out. */
    List<Quote> getQuotes(List<String> symbols);

    /** Every contract of {@code symbol} expiring on {@code expiration}; empty for an unknown expiration. */
    List<OptionQuote> getOptionChain(String symbol, LocalDate expiration, boolean greeks);

    /** Option expiration dates of {@code symbol}, ascending; empty when it has no options. */
    List<LocalDate> getExpirations(String symbol);

    /**
     * Sends an order. Acceptance is not execution, and with some brokers not even validity: read the order back
     * ({@link #placeOrderAndConfirm}). A {@link BrokerOutcomeUnknownException} means the order may exist:
     * reconcile with {@link #findOrderByTag}, never send it again blindly. A {@link BrokerUnavailableException} or
     * {@link BrokerRateLimitException} means it certainly was not placed.
     */
    PlacedOrder placeOrder(OrderRequest order);

    /** Sends a one-cancels-other exit bracket; the returned id is the parent order. */
    PlacedOrder placeOco(OcoRequest oco);

    /** The current status of an order. */
    OrderStatusReport getOrder(String orderId);

    /** The account's orders, tags included. */
    List<OrderStatusReport> listOrders();

    /** Asks the broker to cancel a working order. */
    void cancelOrder(String orderId);

    Balance getBalance();

    List<Position> getPositions();

    /** Checks the credentials and the account; authentication failures throw {@link BrokerAuthException}. */
    ConnectionInfo testConnection();

    /**
     * Whether asking for one order (by id or tag) costs about as little as a list: true for a broker inside the
     * engine (the simulated exchange), false for a remote one with a per-minute request budget. Callers that
     * batch lookups into one list per account may then ask directly instead of waiting for the next list.
     */
    default boolean answersLookupsCheaply() {
        return false;
    }

    /**
     * Whether {@link #placeOrder} and {@link #placeOco} take an order only when the account has none carrying its
     * tag, and otherwise answer with the order that does, in one step (the simulated exchange, which checks inside
     * the transaction that books the order). A caller that must never place a tag twice then needs no lookup before
     * a first placement.
     */
    default boolean placesOncePerTag() {
        return false;
    }

    /**
     * Places an order and reads its status back, so "accepted, then rejected downstream" surfaces here as a
     * {@link BrokerOrderRejectedException} carrying the broker's reason.
     */
    default OrderStatusReport placeOrderAndConfirm(OrderRequest order) {
        PlacedOrder placed = placeOrder(order);
        OrderStatusReport status = getOrder(placed.orderId());
        if (status.state() == OrderState.REJECTED || status.state() == OrderState.ERROR) {
            throw BrokerOrderRejectedException.forReason(status.reasonDescription());
        }
        return status;
    }

    /**
     * The order carrying {@code tag}, if the broker has one: how a placement with a lost answer is reconciled.
     * Unlike {@link #listOrders()}, which may cover only the current day or session, this looks as far back as
     * the broker keeps orders (the default, from the list, is for brokers that list everything).
     */
    default Optional<OrderStatusReport> findOrderByTag(String tag) {
        Objects.requireNonNull(tag, "tag");
        return listOrders().stream().filter(o -> tag.equals(o.tag())).findFirst();
    }
}
