package io.papertrading.app.execution;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.papertrading.app.support.AppProcesses;
import io.papertrading.app.support.SseClient;
import io.papertrading.command.execution.ScriptedTradier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The durability tests: the app runs as a separate process against its own PostgreSQL database; it is SIGKILLed
 * while polling a working order, and the restarted app finds the saga and its deadline in PostgreSQL, polls again
 * and opens the trade. The broker saw exactly one order. Run against a Tradier stand-in in this JVM (the order
 * fills while the app is down) and against the default simulated broker, whose books live in the same database
 * (the order fills after the restart, once its configured fill latency has passed). Two app processes on one
 * database likewise place each order once, whichever broker.
 *
 * <p>Deliberately not on the shared test context or database: a second node on the same database would take
 * part in the polling (which is the point of the design, but not of this test).
 */
class ExecutionRestartIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final ScriptedTradier tradier = new ScriptedTradier();
    private AppProcesses apps;
    private Process app;
    private String dbUrl;

    @AfterEach
    void tearDown() throws Exception {
        if (apps != null) {
            apps.close();
        }
        tradier.close();
    }

    @Test
    void tradesPolledWhenTheAppIsKilledReachTheirFinalStateAfterARestartWithOneBrokerOrderEach() throws Exception {
        apps = new AppProcesses("restart");
        dbUrl = apps.createDatabase();
        int port = AppProcesses.freePort();
        tradier.initialStatus = "open"; // accepted and working: the saga keeps polling it
        // the simulated exchange holds its market order unfilled for 25 s: the app is killed and restarted meanwhile
        String latency = "-Dpaper.sim.fill-latency=25s";

        app = start(dbUrl, port, latency);
        String tradierUser = "restart-" + Long.toHexString(System.nanoTime());
        String tradierToken = token(port, tradierUser);
        useTradier(port, tradierToken);
        String tradierTrade = placeMarketBuy(port, tradierToken, 1, "restart-1");
        String simUser = "simrestart-" + Long.toHexString(System.nanoTime());
        String simToken = token(port, simUser);
        String simTrade = placeMarketBuy(port, simToken, 3, "sim-restart-1");

        // both placed once and being polled: kill the app mid-poll
        await().atMost(Duration.ofSeconds(60)).until(() -> tradier.posts.get() == 1 && tradier.lists.get() >= 3
                && eventTypes(port, simToken, simTrade).contains("EntryOrderSubmitted"));
        assertThat(simOrders(simTrade)).singleElement().satisfies(o -> assertThat(o.state()).isEqualTo("OPEN"));
        app.destroyForcibly().waitFor(); // SIGKILL on Linux: no shutdown hooks, no graceful stop
        String orderId = tradier.lastId();
        tradier.set(orderId, "filled", 1, 187.2, null); // Tradier fills it while the app is down
        int listsWhileDown = tradier.lists.get();

        app = start(dbUrl, port, latency);

        for (String[] trade : new String[][]{{tradierTrade, tradierToken}, {simTrade, simToken}}) {
            List<String> types = await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> eventTypes(port, trade[1], trade[0]), t -> t.contains("TradeOpened"));
            assertThat(types).containsSubsequence("TradePlaced", "EntryOrderSubmitted", "TradeOpened");
            assertThat(types.stream().filter("EntryOrderSubmitted"::equals)).hasSize(1);
        }
        assertThat(tradier.lists.get()).isGreaterThan(listsWhileDown);
        assertThat(tradier.posts.get()).as("orders sent to Tradier").isEqualTo(1);
        assertThat(tradier.orderCount()).isEqualTo(1);
        // the simulated exchange kept the order through the restart and filled it once, after it
        List<SimOrderRow> orders = simOrders(simTrade);
        assertThat(orders).as("orders on the simulated exchange").singleElement()
                .satisfies(o -> assertThat(o.state()).isEqualTo("FILLED"));
        BigDecimal fill = orders.get(0).lastFillPrice();
        JsonNode opened = await().atMost(Duration.ofSeconds(30)).until(() -> JSON.readTree(call(port, "GET",
                "/api/trades/" + simTrade, simToken, null, null).body()), t -> "OPEN".equals(t.path("status").asText()));
        assertThat(new BigDecimal(opened.get("entryPrice").asText())).isEqualByComparingTo(fill);
        assertThat(simCash(simUser)).as("the account paid for the fill once")
                .isEqualByComparingTo(new BigDecimal("100000").subtract(fill.multiply(BigDecimal.valueOf(3))));

        // killed again while the exit order works: the restarted app follows the exit it placed, never a second
        HttpResponse<String> close = call(port, "POST", "/api/trades/" + tradierTrade + "/close", tradierToken, null, null);
        assertThat(close.statusCode()).as(close.body()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(60)).until(() -> tradier.posts.get() == 2
                && eventTypes(port, tradierToken, tradierTrade).contains("ExitOrderSubmitted"));
        int listsBeforeKill = tradier.lists.get();
        await().atMost(Duration.ofSeconds(30)).until(() -> tradier.lists.get() > listsBeforeKill);
        app.destroyForcibly().waitFor();
        tradier.set(tradier.lastId(), "filled", 1, 188.4, null);

        app = start(dbUrl, port, latency);

        JsonNode closed = await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).until(() ->
                JSON.readTree(call(port, "GET", "/api/trades/" + tradierTrade, tradierToken, null, null).body()),
                t -> "CLOSED".equals(t.path("status").asText()));
        assertThat(new BigDecimal(closed.get("exitPrice").asText())).isEqualByComparingTo("188.4");
        assertThat(new BigDecimal(closed.get("realizedPnl").asText())).isEqualByComparingTo("1.2");
        assertThat(tradier.posts.get()).as("orders sent to Tradier: the entry and one exit").isEqualTo(2);
    }

    @Test
    void twoAppsOnOneDatabasePlaceEachOrderOnceAndOpenEachTradeOnce() throws Exception {
        apps = new AppProcesses("two-nodes");
        dbUrl = apps.createDatabase();
        int port = AppProcesses.freePort();
        int secondPort = AppProcesses.freePort();
        tradier.initialStatus = "open";
        String latency = "-Dpaper.sim.fill-latency=3s";
        app = start(dbUrl, port, latency);
        start(dbUrl, secondPort, latency);

        String tradierToken = token(port, "twonodes-" + Long.toHexString(System.nanoTime()));
        useTradier(port, tradierToken);
        String simUser = "simtwo-" + Long.toHexString(System.nanoTime());
        String simToken = token(port, simUser);
        // live updates on the second node follow trades whichever node projects them (the nodes split the segments)
        SseClient stream = SseClient.open(HTTP, "http://localhost:" + secondPort + "/api/stream", simToken, null);
        assertThat(stream.status()).isEqualTo(200);
        List<String> tradierTrades = new ArrayList<>();
        List<String> simTrades = new ArrayList<>();
        for (int i = 0; i < 6; i++) { // enough trades for both nodes' saga segments to see some
            int node = i % 2 == 0 ? port : secondPort;
            tradierTrades.add(placeMarketBuy(node, tradierToken, 1, "two-" + i));
            simTrades.add(placeMarketBuy(node, simToken, 1, "sim-two-" + i));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> tradier.posts.get() >= 6 && tradier.lists.get() >= 4);
        for (String orderId : tradier.orders.keySet().stream().toList()) {
            tradier.set(orderId, "filled", 1, 187.2, null);
        }

        for (String id : tradierTrades) {
            assertOpenedOnce(secondPort, tradierToken, id);
        }
        assertThat(tradier.posts.get()).as("orders sent to Tradier").isEqualTo(6);
        assertThat(tradier.orderCount()).isEqualTo(6);
        BigDecimal paid = BigDecimal.ZERO;
        for (String id : simTrades) {
            assertOpenedOnce(secondPort, simToken, id);
            List<SimOrderRow> orders = simOrders(id);
            assertThat(orders).as("orders of trade %s on the simulated exchange", id).singleElement()
                    .satisfies(o -> assertThat(o.state()).isEqualTo("FILLED"));
            paid = paid.add(orders.get(0).lastFillPrice());
        }
        assertThat(simCash(simUser)).isEqualByComparingTo(new BigDecimal("100000").subtract(paid));
        try (stream) {
            for (String id : simTrades) {
                long version = JSON.readTree(call(port, "GET", "/api/trades/" + id, simToken, null, null).body()).get("version").asLong();
                await().atMost(Duration.ofSeconds(10)).until(() -> stream.events("trade").stream()
                        .map(e -> readTree(e.data())).anyMatch(t -> t.get("tradeId").asText().equals(id)
                                && "OPEN".equals(t.get("status").asText()) && t.get("version").asLong() >= version));
            }
        }
        List<String> seeds = Files.readAllLines(apps.logs()).stream().filter(l -> l.contains("Simulated market seeded with"))
                .map(l -> l.substring(l.indexOf("seeded with"))).toList();
        assertThat(seeds).as("both nodes trade on one simulated market").hasSize(2).containsOnly(seeds.get(0));

        // the race: a bracket fills at the broker while the user's close arrives, on either node
        int postsBefore = tradier.posts.get();
        List<String> bracketed = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            bracketed.add(place(i % 2 == 0 ? port : secondPort, tradierToken, """
                    {"symbol":"AAPL","side":"BUY","quantity":2,"orderType":"MARKET","stopLoss":180,"takeProfit":195}""",
                    "race-" + i));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> tradier.posts.get() == postsBefore + 4);
        List<String> entries = tradier.orders.keySet().stream().skip(postsBefore).toList();
        entries.forEach(id -> tradier.set(id, "filled", 2, 187.2, null));
        await().atMost(Duration.ofSeconds(60)).until(() -> tradier.posts.get() == postsBefore + 8); // the four OCOs
        List<String> ocos = tradier.orders.keySet().stream().skip(postsBefore + 4).toList();
        for (int i = 0; i < 4; i++) {
            tradier.set(ocos.get(i), "filled", 2, 195, null);
            call(i % 2 == 0 ? secondPort : port, "POST", "/api/trades/" + bracketed.get(i) + "/close", tradierToken,
                    null, null);
        }
        for (String id : bracketed) {
            JsonNode closed = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() ->
                    JSON.readTree(call(port, "GET", "/api/trades/" + id, tradierToken, null, null).body()),
                    t -> "CLOSED".equals(t.path("status").asText()));
            assertThat(closed.get("closeReason").asText()).as(id).isEqualTo("TAKE_PROFIT");
            assertThat(new BigDecimal(closed.get("realizedPnl").asText())).as(id).isEqualByComparingTo("15.6");
            assertThat(eventTypes(port, tradierToken, id).stream().filter("TradeClosed"::equals)).hasSize(1);
        }
        assertThat(tradier.posts.get()).as("no exit order: the bracket had sold everything").isEqualTo(postsBefore + 8);
    }

    private static String place(int port, String token, String body, String key) throws Exception {
        HttpResponse<String> placed = call(port, "POST", "/api/trades", token, body, key);
        assertThat(placed.statusCode()).as(placed.body()).isEqualTo(202);
        return JSON.readTree(placed.body()).get("tradeId").asText();
    }

    private static void assertOpenedOnce(int port, String token, String tradeId) {
        List<String> types = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                .until(() -> eventTypes(port, token, tradeId), t -> t.contains("TradeOpened"));
        assertThat(types.stream().filter("EntryOrderSubmitted"::equals)).hasSize(1);
        assertThat(types.stream().filter("TradeOpened"::equals)).hasSize(1);
    }

    private static void useTradier(int port, String token) throws Exception {
        HttpResponse<String> settings = call(port, "PUT", "/api/settings/broker", token, """
                {"broker":"TRADIER","environment":"SANDBOX","accountId":"%s","token":"sandbox-token"}"""
                .formatted(ScriptedTradier.ACCOUNT), null);
        assertThat(settings.statusCode()).as(settings.body()).isEqualTo(204);
    }

    private static String placeMarketBuy(int port, String token, int quantity, String key) throws Exception {
        HttpResponse<String> placed = call(port, "POST", "/api/trades", token, """
                {"symbol":"AAPL","side":"BUY","quantity":%d,"orderType":"MARKET"}""".formatted(quantity), key);
        assertThat(placed.statusCode()).as(placed.body()).isEqualTo(202);
        return JSON.readTree(placed.body()).get("tradeId").asText();
    }

    // ---------------------------------------------------------------------------------------------- helpers

    private static JsonNode readTree(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private record SimOrderRow(String state, BigDecimal lastFillPrice) {
    }

    /** The simulated exchange's orders carrying the trade id as tag (read as the owner, past row-level security). */
    private List<SimOrderRow> simOrders(String tradeId) throws Exception {
        try (Connection c = ownerOfTestDatabase();
             PreparedStatement ps = c.prepareStatement(
                     "select state, last_fill_price from sim_orders where tag = ? order by order_id")) {
            ps.setString(1, tradeId);
            List<SimOrderRow> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new SimOrderRow(rs.getString(1), rs.getBigDecimal(2)));
                }
            }
            return rows;
        }
    }

    private BigDecimal simCash(String account) throws Exception {
        try (Connection c = ownerOfTestDatabase();
             PreparedStatement ps = c.prepareStatement("select cash from sim_accounts where account_id = ?")) {
            ps.setString(1, account);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("simulated account " + account).isTrue();
                return rs.getBigDecimal(1);
            }
        }
    }

    private Connection ownerOfTestDatabase() throws Exception {
        return apps.ownerConnection(dbUrl);
    }


    private Process start(String url, int port, String latency) throws IOException {
        return apps.start(url, port, latency, "-Dpaper.tradier-sandbox-url=" + tradier.baseUrl());
    }

    private static String token(int port, String user) throws Exception {
        HttpResponse<String> r = call(port, "POST", "/api/auth/dev-token", null,
                "{\"username\":\"" + user + "\",\"roles\":[\"admin\"]}", null);
        return JSON.readTree(r.body()).get("token").asText();
    }

    private static List<String> eventTypes(int port, String token, String tradeId) throws Exception {
        HttpResponse<String> r = call(port, "GET", "/api/trades/" + tradeId + "/events", token, null, null);
        List<String> types = new ArrayList<>();
        if (r.statusCode() == 200) {
            for (JsonNode e : JSON.readTree(r.body())) {
                types.add(e.get("type").asText());
            }
        }
        return types;
    }

    private static HttpResponse<String> call(int port, String method, String path, String token, String body,
                                             String idempotencyKey) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (idempotencyKey != null) {
            b.header("Idempotency-Key", idempotencyKey);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
