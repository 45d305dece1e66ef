package io.papertrading.kernel.trade;

import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TradeIdTest {

    @Test
    void theSameUserAndKeyAlwaysGiveTheSameTrade() {
        assertThat(TradeId.forSubmission("alice", "key-1")).isEqualTo(TradeId.forSubmission("alice", "key-1"));
    }

    @Test
    void differentUsersWithTheSameKeyGetDifferentTrades() {
        assertThat(TradeId.forSubmission("alice", "key-1")).isNotEqualTo(TradeId.forSubmission("bob", "key-1"));
    }

    @Test
    void differentKeysOfOneUserGetDifferentTrades() {
        assertThat(TradeId.forSubmission("alice", "key-1")).isNotEqualTo(TradeId.forSubmission("alice", "key-2"));
    }

    @Test
    void theBoundaryBetweenUserAndKeyCannotShift() {
        assertThat(TradeId.forSubmission("a", "bc")).isNotEqualTo(TradeId.forSubmission("ab", "c"));
    }

    @Test
    void isANameBasedUuidAndPrintsAsItsRawValue() {
        TradeId id = TradeId.forSubmission("alice", "key-1");

        assertThat(UUID.fromString(id.value()).version()).isEqualTo(3);
        assertThat(id.toString()).isEqualTo(id.value());
        assertThat(new TradeId("t-42").toString()).isEqualTo("t-42");
    }

    @Test
    void refusesABlankOrMissingValue() {
        assertThatThrownBy(() -> new TradeId(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TradeId(null)).isInstanceOf(NullPointerException.class);
    }
}
