package io.papertrading.command.execution;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Watches in a map: they live as long as the process. */
final class InMemoryWatchedOrders implements WatchedOrders {

    private final Map<String, OrderWatch> watches = new ConcurrentHashMap<>();

    @Override
    public void watch(OrderWatch watch) {
        watches.put(watch.tradeId(), watch);
    }

    @Override
    public void unwatch(String tradeId) {
        watches.remove(tradeId);
    }

    @Override
    public List<OrderWatch> all() {
        return List.copyOf(watches.values());
    }
}
