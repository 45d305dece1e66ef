package io.papertrading.query.support;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TradeOwnersTest {

    @Test
    void keepsTheMostRecentlyUsedTradesWithinItsCapacity() {
        TradeOwners owners = new TradeOwners(2);
        owners.put("t1", "alice");
        owners.put("t2", "bob");
        assertThat(owners.get("t1")).isEqualTo("alice");

        owners.put("t3", "carol");

        assertThat(owners.get("t2")).isNull();
        assertThat(owners.get("t1")).isEqualTo("alice");
        assertThat(owners.get("t3")).isEqualTo("carol");
        assertThat(owners.size()).isEqualTo(2);
    }

    @Test
    void clearForgetsEverything() {
        TradeOwners owners = new TradeOwners(10);
        owners.put("t1", "alice");

        owners.clear();

        assertThat(owners.get("t1")).isNull();
    }
}
