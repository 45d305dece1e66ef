package io.papertrading.app;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class CommandApiIT extends IntegrationTestBase {

    private static final String ORDER = """
            {"symbol":"AAPL","optionSymbol":"AAPL300621C00260000","side":"BUY","quantity":2,"orderType":"LIMIT",
             "limitPrice":2.15,"stopLoss":1.50,"takeProfit":3.20,"strategy":"momentum"}""";

    @Test
    void acceptsATradeWithLocationAndVersion() {
        HttpResponse<String> r = placeTrade(user("alice"), "accept-1", ORDER);
        assertThat(r.statusCode()).isEqualTo(202);
        JsonNode body = json(r);
        assertThat(body.get("status").asText()).isEqualTo("PENDING");
        assertThat(body.get("version").asLong()).isEqualTo(1);
        assertThat(r.headers().firstValue("ETag")).hasValue("\"1\"");
        assertThat(r.headers().firstValue("Location")).hasValue("/api/trades/" + body.get("tradeId").asText());
    }

    @Test
    void refusesAnInvalidBodyWithFieldErrorsAndWritesNoEvent() {
        String alice = user("alice");
        HttpResponse<String> r = placeTrade(alice, "invalid-1", """
                {"symbol":"AAPL","optionSymbol":"MSFT300621C00260000","side":"HOLD","quantity":0,"orderType":"LIMIT",
                 "stopLoss":3.0,"takeProfit":2.0}""");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
        JsonNode body = json(r);
        assertThat(body.get("code").asText()).isEqualTo("VALIDATION_FAILED");
        assertThat(body.get("errors").findValuesAsText("field"))
                .contains("optionSymbol", "side", "quantity", "limitPrice");

        HttpResponse<String> brackets = placeTrade(alice, "invalid-3", """
                {"symbol":"AAPL","side":"BUY","quantity":1,"orderType":"LIMIT","limitPrice":10,
                 "stopLoss":11,"takeProfit":9}""");
        assertThat(brackets.statusCode()).isEqualTo(400);
        assertThat(json(brackets).get("errors").findValuesAsText("field")).contains("stopLoss", "takeProfit");
        assertThat(eventCount(tradeIdFor(alice, "invalid-1"))).isZero();
        assertThat(eventCount(tradeIdFor(alice, "invalid-3"))).isZero();
    }

    @Test
    void refusesMalformedJsonWithoutLeakingParserDetails() {
        HttpResponse<String> r = placeTrade(user("alice"), "invalid-2", "{\"symbol\": \"AAPL\", \"quantity\": \"two\"");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).doesNotContain("com.fasterxml", "at [Source", "Exception");
    }

    @Test
    void requiresAnIdempotencyKey() {
        HttpResponse<String> r = send("POST", "/api/trades", user("alice"), ORDER, Map.of());
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).get("errors").findValuesAsText("field")).contains("Idempotency-Key");
    }

    @Test
    void refusesAStaleIfMatchWithTheCurrentVersion() {
        String alice = user("alice");
        String id = json(placeTrade(alice, "stale-1", ORDER)).get("tradeId").asText();
        // the saga records the broker's order (version 2); the limit is far below the market, so nothing else follows
        await().atMost(Duration.ofSeconds(20)).until(() -> eventCount(id) == 2);
        HttpResponse<String> ok = send("PUT", "/api/trades/" + id + "/brackets", alice,
                "{\"stopLoss\":1.40,\"takeProfit\":3.50}", Map.of("If-Match", "\"2\""));
        assertThat(ok.statusCode()).isEqualTo(202);
        assertThat(json(ok).get("version").asLong()).isEqualTo(3);

        HttpResponse<String> stale = send("POST", "/api/trades/" + id + "/notes", alice,
                "{\"text\":\"late note\"}", Map.of("If-Match", "\"2\""));

        assertThat(stale.statusCode()).isEqualTo(409);
        assertThat(json(stale).get("code").asText()).isEqualTo("VERSION_CONFLICT");
        assertThat(json(stale).get("currentVersion").asLong()).isEqualTo(3);
        assertThat(stale.headers().firstValue("ETag")).hasValue("\"3\"");
        assertThat(ownerJdbc.queryForObject("select count(*) from domain_event_entry where aggregate_identifier = ? "
                + "and payload_type like '%TradeAnnotatedEvent'", Integer.class, id)).isZero();
    }

    @Test
    void refusesAnIllegalTransitionNamingBothStates() {
        String alice = user("alice");
        String id = json(placeTrade(alice, "illegal-1", ORDER)).get("tradeId").asText();
        HttpResponse<String> r = send("POST", "/api/trades/" + id + "/close", alice, null, Map.of());
        assertThat(r.statusCode()).isEqualTo(409);
        assertThat(json(r).get("code").asText()).isEqualTo("ILLEGAL_TRANSITION");
        assertThat(json(r).get("from").asText()).isEqualTo("PENDING");
        assertThat(json(r).get("to").asText()).isEqualTo("CLOSING");
    }

    @Test
    void hidesAnotherUsersTradeAsNotFound() {
        String alice = user("alice");
        String bob = user("bob");
        String id = json(placeTrade(alice, "private-1", ORDER)).get("tradeId").asText();

        for (String[] action : List.of(new String[]{"POST", "/cancel", null}, new String[]{"POST", "/close", null},
                new String[]{"POST", "/notes", "{\"text\":\"mine now\"}"},
                new String[]{"PUT", "/brackets", "{\"stopLoss\":1.0,\"takeProfit\":4.0}"})) {
            HttpResponse<String> r = send(action[0], "/api/trades/" + id + action[1], bob, action[2], Map.of());
            assertThat(r.statusCode()).as(action[1]).isEqualTo(404);
        }
        assertThat(send("GET", "/api/trades/" + id + "/events", bob, null, Map.of()).statusCode()).isEqualTo(404);
        assertThat(send("POST", "/api/trades/no-such-trade/cancel", bob, null, Map.of()).statusCode()).isEqualTo(404);
        assertThat(ownerJdbc.queryForObject("select count(*) from domain_event_entry where aggregate_identifier = ? and "
                + "(payload_type like '%TradeCanceledEvent' or payload_type like '%CloseRequestedEvent' "
                + "or payload_type like '%TradeAnnotatedEvent' or payload_type like '%BracketsChangedEvent')",
                Integer.class, id)).isZero();
    }

    @Test
    @org.junit.jupiter.api.extension.ExtendWith(org.springframework.boot.test.system.OutputCaptureExtension.class)
    void anUnknownTradeIsA404AndLeavesNoStackTraceInTheLog(org.springframework.boot.test.system.CapturedOutput logs) {
        String alice = user("alice");
        String unknown = java.util.UUID.randomUUID().toString();

        for (String action : List.of("/close", "/cancel")) {
            assertThat(send("POST", "/api/trades/" + unknown + action, alice, null, Map.of()).statusCode()).isEqualTo(404);
        }

        // a client must not be able to fill the log with stack traces (Axon's repository logged one per unknown id)
        assertThat(logs.getAll()).doesNotContain(unknown).doesNotContain("AggregateNotFoundException");
    }

    @Test
    void refusesRequestsWithoutAValidToken() throws Exception {
        assertThat(send("POST", "/api/trades", null, ORDER, Map.of("Idempotency-Key", "anon")).statusCode()).isEqualTo(401);
        String forged = sign("alice", "another-secret-that-is-also-32-bytes-long", Instant.now().plusSeconds(600));
        String expired = sign("alice", JWT_SECRET, Instant.now().minusSeconds(600));
        String badName = sign("alice'; drop table paper_trades; --", JWT_SECRET, Instant.now().plusSeconds(600));
        String neverExpires = sign("alice", JWT_SECRET, null);
        for (String token : List.of(forged, expired, badName, neverExpires, "not-a-jwt")) {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/trades"))
                    .header("Authorization", "Bearer " + token).header("Idempotency-Key", "forged")
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(ORDER)).build();
            HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(json(r).get("code").asText()).isEqualTo("UNAUTHORIZED");
        }
    }

    @Test
    void keepsAdminEndpointsForAdmins() throws Exception {
        String plain = sign("carol", JWT_SECRET, Instant.now().plusSeconds(600));
        assertThat(get("/api/admin/projections", plain).statusCode()).isEqualTo(403);
        // the admin role is matched exactly: a role that only looks like it in another case is another role
        for (String lookalike : List.of("ADMIN", "Admin", "admin ", "\u0430dmin")) {
            String token = sign("carol", JWT_SECRET, Instant.now().plusSeconds(600), List.of(lookalike));
            assertThat(get("/api/admin/projections", token).statusCode()).as(lookalike).isEqualTo(403);
        }
        String admin = sign("carol", JWT_SECRET, Instant.now().plusSeconds(600), List.of("admin"));
        assertThat(get("/api/admin/projections", admin).statusCode()).isEqualTo(200);
    }

    @Test
    void keepsMetricsAndHealthDetailsForAdminsAndProbesPublic() throws Exception {
        String plain = sign("carol", JWT_SECRET, Instant.now().plusSeconds(600));
        String admin = sign("carol", JWT_SECRET, Instant.now().plusSeconds(600), List.of("admin"));
        assertThat(get("/actuator/prometheus", null).statusCode()).isEqualTo(401);
        assertThat(get("/actuator/prometheus", plain).statusCode()).isEqualTo(403);
        HttpResponse<String> metrics = get("/actuator/prometheus", admin);
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).as("the order desk's list requests (the resting benchmark reads them)")
                .contains("paper_desk_list_requests_total");
        HttpResponse<String> anonymous = get("/actuator/health", null);
        assertThat(json(anonymous).has("status")).isTrue();
        assertThat(json(anonymous).has("components")).as("no details for anyone").isFalse();
        assertThat(anonymous.body()).doesNotContain("/");
        assertThat(json(get("/actuator/health", admin)).has("components")).isTrue();
        assertThat(get("/actuator/health/liveness", null).statusCode()).isEqualTo(200);
        assertThat(get("/actuator/health/readiness", null).statusCode()).isEqualTo(200);
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String sign(String subject, String secret, Instant expires) throws Exception {
        return sign(subject, secret, expires, null);
    }

    private static String sign(String subject, String secret, Instant expires, List<String> roles) throws Exception {
        JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder().subject(subject).issueTime(new Date());
        if (expires != null) {
            builder.expirationTime(Date.from(expires));
        }
        if (roles != null) {
            builder.claim("roles", roles);
        }
        JWTClaimsSet claims = builder.build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        jwt.sign(new MACSigner(secret.getBytes()));
        return jwt.serialize();
    }
}
