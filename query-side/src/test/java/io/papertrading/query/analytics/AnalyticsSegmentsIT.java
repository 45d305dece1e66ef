package io.papertrading.query.analytics;

import io.papertrading.kernel.trade.CloseReason;
import io.papertrading.kernel.trade.TradeId;
import io.papertrading.kernel.trade.event.TradeClosedEvent;
import io.papertrading.kernel.trade.event.TradeOpenedEvent;
import io.papertrading.kernel.trade.event.TradePlacedEvent;
import org.axonframework.eventhandling.DomainEventMessage;
import org.junit.jupiter.api.Test;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

import static io.papertrading.query.analytics.AnalyticsHarness.money;
import static io.papertrading.query.analytics.AnalyticsHarness.newTradeId;
import static io.papertrading.query.analytics.AnalyticsHarness.stock;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two segments of the analytics processor writing batches at once, as two nodes or threads do: batches that close
 * trades of the same users' strategies, in opposite user orders, neither wait on each other in a cycle nor lose
 * the other's trades in the recounted excursions.
 */
class AnalyticsSegmentsIT {

    private static final Instant T0 = Instant.parse("2026-03-02T14:35:00Z");

    private final AnalyticsHarness h = new AnalyticsHarness();
    private final String alice = AnalyticsHarness.uniqueUser("alice");
    private final String bob = AnalyticsHarness.uniqueUser("bob");

    @Test
    void twoSegmentsClosingTradesOfTheSameStrategiesInOppositeOrdersBothCount() throws Exception {
        TradeId aliceA = opened(alice, "100");
        TradeId bobA = opened(bob, "100");
        TradeId aliceB = opened(alice, "100");
        TradeId bobB = opened(bob, "100");
        // segment A closes alice's trade then bob's; segment B bob's then alice's
        List<DomainEventMessage<?>> segmentA = List.of(closed(aliceA, "110", "100"), closed(bobA, "90", "-100"));
        List<DomainEventMessage<?>> segmentB = List.of(closed(bobB, "120", "200"), closed(aliceB, "95", "-50"));
        CyclicBarrier bothFolded = new CyclicBarrier(2);

        CompletableFuture<Void> a = CompletableFuture.runAsync(() -> batch(segmentA, bothFolded));
        CompletableFuture<Void> b = CompletableFuture.runAsync(() -> batch(segmentB, bothFolded));
        CompletableFuture.allOf(a, b).get(30, TimeUnit.SECONDS);

        for (String user : List.of(alice, bob)) {
            assertThat(h.ownerJdbc.queryForObject("""
                    select trades from analytics_excursions where username = ? and strategy = 'momentum'""",
                    Integer.class, user)).as("excursions of %s", user).isEqualTo(2);
            assertThat(h.ownerJdbc.queryForObject("""
                    select closed_trades from analytics_strategy_stats where username = ? and strategy = 'momentum'""",
                    Integer.class, user)).isEqualTo(2);
        }
        assertThat(h.ownerJdbc.queryForObject("""
                select realized_pnl from analytics_strategy_stats where username = ? and strategy = 'momentum'""",
                java.math.BigDecimal.class, alice)).isEqualByComparingTo("50");
    }

    private TradeId opened(String user, String price) {
        TradeId id = newTradeId();
        h.emit(new TradePlacedEvent(id, user, stock("AAPL", "BUY", 10, "momentum"), "key-" + id, "hash", T0));
        h.emit(new TradeOpenedEvent(id, 10, money(price), "filled", T0.plusSeconds(1)));
        return id;
    }

    private DomainEventMessage<?> closed(TradeId id, String exit, String pnl) {
        return h.stored(new TradeClosedEvent(id, CloseReason.MANUAL, 10, money(exit), money(pnl), T0.plusSeconds(60)));
    }

    /** One batch in one transaction: every event folded, then both segments commit (and write) at once. */
    private void batch(List<DomainEventMessage<?>> events, CyclicBarrier bothFolded) {
        new TransactionTemplate(h.transactionManager).executeWithoutResult(status -> {
            for (DomainEventMessage<?> m : events) {
                try {
                    h.analyticsAdapter.handle(m);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
            try {
                bothFolded.await(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
