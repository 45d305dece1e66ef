package io.papertrading.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.papertrading.command.execution.ScriptedTradier;
import io.papertrading.migrations.TestDatabase;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one Spring context and one PostgreSQL database every integration test shares: extend this class
 * without adding context configuration, so Spring's test context cache starts the app exactly once.
 */
@SpringBootTest(classes = PaperTradingApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(TestClock.Config.class)
// metrics are exported as in production (Spring's tests switch the exporters off by default)
@org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability(tracing = false)
public abstract class IntegrationTestBase {

    /** HS256 secret of the test app; tests mint tokens with the dev login or sign forged ones themselves. */
    protected static final String JWT_SECRET = "integration-test-secret-of-at-least-32-bytes";

    /**
     * Tradier's sandbox as the operator's configuration points at it: a scripted fake shared by the whole
     * context (users who choose TRADIER trade against it). Tests read its orders by their tag (the trade id).
     */
    protected static final ScriptedTradier TRADIER = new ScriptedTradier();

    static {
        PaperTradingApplication.disableAxonUpdateChecker();
        System.setProperty("paper.tradier-sandbox-url", TRADIER.baseUrl());
        // an order POST that gets no answer counts as an unknown outcome after this long
        System.setProperty("paper.tradier.timeout", "2s");
        TestDatabase db = TestDatabase.get();
        System.setProperty("paper.db.url", db.url());
        System.setProperty("paper.db.user", db.appUser());
        System.setProperty("paper.db.password", db.appPassword());
        System.setProperty("paper.db.engine-user", db.engineUser());
        System.setProperty("paper.db.engine-password", db.enginePassword());
        System.setProperty("paper.db.owner-user", db.ownerUser());
        System.setProperty("paper.db.owner-password", db.ownerPassword());
        System.setProperty("paper.auth.jwt-secret", JWT_SECRET);
        System.setProperty("paper.dev-login", "true");
        // the test secrets below are published in this file: only dev mode accepts them
        System.setProperty("paper.dev-mode", "true");
        System.setProperty("paper.encryption-key", "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=");
        // no scheduled price ticks: they would add price events while tests compare tables; tests tick by hand
        System.setProperty("paper.monitor.enabled", "false");
        // live-update streams show their heartbeat within a test's patience
        System.setProperty("paper.stream.heartbeat", "1s");
    }

    private static final Map<String, String> TOKENS = new ConcurrentHashMap<>();
    protected static final HttpClient HTTP = HttpClient.newHttpClient();
    protected static final ObjectMapper JSON = new ObjectMapper();

    @LocalServerPort
    protected int port;

    /** The app's own JdbcTemplate: the engine role's connections (RLS-bound on users' tables). */
    @Autowired
    protected JdbcTemplate engineJdbc;

    /** Owner connections (bypass RLS) for inspecting what the app wrote, from the test JVM's shared pool. */
    protected static final JdbcTemplate ownerJdbc = new JdbcTemplate(TestDatabase.get().pooledOwner());

    /** A unique username per test, so tests sharing the database never see each other's trades. */
    protected static String user(String name) {
        return name + "-" + Long.toHexString(System.nanoTime());
    }

    protected String tokenFor(String username) {
        return TOKENS.computeIfAbsent(username, u -> {
            HttpResponse<String> r = send("POST", "/api/auth/dev-token", null,
                    "{\"username\":\"" + u + "\",\"roles\":[\"admin\"]}", Map.of());
            return json(r).get("token").asText();
        });
    }

    /** Sends a request; {@code username} null sends no token. */
    protected HttpResponse<String> send(String method, String path, String username, String body, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (username != null) {
            b.header("Authorization", "Bearer " + tokenFor(username));
        }
        headers.forEach(b::header);
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    protected HttpResponse<String> placeTrade(String username, String key, String body) {
        return send("POST", "/api/trades", username, body, Map.of("Idempotency-Key", key));
    }

    protected static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (Exception e) {
            throw new IllegalStateException("not JSON: " + response.body(), e);
        }
    }

    protected int eventCount(String tradeId) {
        return ownerJdbc.queryForObject("select count(*) from domain_event_entry where aggregate_identifier = ?",
                Integer.class, tradeId);
    }

    /** The id a submission with this key gets (a name-based UUID of username and key). */
    protected static String tradeIdFor(String username, String idempotencyKey) {
        return io.papertrading.kernel.trade.TradeId.forSubmission(username, idempotencyKey).value();
    }

    /** How many trades were placed under {@code tradeId}: 1 however often a submission was retried. */
    protected int placedEventCount(String tradeId) {
        return ownerJdbc.queryForObject("select count(*) from domain_event_entry where aggregate_identifier = ? "
                + "and payload_type = 'io.papertrading.kernel.trade.event.TradePlacedEvent'", Integer.class, tradeId);
    }

    /**
     * Whether the trades read model holds every trade of the event store at a version equal to its event count:
     * exact, where the admin listing's lag is an estimate.
     */
    protected static boolean tradesProjectionCaughtUp() {
        Integer behind = ownerJdbc.queryForObject("""
                select count(*) from (
                    select aggregate_identifier, count(*) as events from domain_event_entry
                    where type is not null -- price observations are stored outside any trade's stream
                    group by aggregate_identifier
                ) e left join paper_trades t on t.id = e.aggregate_identifier
                where t.version is distinct from e.events""", Integer.class);
        return behind == 0;
    }

    /** Whether the admin listing shows the projection replaying. */
    protected boolean replaying(String admin, String projection) {
        return listed(admin, projection).get("replaying").asBoolean();
    }

    /** The projection's entry in the admin listing. */
    protected JsonNode listed(String admin, String projection) {
        for (JsonNode p : json(send("GET", "/api/admin/projections", admin, null, Map.of()))) {
            if (p.get("name").asText().equals(projection)) {
                return p;
            }
        }
        throw new AssertionError("no " + projection + " projection listed");
    }
}
