package io.papertrading.kernel.trade;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The seven states of a trade and the one table of allowed transitions between them. The aggregate, the
 * database CHECK constraint and the tests all read from here.
 */
public enum TradeStatus {
    PENDING, OPEN, PARTIALLY_FILLED, CLOSING, CLOSED, EXPIRED, CANCELED;

    private static final Map<TradeStatus, Set<TradeStatus>> TRANSITIONS = new EnumMap<>(TradeStatus.class);

    static {
        // from PENDING: entry filled, entry partly filled, order/contract expired, user cancel / broker reject / timeout
        TRANSITIONS.put(PENDING, EnumSet.of(OPEN, PARTIALLY_FILLED, EXPIRED, CANCELED));
        // from PARTIALLY_FILLED: rest filled (or remainder canceled), another partial fill, close requested,
        // contract expired, canceled with nothing filled
        TRANSITIONS.put(PARTIALLY_FILLED, EnumSet.of(OPEN, PARTIALLY_FILLED, CLOSING, EXPIRED, CANCELED));
        // from OPEN: close requested, bracket leg filled at the broker, contract expired
        TRANSITIONS.put(OPEN, EnumSet.of(CLOSING, CLOSED, EXPIRED));
        // from CLOSING: exit rejected/canceled (back to OPEN), exit filled, contract expired
        TRANSITIONS.put(CLOSING, EnumSet.of(OPEN, CLOSED, EXPIRED));
        TRANSITIONS.put(CLOSED, EnumSet.noneOf(TradeStatus.class));
        TRANSITIONS.put(EXPIRED, EnumSet.noneOf(TradeStatus.class));
        TRANSITIONS.put(CANCELED, EnumSet.noneOf(TradeStatus.class));
    }

    /** Whether the table allows moving from this state to {@code target}. */
    public boolean canTransitionTo(TradeStatus target) {
        return TRANSITIONS.get(this).contains(target);
    }

    /** The states reachable from this one in a single step. */
    public Set<TradeStatus> allowedTargets() {
        return Collections.unmodifiableSet(TRANSITIONS.get(this));
    }

    /** CLOSED, EXPIRED and CANCELED end a trade. */
    public boolean isTerminal() {
        return TRANSITIONS.get(this).isEmpty();
    }

    /** An entry order is still working: the trade may receive fills. */
    public boolean isEntryWorking() {
        return this == PENDING || this == PARTIALLY_FILLED;
    }
}
