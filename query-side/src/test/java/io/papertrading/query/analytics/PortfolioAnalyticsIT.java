package io.papertrading.query.analytics;

import io.papertrading.kernel.trade.CloseReason;
import io.papertrading.kernel.trade.TradeId;
import io.papertrading.kernel.trade.TradeOrder;
import io.papertrading.kernel.trade.event.TradeCanceledEvent;
import io.papertrading.kernel.trade.event.TradeClosedEvent;
import io.papertrading.kernel.trade.event.TradeExpiredEvent;
import io.papertrading.kernel.trade.event.TradeOpenedEvent;
import io.papertrading.kernel.trade.event.TradePlacedEvent;
import io.papertrading.kernel.trade.event.TradeRejectedEvent;
import io.papertrading.query.trade.TradeView;
import org.axonframework.eventhandling.DomainEventMessage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.papertrading.query.analytics.AnalyticsHarness.money;
import static io.papertrading.query.analytics.AnalyticsHarness.newTradeId;
import static io.papertrading.query.analytics.AnalyticsHarness.option;
import static io.papertrading.query.analytics.AnalyticsHarness.stock;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Thirteen trades across two strategies, every figure derived by hand (the arithmetic is in the comments), not
 * by the code under test.
 *
 * <pre>
 * momentum: M1 BUY 10 AAPL 100 -> 105 (+50; path 103, 98, 107, 101)   closed 2026-03-02
 *           M2 BUY 5 MSFT 200 -> 190 (-50)                              closed 2026-03-02
 *           M3 SELL 20 TSLA 50 -> 45 short (+100; path 52, 47, 44)      closed 2026-03-03
 *           M4 BUY 2 AAPL 260320 C100 at 1.50, expired worthless (-300) 2026-03-20
 *           M5 BUY 1 AAPL 260320 P90 2.00 -> 3.25 (+125)               closed 2026-03-04
 *           M6 BUY 10 NVDA 100, open, marked 104 (unrealized +40)
 *           M7 canceled before any fill
 * meanrev:  R1 BUY 10 XOM 60 -> 63 (+30)                                closed 2026-03-02
 *           R2 SELL 5 KO 40 -> 42 short (-10) at 2026-03-04T02:30Z = 2026-03-03 21:30 New York
 *           R3 BUY 4 PG 150 -> 150 (0, break-even)                      closed 2026-03-04
 *           R4 BUY 3 SPY 260320 C500 at 4, expired at 5.50 (+450)       2026-03-20
 *           R5 SELL 10 IBM 100 short, open, marked 103 (unrealized -30)
 *           R6 rejected by the broker
 * </pre>
 */
class PortfolioAnalyticsIT {

    private final AnalyticsHarness h = new AnalyticsHarness();
    private final String alice = AnalyticsHarness.uniqueUser("alice");
    private final Map<String, TradeId> ids = new LinkedHashMap<>();

    private static Instant at(String iso) {
        return Instant.parse(iso);
    }

    private TradeId place(String name, TradeOrder order, String when) {
        TradeId id = newTradeId();
        ids.put(name, id);
        h.emit(new TradePlacedEvent(id, alice, order, "key-" + name, "hash", at(when)));
        return id;
    }

    private void open(TradeId id, int qty, String price, String when) {
        h.emit(new TradeOpenedEvent(id, qty, money(price), "filled", at(when)));
    }

    private void close(TradeId id, int qty, String exit, String pnl, String when) {
        h.emit(new TradeClosedEvent(id, CloseReason.MANUAL, qty, money(exit), money(pnl), at(when)));
    }

