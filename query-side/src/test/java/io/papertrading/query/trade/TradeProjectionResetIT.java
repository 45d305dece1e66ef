package io.papertrading.query.trade;

import io.papertrading.kernel.trade.TradeId;
import io.papertrading.kernel.trade.event.TradeOpenedEvent;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static io.papertrading.query.trade.ProjectionHarness.eventId;
import static io.papertrading.query.trade.ProjectionHarness.money;
import static io.papertrading.query.trade.ProjectionHarness.newTradeId;
import static io.papertrading.query.trade.ProjectionHarness.stockOrder;
import static io.papertrading.query.trade.ProjectionHarness.uniqueUser;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reset before a replay empties the projection across all users through the engine role, and a replay of
 * the same events rebuilds the same rows. (Its own class: it empties tables other tests' data lives in.)
 */
class TradeProjectionResetIT {

    private final ProjectionHarness h = new ProjectionHarness();

    @Test
    void resetEmptiesEveryUsersTradesAndAReplayRebuildsThem() {
        String alice = uniqueUser("alice");
        String bob = uniqueUser("bob");
        TradeId a = newTradeId();
        TradeId b = newTradeId();
        Instant at = Instant.parse("2026-03-02T14:30:00Z");
        String aOpened = eventId();
        h.place(a, alice, stockOrder("AAPL", "BUY", 1, null), at);
        h.projection.on(new TradeOpenedEvent(a, 1, money("10"), "entry filled", at.plusSeconds(1)), 1, aOpened);
        h.place(b, bob, stockOrder("MSFT", "BUY", 1, null), at);
        h.ownerJdbc.update("insert into user_settings (username, broker) values (?, 'SIMULATED')", alice);
        TradeView before = h.queries.find(alice, a.value()).orElseThrow();

        h.projection.reset();

        assertThat(h.ownerJdbc.queryForObject("select count(*) from paper_trades", Long.class)).isZero();
        assertThat(h.ownerJdbc.queryForObject("select count(*) from state_transitions", Long.class)).isZero();
        assertThat(h.ownerJdbc.queryForObject("select count(*) from user_settings where username = ?", Long.class, alice))
                .isEqualTo(1);
        assertThat(h.projection.cachedOwners()).isZero();

        h.place(a, alice, stockOrder("AAPL", "BUY", 1, null), at);
        h.projection.on(new TradeOpenedEvent(a, 1, money("10"), "entry filled", at.plusSeconds(1)), 1, aOpened);

        TradeView rebuilt = h.queries.find(alice, a.value()).orElseThrow();
        assertThat(rebuilt).usingRecursiveComparison().ignoringFields("idempotencyKey").isEqualTo(before);
        assertThat(h.queries.transitions(alice, a.value()).orElseThrow()).hasSize(2);
    }
}
