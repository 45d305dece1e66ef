package io.papertrading.kernel.trade.event;

import io.papertrading.kernel.trade.TradeStatus;

/** An event that moves a trade into {@link #newStatus()}: each one becomes a {@code state_transitions} row. */
public interface TradeStatusEvent extends TradeEvent {
    TradeStatus newStatus();

    /** Why the trade moved, for the audit trail. */
    String transitionReason();

    /** Who moved it: a username, or an engine component ({@link io.papertrading.kernel.trade.Actor#id()}). */
    default String actor() {
        return "system";
    }
}
