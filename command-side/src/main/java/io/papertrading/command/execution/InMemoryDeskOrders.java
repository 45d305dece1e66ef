package io.papertrading.command.execution;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Desk orders in a map, as long as the process lives. */
final class InMemoryDeskOrders implements DeskOrders {

    private final Map<String, WorkedOrder> orders = new ConcurrentHashMap<>();

    @Override
    public void add(WorkedOrder order) {
        orders.putIfAbsent(order.tag(), order);
    }

    @Override
    public void withdraw(String tag, boolean silent) {
        orders.computeIfPresent(tag, (t, o) -> asked(o, true, o.silent() || silent));
    }

    @Override
    public void abandon(String tradeId) {
        orders.replaceAll((t, o) -> o.tradeId().equals(tradeId) ? asked(o, true, true) : o);
    }

    @Override
    public void update(WorkedOrder order) {
        orders.computeIfPresent(order.tag(), (t, o) -> asked(order, o.withdraw(), o.silent()));
    }

    @Override
    public void remove(String tag) {
        orders.remove(tag);
    }

    @Override
    public List<WorkedOrder> all() {
        return orders.values().stream().sorted(java.util.Comparator.comparing(WorkedOrder::tag)).toList();
    }

    private static WorkedOrder asked(WorkedOrder o, boolean withdraw, boolean silent) {
        return new WorkedOrder(o.tag(), o.tradeId(), o.username(), o.accountKey(), o.ticket(), o.notBefore(),
                o.confirmBy(), withdraw, silent, o.stage(), o.orderId(), o.acknowledged(), o.cancelSent(),
                o.lastReport(), o.retryAt(), o.backoffMillis());
    }
}
