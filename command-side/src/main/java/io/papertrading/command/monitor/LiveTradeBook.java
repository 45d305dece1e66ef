package io.papertrading.command.monitor;

import io.papertrading.kernel.money.Money;
import io.papertrading.kernel.trade.CloseReason;
import io.papertrading.kernel.trade.Side;
import io.papertrading.kernel.trade.TradeId;
import io.papertrading.kernel.trade.TradeStatus;

import java.time.Instant;
import java.util.List;

/**
 * The price monitor's working set of unfinished trades across all users (the app keeps it in the
 * {@code monitor_live_trades} table). Written by {@link LiveTradeTracker} from the trade events, each change
 * guarded by the event's {@code version} (sequence + 1) so redelivery and replay change nothing; read by
 * {@link PriceMonitor} only.
 */
public interface LiveTradeBook {

    /** A trade was placed (PENDING). */
    void placed(TradeId id, String username, String quoteSymbol, Side side, Money stopLoss, Money takeProfit,
                long version);

    /** Its entry (partly) filled: {@code filledQuantity} at the average {@code entryPrice}. */
    void filled(TradeId id, TradeStatus status, int filledQuantity, Money entryPrice, long version);

    /** Its status moved (CLOSING on a close request, OPEN again when the exit was rejected). */
    void status(TradeId id, TradeStatus status, long version);

    /** Its brackets changed: the trigger is re-armed. */
    void brackets(TradeId id, Money stopLoss, Money takeProfit, long version);

    /** It is finished (closed, expired, canceled, rejected): no longer watched. */
    void finished(TradeId id);

    /** Every trade holding a position: OPEN, PARTIALLY_FILLED or CLOSING. */
    List<LiveTrade> monitored();

    /** Records when a bracket was first seen crossed (null: not crossed any more). */
    void crossed(TradeId id, Instant since);

    /**
     * Claims the bracket trigger of the trade for {@code reason}: true exactly once (until the brackets change
     * or {@link #releaseTrigger} is called), false when it was already claimed.
     */
    boolean claimTrigger(TradeId id, CloseReason reason);

    /** Gives a claimed trigger back (the close request could not be sent and should be retried). */
    void releaseTrigger(TradeId id);
}
