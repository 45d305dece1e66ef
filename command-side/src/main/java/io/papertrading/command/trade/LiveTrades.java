package io.papertrading.command.trade;

import io.papertrading.kernel.trade.TradeId;

/**
 * The trades of each user that hold or may still hold a position (PENDING, PARTIALLY_FILLED, OPEN, CLOSING), kept
 * by the command side in the transaction of the command that places or ends each trade. What {@code maxOpenTrades}
 * and the broker-switch guard count: exact where the read model lags behind the event store.
 */
public interface LiveTrades {

    /**
     * How many live trades the user has, counted under a lock on the user that the current transaction holds
     * until it ends: two placements of one user are counted one after the other, never both against the same count.
     */
    int lockAndCount(String username);

    /** How many live trades the user has as last committed (no lock). */
    int count(String username);

    /** Records a newly placed trade, in the placing command's transaction. */
    void add(String username, TradeId tradeId);

    /** Forgets a trade that ended, in the ending command's transaction. */
    void remove(TradeId tradeId);
}
