package io.papertrading.app.analytics;

import com.fasterxml.jackson.databind.JsonNode;
import io.papertrading.app.IntegrationTestBase;
import io.papertrading.command.monitor.PriceMonitor;
import io.papertrading.kernel.money.Money;
import io.papertrading.kernel.trade.CloseReason;
import io.papertrading.kernel.trade.TradeId;
import io.papertrading.kernel.trade.command.CloseTradeCommand;
import io.papertrading.kernel.trade.command.RecordPartialExitCommand;
import io.papertrading.kernel.trade.command.RecordEntryFillCommand;
import io.papertrading.kernel.trade.event.PriceObservedEvent;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.eventhandling.gateway.EventGateway;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The price pipeline and the analytics API in the running app: published prices become snapshots, MFE/MAE and
 * portfolio figures behind RLS; the monitor quotes open trades from the user's broker; the analytics projection
 * replays to the same tables; asOf answers what the API answered at that time.
 */
class AnalyticsApiIT extends IntegrationTestBase {

    /** A limit far below the market: the simulated broker never fills it, the test fills it by command. */
    private static final String ORDER = """
            {"symbol":"AAPL","side":"BUY","quantity":10,"orderType":"LIMIT","limitPrice":1.00,"strategy":"swing"}""";

    @Autowired
    CommandGateway commands;
    @Autowired
    EventGateway events;
    @Autowired
    PriceMonitor monitor;

    private TradeId openTrade(String username, String key) {
        TradeId id = new TradeId(json(placeTrade(username, key, ORDER)).get("tradeId").asText());
        commands.sendAndWait(new RecordEntryFillCommand(id, 10, Money.of("100")));
        return id;
    }

    private void observe(TradeId id, String username, String mark, Instant at) {
        events.publish(new PriceObservedEvent(id, username, null, null, null, Money.of(mark), null, null, null, at));
    }

    private JsonNode get(String path, String username) {
        return json(send("GET", path, username, null, Map.of()));
    }

