package io.papertrading.command.execution;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Desk orders in a map, as long as the process lives. */
final class InMemoryDeskOrders implements DeskOrders {

    private final Map<String, WorkedOrder> orders = new ConcurrentHashMap<>();
    /** Tags of legs the desk is done with, by trade, until the trade ends. */
    private final Map<String, String> done = new ConcurrentHashMap<>();

    @Override
    public synchronized void add(WorkedOrder order) {
        if (!done.containsKey(order.tag())) {
            orders.putIfAbsent(order.tag(), order);
        }
    }

    @Override
    public void withdraw(String tag, boolean silent) {
        orders.computeIfPresent(tag, (t, o) -> asked(o, true, o.silent() || silent));
    }

    @Override
    public synchronized void abandon(String tradeId) {
        orders.replaceAll((t, o) -> o.tradeId().equals(tradeId) ? asked(o, true, true) : o);
        done.values().removeIf(tradeId::equals);
    }

    @Override
    public void update(WorkedOrder order) {
        orders.computeIfPresent(order.tag(), (t, o) -> asked(order, o.withdraw(), o.silent()));
    }

    @Override
    public synchronized void remove(String tag) {
        WorkedOrder o = orders.remove(tag);
        if (o != null && !o.silent()) {
            done.put(tag, o.tradeId());
        }
    }

    /** No trace of the leg, as before the desk existed (tests of an upgrade). */
    synchronized void forget(String tag) {
        orders.remove(tag);
        done.remove(tag);
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
