package io.papertrading.command.execution;

import io.papertrading.broker.OrderRequest;
import io.papertrading.broker.OrderSide;
import io.papertrading.broker.TimeInForce;
import io.papertrading.kernel.trade.OrderType;
import io.papertrading.kernel.trade.TradeOrder;
import io.papertrading.kernel.trade.event.TradePlacedEvent;

/**
 * A trade's entry leg as the {@link OrderDesk} works it: the same leg whether the placement's transaction hands it
 * to the desk ({@link EntryIntake}) or the saga does (a trade placed by an earlier version), so a second hand-over
 * finds the first by its tag and changes nothing.
 */
final class EntryLeg {

    private EntryLeg() {
    }

    /** The leg's tag at the broker (the entry's tag is the trade's; brackets and exits add a suffix). */
    static String tag(String tradeId, String suffix) {
        String base = tradeId.replaceAll("[^A-Za-z0-9-]", "-");
        return suffix.isEmpty() ? base : base + "-" + suffix;
    }

    /** Whether the leg is its trade's entry. */
    static boolean isEntry(WorkedOrder leg) {
        return leg.tag().equals(tag(leg.tradeId(), ""));
    }

    static OrderTicket ticket(String tradeId, TradeOrder order) {
        OrderSide side = OrderSide.opening(order.side());
        String tag = tag(tradeId, "");
        return OrderTicket.of(order.orderType() == OrderType.LIMIT
                ? OrderRequest.limit(tag, order.instrument(), side, order.quantity(), order.limitPrice(), TimeInForce.DAY)
                : OrderRequest.market(tag, order.instrument(), side, order.quantity()));
    }

    /**
     * The entry of a placed trade. Its {@code notBefore} is the event's time, not now: an order sent by an earlier
     * delivery of this event is newer than it.
     */
    static WorkedOrder of(TradePlacedEvent e, String accountKey) {
        String tradeId = e.tradeId().value();
        return WorkedOrder.toSend(tradeId, e.username(), accountKey, ticket(tradeId, e.order()), e.occurredAt());
    }

    /** The account key that groups the legs of a user whose broker account cannot be resolved (the desk refuses them). */
    static String unresolved(String username) {
        return "unresolved:" + username;
    }
}
