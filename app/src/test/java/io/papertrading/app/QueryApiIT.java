package io.papertrading.app;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class QueryApiIT extends IntegrationTestBase {

    private static final String ORDER = """
            {"symbol":"SPY","side":"BUY","quantity":5,"orderType":"LIMIT","limitPrice":1.25,"strategy":"mean-reversion"}""";

    @Test
    void readsItsOwnWriteWithMinVersion() {
        String alice = user("alice");
        JsonNode ack = json(placeTrade(alice, "ryw-1", ORDER));
        String id = ack.get("tradeId").asText();

        HttpResponse<String> r = send("GET", "/api/trades/" + id + "?minVersion=1", alice, null, Map.of());

        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode trade = json(r);
        assertThat(trade.get("version").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(trade.get("username").asText()).isEqualTo(alice);
        assertThat(trade.get("symbol").asText()).isEqualTo("SPY");
        assertThat(trade.get("strategy").asText()).isEqualTo("mean-reversion");
        assertThat(trade.get("idempotencyKey").asText()).isEqualTo("ryw-1");
        assertThat(r.headers().firstValue("ETag")).hasValue("\"" + trade.get("version").asLong() + "\"");
    }

    @Test
    void keepsEveryQueryEndpointPrivateToItsOwner() {
        String alice = user("alice");
        String bob = user("bob");
        String id = json(placeTrade(alice, "iso-1", ORDER)).get("tradeId").asText();
        await().atMost(Duration.ofSeconds(10)).until(() ->
                send("GET", "/api/trades/" + id, alice, null, Map.of()).statusCode() == 200);

        for (String path : List.of("/api/trades/" + id, "/api/trades/" + id + "/transitions",
                "/api/trades/" + id + "/events", "/api/trades/" + id + "?minVersion=1")) {
            assertThat(send("GET", path, bob, null, Map.of()).statusCode()).as(path).isEqualTo(404);
            assertThat(send("GET", path, alice, null, Map.of()).statusCode()).as(path).isEqualTo(200);
        }
        JsonNode bobsList = json(send("GET", "/api/trades", bob, null, Map.of()));
        assertThat(bobsList.get("total").asLong()).isZero();
        JsonNode alicesList = json(send("GET", "/api/trades", alice, null, Map.of()));
        assertThat(alicesList.get("items").findValuesAsText("tradeId")).containsExactly(id);
    }

    @Test
    void aUsernameClaimFullOfSqlNeverReachesTheDatabase() throws Exception {
        String alice = user("alice");
        String id = json(placeTrade(alice, "sqli-1", ORDER)).get("tradeId").asText();
        String hostile = signed("x'); select set_config('app.current_user', '" + alice + "', false); --");
        for (String path : List.of("/api/trades", "/api/trades/" + id, "/api/trades/" + id + "/transitions",
                "/api/trades/" + id + "/events", "/api/settings")) {
            HttpResponse<String> r = HTTP.send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create("http://localhost:" + port + path))
                    .header("Authorization", "Bearer " + hostile).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(path).isEqualTo(401);
            assertThat(r.body()).doesNotContain(alice);
        }
    }

    private static String signed(String subject) throws Exception {
        com.nimbusds.jwt.SignedJWT jwt = new com.nimbusds.jwt.SignedJWT(
                new com.nimbusds.jose.JWSHeader(com.nimbusds.jose.JWSAlgorithm.HS256),
                new com.nimbusds.jwt.JWTClaimsSet.Builder().subject(subject)
                        .expirationTime(new java.util.Date(System.currentTimeMillis() + 600_000)).build());
        jwt.sign(new com.nimbusds.jose.crypto.MACSigner(JWT_SECRET.getBytes()));
        return jwt.serialize();
    }

    @Test
    void listsWithFiltersAndPagingNewestFirst() {
        String carol = user("carol");
        String first = json(placeTrade(carol, "list-1", ORDER)).get("tradeId").asText();
        String second = json(placeTrade(carol, "list-2", ORDER.replace("SPY", "QQQ"))).get("tradeId").asText();
        await().atMost(Duration.ofSeconds(10)).until(() ->
                json(send("GET", "/api/trades", carol, null, Map.of())).get("total").asLong() == 2);

        JsonNode page = json(send("GET", "/api/trades?size=1&page=0", carol, null, Map.of()));
        assertThat(page.get("total").asLong()).isEqualTo(2);
        assertThat(page.get("items").findValuesAsText("tradeId")).containsExactly(second);
        JsonNode bySymbol = json(send("GET", "/api/trades?symbol=SPY&status=PENDING", carol, null, Map.of()));
        assertThat(bySymbol.get("items").findValuesAsText("tradeId")).containsExactly(first);
        assertThat(send("GET", "/api/trades?size=501", carol, null, Map.of()).statusCode()).isEqualTo(400);
        assertThat(send("GET", "/api/trades?status=SLEEPING", carol, null, Map.of()).statusCode()).isEqualTo(400);
    }

    @Test
    void recordsOneTransitionPerStatusChange() {
        String dave = user("dave");
        String id = json(placeTrade(dave, "tr-1", ORDER)).get("tradeId").asText();
        send("POST", "/api/trades/" + id + "/notes", dave, "{\"text\":\"no status change\"}", Map.of());
        // no If-Match: the execution saga records the entry order on the trade meanwhile, which takes a version
        assertThat(send("POST", "/api/trades/" + id + "/cancel", dave, null, Map.of()).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() ->
                json(send("GET", "/api/trades/" + id, dave, null, Map.of())).get("status").asText().equals("CANCELED"));

        JsonNode transitions = json(send("GET", "/api/trades/" + id + "/transitions", dave, null, Map.of()));
        assertThat(transitions.findValuesAsText("to")).containsExactly("PENDING", "CANCELED");
        assertThat(transitions.get(0).get("from").isNull()).isTrue();
        assertThat(transitions.get(1).get("from").asText()).isEqualTo("PENDING");
        assertThat(transitions.get(1).get("actor").asText()).isEqualTo(dave);
        JsonNode trade = json(send("GET", "/api/trades/" + id, dave, null, Map.of()));
        assertThat(trade.get("status").asText()).isEqualTo("CANCELED");
        assertThat(trade.get("closeReason").asText()).isEqualTo("CANCELED");
        assertThat(trade.get("notes").asText()).contains("no status change");
    }
}