    @BeforeEach
    void scenario() {
        TradeId m1 = place("M1", stock("AAPL", "BUY", 10, "momentum"), "2026-03-02T14:35:00Z");
        open(m1, 10, "100", "2026-03-02T14:35:01Z");
        h.price(m1, alice, "103", at("2026-03-02T14:40:00Z"));
        h.price(m1, alice, "98", at("2026-03-02T14:45:00Z"));
        h.price(m1, alice, "107", at("2026-03-02T14:50:00Z"));
        h.price(m1, alice, "101", at("2026-03-02T14:55:00Z"));
        close(m1, 10, "105", "50", "2026-03-02T15:00:00Z");

        TradeId m2 = place("M2", stock("MSFT", "BUY", 5, "momentum"), "2026-03-02T14:36:00Z");
        open(m2, 5, "200", "2026-03-02T14:36:01Z");
        close(m2, 5, "190", "-50", "2026-03-02T16:00:00Z");

        TradeId m3 = place("M3", stock("TSLA", "SELL", 20, "momentum"), "2026-03-03T14:35:00Z");
        open(m3, 20, "50", "2026-03-03T14:35:01Z");
        h.price(m3, alice, "52", at("2026-03-03T14:40:00Z"));
        h.price(m3, alice, "47", at("2026-03-03T14:45:00Z"));
        h.price(m3, alice, "44", at("2026-03-03T14:50:00Z"));
        close(m3, 20, "45", "100", "2026-03-03T15:00:00Z");

        TradeId m4 = place("M4", option("AAPL260320C00100000", 2, "momentum"), "2026-03-02T15:00:00Z");
        open(m4, 2, "1.50", "2026-03-02T15:00:01Z");
        h.emit(new TradeExpiredEvent(m4, money("95"), money("0"), 2, money("-300"), at("2026-03-20T20:00:00Z")));

        TradeId m5 = place("M5", option("AAPL260320P00090000", 1, "momentum"), "2026-03-03T15:00:00Z");
        open(m5, 1, "2.00", "2026-03-03T15:00:01Z");
        close(m5, 1, "3.25", "125", "2026-03-04T15:00:00Z");

        TradeId m6 = place("M6", stock("NVDA", "BUY", 10, "momentum"), "2026-03-05T14:35:00Z");
        open(m6, 10, "100", "2026-03-05T14:35:01Z");
        h.price(m6, alice, "104", at("2026-03-05T14:40:00Z"));

        TradeId m7 = place("M7", stock("AMD", "BUY", 10, "momentum"), "2026-03-05T14:36:00Z");
        h.emit(new TradeCanceledEvent(m7, CloseReason.CANCELED, null, alice, at("2026-03-05T14:37:00Z")));

        TradeId r1 = place("R1", stock("XOM", "BUY", 10, "meanrev"), "2026-03-02T14:35:00Z");
        open(r1, 10, "60", "2026-03-02T14:35:01Z");
        close(r1, 10, "63", "30", "2026-03-02T17:00:00Z");

        TradeId r2 = place("R2", stock("KO", "SELL", 5, "meanrev"), "2026-03-03T14:35:00Z");
        open(r2, 5, "40", "2026-03-03T14:35:01Z");
        close(r2, 5, "42", "-10", "2026-03-04T02:30:00Z");

        TradeId r3 = place("R3", stock("PG", "BUY", 4, "meanrev"), "2026-03-04T14:35:00Z");
        open(r3, 4, "150", "2026-03-04T14:35:01Z");
        close(r3, 4, "150", "0", "2026-03-04T16:00:00Z");

        TradeId r4 = place("R4", option("SPY260320C00500000", 3, "meanrev"), "2026-03-02T15:00:00Z");
        open(r4, 3, "4", "2026-03-02T15:00:01Z");
        h.emit(new TradeExpiredEvent(r4, money("505.50"), money("5.50"), 3, money("450"), at("2026-03-20T20:00:00Z")));

        TradeId r5 = place("R5", stock("IBM", "SELL", 10, "meanrev"), "2026-03-05T14:35:00Z");
        open(r5, 10, "100", "2026-03-05T14:35:01Z");
        h.price(r5, alice, "103", at("2026-03-05T14:40:00Z"));

        TradeId r6 = place("R6", stock("GE", "BUY", 10, "meanrev"), "2026-03-05T14:36:00Z");
        h.emit(new TradeRejectedEvent(r6, "not enough buying power", at("2026-03-05T14:36:05Z")));
    }

