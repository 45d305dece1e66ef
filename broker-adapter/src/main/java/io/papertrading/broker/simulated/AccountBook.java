package io.papertrading.broker.simulated;

import java.time.Instant;
import java.util.Collection;
import java.util.List;

/**
 * One simulated account's books, open for a single broker operation while the account is held exclusively.
 * Orders it returns are live objects: changes to them are kept when the operation ends.
 */
interface AccountBook {

    Ledger ledger();

    /** A fresh id for an order, a leg or an OCO group, unique across every account. */
    String nextOrderId();

    /** Every order and OCO leg of the account that may still fill, in placement order. */
    Collection<SimOrder> working();

    /** The order or leg with this id, or null. */
    SimOrder find(String orderId);

    /** The two legs of an OCO group, or empty when {@code groupId} is no group. */
    List<SimOrder> legs(String groupId);

    /**
     * What a list of orders shows, ascending: ids of single orders and OCO groups that still work or changed at
     * or after {@code since}. Older finished orders drop out of lists, as with a real broker, but stay readable by id.
     */
    List<String> listed(Instant since);

    /** The listed id (order or OCO group) of the first order carrying {@code tag}, or null. */
    String listedIdByTag(String tag);

    /** Records a new order or leg. */
    void add(SimOrder order);
}
