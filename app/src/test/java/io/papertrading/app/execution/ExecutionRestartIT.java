package io.papertrading.app.execution;

import io.papertrading.command.execution.ScriptedTradier;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.papertrading.migrations.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The durability test: the app runs as a separate process against its own PostgreSQL database and a Tradier
 * stand-in in this JVM; it is SIGKILLed while polling a working order, the order fills while it is down, and the
 * restarted app finds the saga and its deadline in PostgreSQL, polls again and opens the trade. The broker saw
 * exactly one order.
 *
 * <p>Deliberately not on the shared test context or database: a second node on the same database would take
 * part in the polling (which is the point of the design, but not of this test).
 */
class ExecutionRestartIT {

    private static final String JWT_SECRET = "restart-test-secret-of-at-least-32-bytes-long";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final ScriptedTradier tradier = new ScriptedTradier();
    private Process app;
    private Process secondApp;
    private String dbName;
    private Path logs;

    @AfterEach
    void tearDown() throws Exception {
        for (Process p : new Process[]{app, secondApp}) {
            if (p != null) {
                p.destroyForcibly().waitFor();
            }
        }
        tradier.close();
        if (dbName != null) {
            try (Connection admin = admin(); Statement st = admin.createStatement()) {
                st.execute("drop database if exists " + dbName + " with (force)");
            }
        }
    }

    @Test
    void aTradePolledWhenTheAppIsKilledReachesItsFinalStateAfterARestartWithOneBrokerOrder() throws Exception {
        String dbUrl = createDatabase();
        int port = freePort();
        logs = Files.createTempFile("paper-restart", ".log");
        tradier.initialStatus = "open"; // accepted and working: the saga keeps polling it

        app = start(dbUrl, port);
        String user = "restart-" + Long.toHexString(System.nanoTime());
        String token = token(port, user);
        HttpResponse<String> settings = call(port, "PUT", "/api/settings/broker", token, """
                {"broker":"TRADIER","environment":"SANDBOX","accountId":"%s","token":"sandbox-token"}"""
                .formatted(ScriptedTradier.ACCOUNT), null);
        assertThat(settings.statusCode()).as(settings.body()).isEqualTo(204);
        HttpResponse<String> placed = call(port, "POST", "/api/trades", token, """
                {"symbol":"AAPL","side":"BUY","quantity":1,"orderType":"MARKET"}""", "restart-1");
        assertThat(placed.statusCode()).as(placed.body()).isEqualTo(202);
        String tradeId = JSON.readTree(placed.body()).get("tradeId").asText();

        // placed once, then polled a few times: kill it mid-poll
        await().atMost(Duration.ofSeconds(60)).until(() -> tradier.posts.get() == 1 && tradier.lists.get() >= 3);
        app.destroyForcibly().waitFor(); // SIGKILL on Linux: no shutdown hooks, no graceful stop
        String orderId = tradier.lastId();
        tradier.set(orderId, "filled", 1, 187.2, null);
        int listsWhileDown = tradier.lists.get();

        app = start(dbUrl, port);

        List<String> types = await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                .until(() -> eventTypes(port, token, tradeId), t -> t.contains("TradeOpened"));
        assertThat(types).containsSubsequence("TradePlaced", "EntryOrderSubmitted", "TradeOpened");
        assertThat(tradier.lists.get()).isGreaterThan(listsWhileDown);
        assertThat(tradier.posts.get()).as("orders sent to the broker").isEqualTo(1);
        assertThat(tradier.orderCount()).isEqualTo(1);
    }

    @Test
    void twoAppsOnOneDatabasePlaceTheOrderOnceAndOpenTheTradeOnce() throws Exception {
        String dbUrl = createDatabase();
        int port = freePort();
        int secondPort = freePort();
        logs = Files.createTempFile("paper-two-nodes", ".log");
        tradier.initialStatus = "open";
        app = start(dbUrl, port);
        secondApp = start(dbUrl, secondPort);

        String user = "twonodes-" + Long.toHexString(System.nanoTime());
        String token = token(port, user);
        assertThat(call(port, "PUT", "/api/settings/broker", token, """
                {"broker":"TRADIER","environment":"SANDBOX","accountId":"%s","token":"sandbox-token"}"""
                .formatted(ScriptedTradier.ACCOUNT), null).statusCode()).isEqualTo(204);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 6; i++) { // enough trades for both nodes' saga segments to see some
            HttpResponse<String> placed = call(i % 2 == 0 ? port : secondPort, "POST", "/api/trades", token, """
                    {"symbol":"AAPL","side":"BUY","quantity":1,"orderType":"MARKET"}""", "two-" + i);
            assertThat(placed.statusCode()).as(placed.body()).isEqualTo(202);
            ids.add(JSON.readTree(placed.body()).get("tradeId").asText());
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> tradier.posts.get() >= 6 && tradier.lists.get() >= 4);
        for (String orderId : tradier.orders.keySet().stream().toList()) {
            tradier.set(orderId, "filled", 1, 187.2, null);
        }

        for (String id : ids) {
            List<String> types = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> eventTypes(secondPort, token, id), t -> t.contains("TradeOpened"));
            assertThat(types.stream().filter("EntryOrderSubmitted"::equals)).hasSize(1);
            assertThat(types.stream().filter("TradeOpened"::equals)).hasSize(1);
        }
        assertThat(tradier.posts.get()).as("orders sent to the broker").isEqualTo(6);
        assertThat(tradier.orderCount()).isEqualTo(6);
    }

    // ---------------------------------------------------------------------------------------------- helpers

    private Process start(String dbUrl, int port) throws IOException {
        TestDatabase shared = TestDatabase.get(); // only for the credentials of the app role it created
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m",
                "-cp", System.getProperty("java.class.path"),
                "-Daxoniq.update-checker.disabled=true",
                "-Dserver.port=" + port,
                "-Dpaper.db.url=" + dbUrl,
                "-Dpaper.db.user=" + shared.appUser(),
                "-Dpaper.db.password=" + shared.appPassword(),
                "-Dpaper.db.owner-user=" + shared.ownerUser(),
                "-Dpaper.db.owner-password=" + shared.ownerPassword(),
                "-Dpaper.auth.jwt-secret=" + JWT_SECRET,
                "-Dpaper.dev-login=true",
                "-Dpaper.encryption-key=cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=",
                "-Dpaper.tradier-sandbox-url=" + tradier.baseUrl(),
                "-Dpaper.data-dir=" + Files.createTempDirectory("paper-restart-data"),
                "io.papertrading.app.PaperTradingApplication"));
        Process process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logs.toFile())).start();
        try {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> {
                if (!process.isAlive()) {
                    throw new AssertionError("the app exited; see " + logs);
                }
                try {
                    return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/health"))
                            .build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
                } catch (IOException e) {
                    return false;
                }
            });
        } catch (RuntimeException | Error e) {
            process.destroyForcibly();
            throw new AssertionError("the app did not start; its log: " + logs + "\n" + tail(logs), e);
        }
        return process;
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(unreadable)";
        }
    }

    private String createDatabase() throws Exception {
        TestDatabase.get(); // makes sure the server runs and the app role exists on it
        dbName = "paper_restart_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT);
        try (Connection admin = admin(); Statement st = admin.createStatement()) {
            st.execute("create database " + dbName);
        }
        return TestDatabase.get().urlOf(dbName);
    }

    private static Connection admin() throws Exception {
        return TestDatabase.get().adminConnection();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
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