    @Test
    void portfolioFiguresMatchTheHandComputedScenario() {
        PortfolioView p = h.queries.portfolio(alice);

        assertThat(p.openTrades()).isEqualTo(2);                               // M6, R5
        assertThat(p.closedTrades()).isEqualTo(9);                             // M1-M5, R1-R4
        assertThat(p.wins()).isEqualTo(5);                                     // M1 M3 M5 R1 R4
        assertThat(p.losses()).isEqualTo(3);                                   // M2 M4 R2
        assertThat(p.realizedPnl()).isEqualByComparingTo("395");               // -75 + 470
        assertThat(p.unrealizedPnl()).isEqualByComparingTo("10");              // 40 - 30
        assertThat(p.winRate()).isEqualByComparingTo("0.5556");                // 5 / 9
        assertThat(p.expectancy()).isEqualByComparingTo("43.8889");            // 395 / 9
        assertThat(p.profitFactor()).isEqualByComparingTo("2.0972");           // 755 / 360

        assertThat(p.byStrategy()).extracting(PortfolioView.StrategyView::strategy).containsExactly("meanrev", "momentum");
        PortfolioView.StrategyView meanrev = p.byStrategy().get(0);
        assertThat(meanrev.trades()).isEqualTo(4);
        assertThat(meanrev.wins()).isEqualTo(2);
        assertThat(meanrev.losses()).isEqualTo(1);                             // R3 is break-even: neither
        assertThat(meanrev.winRate()).isEqualByComparingTo("0.5");
        assertThat(meanrev.realizedPnl()).isEqualByComparingTo("470");         // 30 - 10 + 0 + 450
        assertThat(meanrev.expectancy()).isEqualByComparingTo("117.5");
        assertThat(meanrev.profitFactor()).isEqualByComparingTo("48");         // 480 / 10
        assertThat(meanrev.unrealizedPnl()).isEqualByComparingTo("-30");       // (103 - 100) x 10 short

        PortfolioView.StrategyView momentum = p.byStrategy().get(1);
        assertThat(momentum.trades()).isEqualTo(5);
        assertThat(momentum.wins()).isEqualTo(3);
        assertThat(momentum.losses()).isEqualTo(2);
        assertThat(momentum.winRate()).isEqualByComparingTo("0.6");
        assertThat(momentum.realizedPnl()).isEqualByComparingTo("-75");        // 50 - 50 + 100 - 300 + 125
        assertThat(momentum.expectancy()).isEqualByComparingTo("-15");
        assertThat(momentum.profitFactor()).isEqualByComparingTo("0.7857");    // 275 / 350
        assertThat(momentum.openTrades()).isEqualTo(1);
        assertThat(momentum.unrealizedPnl()).isEqualByComparingTo("40");
    }

    @Test
    void equityCurveBooksEachCloseOnItsNewYorkDate() {
        List<EquityPoint> curve = h.queries.equityCurve(alice, null, null);

        assertThat(curve).extracting(EquityPoint::date).containsExactly(LocalDate.parse("2026-03-02"),
                LocalDate.parse("2026-03-03"), LocalDate.parse("2026-03-04"), LocalDate.parse("2026-03-20"));
        assertThat(curve).extracting(EquityPoint::realizedPnl).usingElementComparator(BigDecimal_compare())
                .containsExactly(bd("30"), bd("90"), bd("125"), bd("150"));   // 50-50+30; 100-10; 125+0; -300+450
        assertThat(curve).extracting(EquityPoint::cumulativePnl).usingElementComparator(BigDecimal_compare())
                .containsExactly(bd("30"), bd("120"), bd("245"), bd("395"));
        assertThat(curve).extracting(EquityPoint::closedTrades).containsExactly(3, 2, 2, 2);

        List<EquityPoint> window = h.queries.equityCurve(alice, LocalDate.parse("2026-03-03"), LocalDate.parse("2026-03-04"));
        assertThat(window).extracting(EquityPoint::cumulativePnl).usingElementComparator(BigDecimal_compare())
                .containsExactly(bd("120"), bd("245"));                      // earlier days still count
    }

