package io.papertrading.command.execution;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.List;

/**
 * The order legs the {@link OrderDesk} works. The saga adds and withdraws legs in its own unit of work (a saga
 * step that is rolled back asks for nothing); the desk records its progress and forgets a leg once it is done.
 */
public interface DeskOrders {

    /**
     * A new leg to send. Nothing changes if its tag is already there, also when the desk is done with it: the
     * entry is handed over twice (the placement, then the saga), and the second must not send it again.
     */
    void add(WorkedOrder order);

    /** Cancel this leg once it works and report how it ended; {@code silent}: and report nothing. */
    void withdraw(String tag, boolean silent);

    /** The trade ended: every leg of it still worked is canceled, silently; the legs it is done with are forgotten. */
    void abandon(String tradeId);

    /** The desk's progress on a leg (its own fields only; the saga's stay as they are). */
    void update(WorkedOrder order);

    /**
     * The desk is done with the leg: it is no longer worked, but its tag is kept (see {@link #add}) until the trade
     * ends ({@link #abandon}); a silent leg, whose trade has ended, is forgotten at once.
     */
    void remove(String tag);

    /** The desk's progress on several legs at once. */
    default void updateAll(Collection<WorkedOrder> orders) {
        orders.forEach(this::update);
    }

    /** The desk is done with these legs. */
    default void removeAll(Collection<String> tags) {
        tags.forEach(this::remove);
    }

    /** Every leg still worked, for one round. */
    List<WorkedOrder> all();

    /**
     * The accounts that have legs, each with whether any leg needs work now: anything but a {@link
     * WorkedOrder#resting() resting} order (a leg to send or look up, one being withdrawn, one not yet acknowledged).
     */
    default Map<String, Boolean> accountsByUrgency() {
        Map<String, Boolean> accounts = new HashMap<>();
        for (WorkedOrder o : all()) {
            accounts.merge(o.accountKey(), !o.resting(), Boolean::logicalOr);
        }
        return accounts;
    }

    /** The legs of one account. */
    default List<WorkedOrder> of(String accountKey) {
        return all().stream().filter(o -> o.accountKey().equals(accountKey)).toList();
    }

    /** Kept in memory: for tests. */
    static DeskOrders inMemory() {
        return new InMemoryDeskOrders();
    }
}
