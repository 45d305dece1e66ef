package io.papertrading.kernel.trade;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import static io.papertrading.kernel.trade.TradeStatus.CANCELED;
import static io.papertrading.kernel.trade.TradeStatus.CLOSED;
import static io.papertrading.kernel.trade.TradeStatus.CLOSING;
import static io.papertrading.kernel.trade.TradeStatus.EXPIRED;
import static io.papertrading.kernel.trade.TradeStatus.OPEN;
import static io.papertrading.kernel.trade.TradeStatus.PARTIALLY_FILLED;
import static io.papertrading.kernel.trade.TradeStatus.PENDING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TradeStatusTest {

    /** DESIGN.md "The trade lifecycle", copied cell by cell; any drift of the enum from the design fails here. */
    static final Map<TradeStatus, Set<TradeStatus>> DESIGN_TABLE = Map.of(
            PENDING, EnumSet.of(OPEN, PARTIALLY_FILLED, EXPIRED, CANCELED),
            PARTIALLY_FILLED, EnumSet.of(OPEN, PARTIALLY_FILLED, CLOSING, EXPIRED, CANCELED),
            OPEN, EnumSet.of(CLOSING, CLOSED, EXPIRED),
            CLOSING, EnumSet.of(OPEN, CLOSED, EXPIRED),
            CLOSED, EnumSet.noneOf(TradeStatus.class),
            EXPIRED, EnumSet.noneOf(TradeStatus.class),
            CANCELED, EnumSet.noneOf(TradeStatus.class));

    @Test
    void hasTheSevenStatesOfTheDesign() {
        assertThat(TradeStatus.values()).containsExactlyInAnyOrder(DESIGN_TABLE.keySet().toArray(TradeStatus[]::new));
    }

    @ParameterizedTest
    @EnumSource(TradeStatus.class)
    void allowsExactlyTheDesignedTransitions(TradeStatus from) {
        assertThat(from.allowedTargets()).isEqualTo(DESIGN_TABLE.get(from));
        for (TradeStatus to : TradeStatus.values()) {
            assertThat(from.canTransitionTo(to)).as(from + " -> " + to).isEqualTo(DESIGN_TABLE.get(from).contains(to));
        }
    }

    @Test
    void nothingLeadsBackToPending() {
        for (TradeStatus from : TradeStatus.values()) {
            assertThat(from.canTransitionTo(PENDING)).as(from + " -> PENDING").isFalse();
        }
    }

    @Test
    void closedExpiredAndCanceledAreTheTerminalStates() {
        assertThat(EnumSet.allOf(TradeStatus.class)).filteredOn(TradeStatus::isTerminal)
                .containsExactlyInAnyOrder(CLOSED, EXPIRED, CANCELED);
    }

    @Test
    void anEntryIsWorkingOnlyWhilePendingOrPartiallyFilled() {
        assertThat(EnumSet.allOf(TradeStatus.class)).filteredOn(TradeStatus::isEntryWorking)
                .containsExactlyInAnyOrder(PENDING, PARTIALLY_FILLED);
    }

    @Test
    void theTableCannotBeChangedThroughItsView() {
        assertThatThrownBy(() -> OPEN.allowedTargets().add(PENDING)).isInstanceOf(UnsupportedOperationException.class);
        assertThat(OPEN.canTransitionTo(PENDING)).isFalse();
    }
}