    @Test
    void excursionsFollowTheScriptedPricePaths() {
        TradeView m1 = trade("M1");
        assertThat(m1.mfe()).isEqualByComparingTo("70");      // 107: (107 - 100) x 10
        assertThat(m1.mae()).isEqualByComparingTo("-20");     // 98: (98 - 100) x 10
        assertThat(m1.tradeContext()).containsKeys("mfe", "mae", "mfeAt", "maeAt");
        TradeView m3 = trade("M3");
        assertThat(m3.mfe()).isEqualByComparingTo("120");     // short at 50, 44: (50 - 44) x 20
        assertThat(m3.mae()).isEqualByComparingTo("-40");     // 52: (50 - 52) x 20
        assertThat(trade("M4").mfe()).isEqualByComparingTo("0");
        assertThat(trade("M4").mae()).isEqualByComparingTo("-300"); // the settlement is its last value
        assertThat(trade("M6").mfe()).isEqualByComparingTo("40");

        List<ExcursionStats> stats = h.queries.excursions(alice);
        assertThat(stats).extracting(ExcursionStats::strategy).containsExactly("meanrev", "momentum");
        ExcursionStats momentum = stats.get(1);
        assertThat(momentum.trades()).isEqualTo(5);
        assertThat(momentum.avgMfe()).isEqualByComparingTo("63");      // (70 + 0 + 120 + 0 + 125) / 5
        assertThat(momentum.medianMfe()).isEqualByComparingTo("70");   // 0 0 [70] 120 125
        assertThat(momentum.maxMfe()).isEqualByComparingTo("125");
        assertThat(momentum.avgMae()).isEqualByComparingTo("-82");     // (-20 - 50 - 40 - 300 + 0) / 5
        assertThat(momentum.medianMae()).isEqualByComparingTo("-40");  // -300 -50 [-40] -20 0
        assertThat(momentum.minMae()).isEqualByComparingTo("-300");
        ExcursionStats meanrev = stats.get(0);
        assertThat(meanrev.avgMfe()).isEqualByComparingTo("120");      // (30 + 0 + 0 + 450) / 4
        assertThat(meanrev.medianMfe()).isEqualByComparingTo("0");     // 0 [0] 30 450: the lower middle
        assertThat(meanrev.avgMae()).isEqualByComparingTo("-2.5");     // (0 - 10 + 0 + 0) / 4
        assertThat(meanrev.minMae()).isEqualByComparingTo("-10");
    }

    @Test
    void aFinishedTradeKeepsItsFinalExcursionsWhateverPriceArrivesLater() {
        h.price(ids.get("M1"), alice, "150", at("2026-03-02T15:30:00Z"));
        h.price(ids.get("M1"), alice, "50", at("2026-03-02T15:31:00Z"));

        assertThat(trade("M1").mfe()).isEqualByComparingTo("70");
        assertThat(trade("M1").mae()).isEqualByComparingTo("-20");
        assertThat(h.queries.excursions(alice).get(1).maxMfe()).isEqualByComparingTo("125");
    }

    @Test
    void replayingInAnotherInterleavingRebuildsEveryAnalyticsTableIdentically() {
        Map<String, List<Map<String, Object>>> live = analyticsTables();

        h.replayAnalytics(anotherInterleaving(42));

        assertThat(analyticsTables()).isEqualTo(live);
    }

    @Test
    void replayingInBatchesOfManyTradesAndUsersRebuildsEveryAnalyticsTableIdentically() {
        Map<String, List<Map<String, Object>>> live = analyticsTables();

        // as a processor delivers: a batch of events of many trades in one transaction, written once at its end
        h.replayAnalyticsInBatches(anotherInterleaving(7), new Random(7), 12);

        assertThat(analyticsTables()).isEqualTo(live);
    }

    /** Each trade's own order kept (the processor sequences by trade), shuffled across trades, each delivered twice. */
    private List<DomainEventMessage<?>> anotherInterleaving(long seed) {
        Map<String, List<DomainEventMessage<?>>> byTrade = new LinkedHashMap<>();
        for (DomainEventMessage<?> m : h.delivered) {
            String trade = ((io.papertrading.kernel.trade.event.TradeEvent) m.getPayload()).tradeId().value();
            byTrade.computeIfAbsent(trade, k -> new ArrayList<>()).add(m);
        }
        List<List<DomainEventMessage<?>>> queues = new ArrayList<>(byTrade.values());
        Random random = new Random(seed);
        List<DomainEventMessage<?>> order = new ArrayList<>();
        int[] next = new int[queues.size()];
        int remaining = h.delivered.size();
        while (remaining > 0) {
            int q = random.nextInt(queues.size());
            if (next[q] < queues.get(q).size()) {
                DomainEventMessage<?> m = queues.get(q).get(next[q]++);
                order.add(m);
                order.add(m); // redelivered
                remaining--;
            }
        }
        return order;
    }