    @Test
    void publishedPricesBecomeSnapshotsExcursionsAndPortfolioFiguresAndAsOfRecallsThem() {
        String alice = user("an-alice");
        TradeId id = openTrade(alice, "an-1");
        Instant t = Instant.now();
        observe(id, alice, "103", t.plusMillis(1));      // +30
        observe(id, alice, "97", t.plusMillis(2));       // -30
        observe(id, alice, "108", t.plusMillis(3));      // +80

        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            JsonNode trade = get("/api/trades/" + id, alice);
            assertThat(trade.get("mfe").decimalValue()).isEqualByComparingTo("80");
            assertThat(trade.get("mae").decimalValue()).isEqualByComparingTo("-30");
            assertThat(trade.get("lastPrice").decimalValue()).isEqualByComparingTo("108");
            assertThat(trade.get("unrealizedPnl").decimalValue()).isEqualByComparingTo("80");
            assertThat(trade.get("tradeContext").get("mfe").decimalValue()).isEqualByComparingTo("80");
        });
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() ->
                assertThat(get("/api/portfolio", alice).get("unrealizedPnl").decimalValue()).isEqualByComparingTo("80"));
        JsonNode openState = get("/api/trades/" + id, alice);
        Instant whileOpen = Instant.now();

        JsonNode snapshots = get("/api/trades/" + id + "/snapshots", alice);
        assertThat(snapshots.findValuesAsText("unrealizedPnl")).extracting(BigDecimal::new)
                .usingElementComparator(BigDecimal::compareTo).containsExactly(bd("30"), bd("-30"), bd("80"));
        assertThat(get("/api/trades/" + id + "/snapshots?limit=1", alice)).hasSize(1);
        assertThat(send("GET", "/api/trades/" + id + "/snapshots", user("an-bob"), null, Map.of()).statusCode())
                .isEqualTo(404);

        commands.sendAndWait(new CloseTradeCommand(id, Money.of("110"), CloseReason.TAKE_PROFIT)); // +100
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            JsonNode p = get("/api/portfolio", alice);
            assertThat(p.get("closedTrades").asInt()).isEqualTo(1);
            assertThat(p.get("openTrades").asInt()).isZero();
            assertThat(p.get("realizedPnl").decimalValue()).isEqualByComparingTo("100");
            assertThat(p.get("unrealizedPnl").decimalValue()).isEqualByComparingTo("0");
            assertThat(p.get("winRate").decimalValue()).isEqualByComparingTo("1");
            assertThat(p.get("expectancy").decimalValue()).isEqualByComparingTo("100");
            assertThat(p.get("profitFactor").isNull()).isTrue();       // no loss
            assertThat(p.get("byStrategy").get(0).get("strategy").asText()).isEqualTo("swing");
            assertThat(p.get("byStrategy").get(0).get("trades").asInt()).isEqualTo(1);
        });
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() ->  // the exit was the best value
                assertThat(get("/api/trades/" + id, alice).get("mfe").decimalValue()).isEqualByComparingTo("100"));

        LocalDate today = LocalDate.now(ZoneId.of("America/New_York"));
        JsonNode curve = get("/api/analytics/equity-curve?from=" + today + "&to=" + today, alice);
        assertThat(curve).hasSize(1);
        assertThat(curve.get(0).get("cumulativePnl").decimalValue()).isEqualByComparingTo("100");

        JsonNode then = get("/api/trades/" + id + "?asOf=" + whileOpen, alice);
        for (String field : List.of("status", "version", "filledQuantity", "entryPrice", "lastPrice", "unrealizedPnl",
                "mfe", "mae", "realizedPnl", "createdAt", "openedAt")) {
            if (openState.get(field).isNumber()) {
                assertThat(then.get(field).decimalValue()).as(field).isEqualByComparingTo(openState.get(field).decimalValue());
            } else {
                assertThat(then.get(field).asText()).as(field).isEqualTo(openState.get(field).asText());
            }
        }
        JsonNode portfolioThen = get("/api/portfolio?asOf=" + whileOpen, alice);
        assertThat(portfolioThen.get("openTrades").asInt()).isEqualTo(1);
        assertThat(portfolioThen.get("closedTrades").asInt()).isZero();
        assertThat(portfolioThen.get("unrealizedPnl").decimalValue()).isEqualByComparingTo("80");
        assertThat(send("GET", "/api/trades/" + id + "?asOf=" + whileOpen, user("an-bob"), null, Map.of()).statusCode())
                .isEqualTo(404);
    }

    @Test
    void aPartialExitRealizesItsPartAndPricesValueOnlyWhatIsStillHeld() {
        String dave = user("an-dave");
        TradeId id = openTrade(dave, "an-partial");
        commands.sendAndWait(new RecordPartialExitCommand(id, 4, Money.of("105"), "exit order canceled after filling 4 of 10"));
        observe(id, dave, "110", Instant.now().plusMillis(1));

        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            JsonNode trade = get("/api/trades/" + id, dave);
            assertThat(trade.get("realizedPnl").decimalValue()).isEqualByComparingTo("20");     // 4 × 5
            assertThat(trade.get("unrealizedPnl").decimalValue()).isEqualByComparingTo("60");   // 6 × 10
            assertThat(trade.get("filledQuantity").asInt()).isEqualTo(10);
            assertThat(trade.get("tradeContext").get("exitedQuantity").asInt()).isEqualTo(4);
            assertThat(get("/api/portfolio", dave).get("unrealizedPnl").decimalValue()).isEqualByComparingTo("60");
        });
        JsonNode partState = get("/api/trades/" + id, dave);
        Instant whilePart = Instant.now();

        commands.sendAndWait(new CloseTradeCommand(id, Money.of("108"), CloseReason.TAKE_PROFIT));
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            assertThat(get("/api/trades/" + id, dave).get("realizedPnl").decimalValue())
                    .isEqualByComparingTo("68");                                                  // 20 + 6 × 8
            assertThat(get("/api/portfolio", dave).get("realizedPnl").decimalValue()).isEqualByComparingTo("68");
        });
        JsonNode then = get("/api/trades/" + id + "?asOf=" + whilePart, dave);
        for (String field : List.of("status", "version", "filledQuantity", "realizedPnl", "unrealizedPnl")) {
            if (partState.get(field).isNumber()) {
                assertThat(then.get(field).decimalValue()).as(field).isEqualByComparingTo(partState.get(field).decimalValue());
            } else {
                assertThat(then.get(field).asText()).as(field).isEqualTo(partState.get(field).asText());
            }
        }
        assertThat(then.get("tradeContext").get("exitedQuantity").asInt()).isEqualTo(4);
    }

    @Test
    void aMonitorTickQuotesOpenTradesFromTheUsersBroker() {
        String carol = user("an-carol");
        TradeId id = openTrade(carol, "an-2");
        await().atMost(Duration.ofSeconds(30)).until(() -> ownerJdbc.queryForObject(
                "select count(*) from monitor_live_trades where trade_id = ? and status = 'OPEN'", Integer.class,
                id.value()) == 1);

        PriceMonitor.TickReport report = monitor.tick();

        assertThat(report.observed()).isGreaterThanOrEqualTo(1);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            JsonNode list = get("/api/trades/" + id + "/snapshots", carol);
            assertThat(list.isArray()).isTrue();
            assertThat(list).isNotEmpty();
        });
        JsonNode snapshot = get("/api/trades/" + id + "/snapshots", carol).get(0);
        BigDecimal mark = snapshot.get("mark").decimalValue();
        // (mark - 100) x 10 shares
        assertThat(snapshot.get("unrealizedPnl").decimalValue())
                .isEqualByComparingTo(mark.subtract(bd("100")).multiply(bd("10")));
    }

    @Test
    void replayingTheAnalyticsProjectionRebuildsEveryAnalyticsTable() {
        String dave = user("an-dave");
        TradeId win = openTrade(dave, "an-3");
        TradeId loss = openTrade(dave, "an-4");
        observe(win, dave, "104", Instant.now());
        commands.sendAndWait(new CloseTradeCommand(win, Money.of("105"), CloseReason.TAKE_PROFIT));
        commands.sendAndWait(new CloseTradeCommand(loss, Money.of("98"), CloseReason.STOP_LOSS));
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() ->
                assertThat(get("/api/portfolio", dave).get("closedTrades").asInt()).isEqualTo(2));
        Map<String, List<Map<String, Object>>> live = analyticsTables();

        assertThat(send("POST", "/api/admin/projections/analytics-portfolio/replay", dave, null, Map.of()).statusCode())
                .isEqualTo(202);
        await().atMost(Duration.ofSeconds(60)).until(() -> caughtUp(dave) && analyticsTables().equals(live));

        JsonNode p = get("/api/portfolio", dave);
        assertThat(p.get("realizedPnl").decimalValue()).isEqualByComparingTo("30");   // +50 - 20
        assertThat(p.get("profitFactor").decimalValue()).isEqualByComparingTo("2.5"); // 50 / 20
    }

    private boolean caughtUp(String admin) {
        for (JsonNode p : json(send("GET", "/api/admin/projections", admin, null, Map.of()))) {
            if (p.get("name").asText().equals("analytics-portfolio")) {
                return !p.get("replaying").asBoolean() && p.get("lag").asLong() == 0;
            }
        }
        throw new AssertionError("analytics-portfolio is not listed");
    }

    /** This class's users' rows of every analytics table (other tests' rows may still be changing). */
    private Map<String, List<Map<String, Object>>> analyticsTables() {
        Map<String, List<Map<String, Object>>> tables = new LinkedHashMap<>();
        for (String table : List.of("analytics_trades", "analytics_strategy_stats", "analytics_daily_pnl",
                "analytics_excursions")) {
            tables.put(table, ownerJdbc.queryForList("select * from " + table
                    + " where username like 'an-%' order by 1, 2, 3"));
        }
        return tables;
    }

    private static BigDecimal bd(String v) {
        return new BigDecimal(v);
    }
}
