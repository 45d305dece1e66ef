package io.papertrading.command.execution;

import java.util.List;

/**
 * The broker orders being followed, at most one per trade. The saga writes here in its own unit of work (so a
 * saga step that is rolled back leaves no watch behind); the account pollers read it.
 */
public interface WatchedOrders {

    /** Starts (or replaces) the trade's watch. */
    void watch(OrderWatch watch);

    /** Ends the trade's watch, if any. */
    void unwatch(String tradeId);

    /** Every watch, for one polling round. */
    List<OrderWatch> all();

    /** The watches of one account. */
    default List<OrderWatch> of(String accountKey) {
        return all().stream().filter(w -> w.accountKey().equals(accountKey)).toList();
    }

    /** Kept in memory: for one node and for tests. */
    static WatchedOrders inMemory() {
        return new InMemoryWatchedOrders();
    }
}