    @Test
    void thePortfolioAsOfATimeIsTheStateThen() {
        // 2026-03-02T16:30Z: M1, M2 closed; R1, M3..M6 not closed yet; M4 and R4 open without prices
        PortfolioView then = h.queries.portfolioAsOf(alice, at("2026-03-02T16:30:00Z"));
        assertThat(then.closedTrades()).isEqualTo(2);                  // M1 +50, M2 -50
        assertThat(then.realizedPnl()).isEqualByComparingTo("0");
        assertThat(then.openTrades()).isEqualTo(3);                    // R1, M4, R4
        assertThat(then.winRate()).isEqualByComparingTo("0.5");
        assertThat(then.profitFactor()).isEqualByComparingTo("1");

        // after the last event the rebuilt figures equal the live projection's
        PortfolioView now = h.queries.portfolioAsOf(alice, at("2026-04-01T00:00:00Z"));
        PortfolioView live = h.queries.portfolio(alice);
        assertThat(now).usingRecursiveComparison().ignoringFields("asOf").withComparatorForType(
                BigDecimal_compare(), java.math.BigDecimal.class).isEqualTo(live);
    }

    @Test
    void theTradeAsOfATimeIsTheStateThen() {
        TradeId m1 = ids.get("M1");
        TradeView midway = h.history.asOf(alice, m1.value(), at("2026-03-02T14:52:00Z")).orElseThrow();
        assertThat(midway.status()).hasToString("OPEN");
        assertThat(midway.version()).isEqualTo(2);
        assertThat(midway.lastPrice()).isEqualByComparingTo("107");
        assertThat(midway.unrealizedPnl()).isEqualByComparingTo("70");
        assertThat(midway.mfe()).isEqualByComparingTo("70");
        assertThat(midway.mae()).isEqualByComparingTo("-20");
        assertThat(midway.realizedPnl()).isNull();

        TradeView before = h.history.asOf(alice, m1.value(), at("2026-03-02T14:35:00.500Z")).orElseThrow();
        assertThat(before.status()).hasToString("PENDING");
        assertThat(before.mfe()).isNull();

        TradeView end = h.history.asOf(alice, m1.value(), at("2026-04-01T00:00:00Z")).orElseThrow();
        TradeView live = trade("M1");
        assertThat(end).usingRecursiveComparison()
                .comparingOnlyFields("status", "version", "filledQuantity", "entryPrice", "exitPrice", "realizedPnl",
                        "unrealizedPnl", "lastPrice", "mfe", "mae", "closeReason", "createdAt", "openedAt", "closedAt",
                        "updatedAt", "strategy", "side", "quantity")
                .withComparatorForType(BigDecimal_compare(), java.math.BigDecimal.class).isEqualTo(live);

        assertThat(h.history.asOf(alice, m1.value(), at("2026-03-01T00:00:00Z"))).isEmpty();
        assertThat(h.history.asOf("mallory", m1.value(), at("2026-04-01T00:00:00Z"))).isEmpty();
    }

    private TradeView trade(String name) {
        return readModel(ids.get(name));
    }

    private TradeView readModel(TradeId id) {
        return io.papertrading.query.trade.TradeQueriesAccess.find(h.userScope, alice, id.value());
    }

    private Map<String, List<Map<String, Object>>> analyticsTables() {
        Map<String, List<Map<String, Object>>> tables = new LinkedHashMap<>();
        tables.put("trades", h.ownerJdbc.queryForList(
                "select * from analytics_trades where username = ? order by trade_id", alice));
        tables.put("stats", h.ownerJdbc.queryForList(
                "select * from analytics_strategy_stats where username = ? order by strategy", alice));
        tables.put("daily", h.ownerJdbc.queryForList(
                "select * from analytics_daily_pnl where username = ? order by day", alice));
        tables.put("excursions", h.ownerJdbc.queryForList(
                "select * from analytics_excursions where username = ? order by strategy", alice));
        return tables;
    }

    private static java.math.BigDecimal bd(String v) {
        return new java.math.BigDecimal(v);
    }

    @SuppressWarnings("checkstyle:MethodName")
    private static java.util.Comparator<java.math.BigDecimal> BigDecimal_compare() {
        return java.math.BigDecimal::compareTo;
    }
}
