package io.papertrading.command.execution;

import io.papertrading.broker.BrokerProvider;
import io.papertrading.broker.OcoRequest;
import io.papertrading.broker.OrderRequest;
import io.papertrading.broker.PlacedOrder;

/**
 * What the order desk sends for one order leg of a trade: a single order, or a one-cancels-other bracket.
 * Exactly one of the two is set.
 */
public record OrderTicket(OrderRequest order, OcoRequest oco) {

    public OrderTicket {
        if ((order == null) == (oco == null)) {
            throw new IllegalArgumentException("a ticket holds either an order or an OCO");
        }
    }

    public static OrderTicket of(OrderRequest order) {
        return new OrderTicket(order, null);
    }

    public static OrderTicket of(OcoRequest oco) {
        return new OrderTicket(null, oco);
    }

    /** The tag the order carries at the broker. */
    public String tag() {
        return order != null ? order.tag() : oco.tag();
    }

    /** Sends it: one broker call, which may fail in every way a placement can (see {@link BrokerProvider}). */
    PlacedOrder placeWith(BrokerProvider broker) {
        return order != null ? broker.placeOrder(order) : broker.placeOco(oco);
    }
}
