package io.papertrading.app;

import com.fasterxml.jackson.databind.JsonNode;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.RandomGenerator;
import net.jqwik.api.sessions.JqwikSession;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Hostile input against every endpoint of the API, over real HTTP into the shared app: requests generated from
 * a fixed seed (jqwik's generators, so a failure replays) and a fixed corpus of known-bad requests. No answer
 * may be a 5xx; every refusal is problem details with a code; and a refused request writes nothing: neither an
 * event in the user's trade, another user's trade or the trade a refused placement would have made, nor the
 * user's settings row.
 */
class HostileInputIT extends IntegrationTestBase {

    private static final long SEED = 20261130L;
    private static final int GENERATED_REQUESTS = 1200;

    /** Strings that have broken parsers, queries or comparisons somewhere. */
    private static final List<String> NASTY_TEXT = List.of(
            "", " ", "a\u0000b", "\u0000", "\u0007", "\u001B[2J", "\u007F", "\u0085", "\u009B", "\uD800", "\uDC00x",
            "\uFEFF", "\u200B", "\u017FELL", "\u0130", "BUY\u0000", "ＢＵＹ", "buy", "Sell", "SELL ", " BUY",
            "'; drop table paper_trades; --", "' or '1'='1", "\\", "\"", "%00", "%s%s%n", "${jndi:ldap://x/a}",
            "$..*", "$[?(@.username)]", "{{7*7}}", "<script>alert(1)</script>", "../../etc/passwd",
            "AAPL\nGOOG", "x".repeat(3000), "\uD83D\uDCC8".repeat(40), "null", "NaN", "-0", "1e400");
    /** Raw JSON literals of every type, including ones that are not JSON at all. */
    private static final List<String> NASTY_LITERALS = List.of(
            "1.5", "-1", "0", "-0", "1e400", "-1e400", "1e-400", "99999999999999999999", "1.00001", "0.00001",
            "1E+2", "\"5\"", "\"2.15\"", "true", "false", "null", "[]", "{}", "[1]", "[\"BUY\"]", "{\"a\":1}",
            "9".repeat(60), "0x10", "NaN", "Infinity", "'BUY'", "01", "+1", ".5", "1.", "\"\\u0000\"", "\"\\ud800\"");

    private final Random random = new Random(SEED);
    private String alice;
    private String bob;
    private String ownTrade;
    private String othersTrade;

    @BeforeEach
    void twoUsersWithACanceledTradeEach() {
        alice = user("fuzz-alice");
        bob = user("fuzz-bob");
        ownTrade = canceledTrade(alice);
        othersTrade = canceledTrade(bob);
    }

    @Test
    void generatedRequestsToEveryEndpointNeverFailTheServerAndRefusalsWriteNothing() {
        // jqwik's generators outside a property need a session; the values come from our seeded Random
        JqwikSession.start(Long.toString(SEED));
        try {
            generateAndSend();
        } finally {
            JqwikSession.finish();
        }
    }

    private void generateAndSend() {
        List<Supplier<Probe>> endpoints = endpoints();
        int refused = 0;
        int accepted = 0;
        Map<Integer, Integer> byStatus = new java.util.TreeMap<>();
        for (int i = 0; i < GENERATED_REQUESTS; i++) {
            Probe probe = endpoints.get(random.nextInt(endpoints.size())).get();
            Writes before = writes(probe);
            HttpResponse<String> response = probe.send();
            byStatus.merge(response.statusCode(), 1, Integer::sum);
            if (response.statusCode() == 503) {
                // a generated save may switch alice to Tradier, whose shared mock other tests script to fail: the
                // documented answer for a broker that cannot be reached, not a failure of the server
                assertThat(json(response).path("code").asText()).as("%s", probe).isEqualTo("BROKER_UNAVAILABLE");
            } else {
                assertThat(response.statusCode()).as("%s", probe).isLessThan(500);
            }
            if (response.statusCode() >= 400) {
                refused++;
                assertProblem(response, probe);
                assertThat(writes(probe)).as("writes after refused %s", probe).isEqualTo(before);
            } else {
                accepted++;
            }
        }
        System.out.printf("hostile input: %d generated requests, %d refused, %d accepted, by status %s%n",
                GENERATED_REQUESTS, refused, accepted, byStatus);
        assertThat(refused).as("most generated requests are hostile").isGreaterThan(GENERATED_REQUESTS / 2);
    }

    @Test
    void aFixedCorpusOfMalformedRequestsIsRefusedWithProblemDetails() {
        String deepObject = "{\"notes\":" + "{\"a\":".repeat(40) + "1" + "}".repeat(40) + "}";
        String deepArray = "{\"notes\":" + "[".repeat(5000) + "]".repeat(5000) + "}";
        List<String> bodies = new ArrayList<>(List.of("", "{", "}", "{\"symbol\":", "{\"symbol\":\"AAPL\"", "[]", "null",
                "\"AAPL\"", "123", "{}{}", "{\"symbol\":\"AAPL\"} trailing", "{\"symbol\":\"AAPL\",}", "{'symbol':'AAPL'}",
                "{symbol:\"AAPL\"}", "{\"symbol\":\"AAPL\",\"symbol\":\"MSFT\",\"side\":\"BUY\",\"quantity\":1,\"orderType\":\"MARKET\"}",
                deepObject, deepArray, "{\"quantity\":" + "9".repeat(500) + "}", "{\"limitPrice\":1" + "0".repeat(400) + "}",
                "{\"notes\":\"" + "n".repeat(63_000) + "\"}", "\uFEFF{\"symbol\":\"AAPL\"}", "{\"symbol\":\"AAPL\"\u0000}"));
        for (String field : List.of("symbol", "optionSymbol", "side", "orderType", "strategy", "notes")) {
            for (String text : NASTY_TEXT) {
                bodies.add(validOrderWith(field, JSON_STRING.apply(text)));
            }
        }
        for (String field : List.of("quantity", "limitPrice", "stopLoss", "takeProfit")) {
            for (String literal : NASTY_LITERALS) {
                bodies.add(validOrderWith(field, literal));
            }
        }
        int tried = 0;
        for (String body : bodies) {
            String key = "corpus-" + tried++;
            HttpResponse<String> response = send("POST", "/api/trades", alice, body, Map.of("Idempotency-Key", key));
            if (response.statusCode() < 300) {
                continue; // a few corpus entries are valid orders in disguise (e.g. an emoji strategy)
            }
            assertThat(response.statusCode()).as(body.length() > 200 ? body.substring(0, 200) : body).isBetween(400, 499);
            assertProblem(response, "POST /api/trades " + (body.length() > 80 ? body.substring(0, 80) : body));
            assertThat(eventCount(tradeIdFor(alice, key))).isZero();
        }
        // invalid UTF-8, raw bytes no JSON parser should see as text
        for (byte[] bytes : List.of(new byte[]{'{', '"', 's', '"', ':', '"', (byte) 0xC0, (byte) 0x80, '"', '}'},
                new byte[]{(byte) 0xFF, (byte) 0xFE, 0, 0}, new byte[]{'{', '"', 'n', 'o', 't', 'e', 's', '"', ':', '"',
                        (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', '}'})) {
            HttpResponse<String> response = raw("POST", "/api/trades", alice, HttpRequest.BodyPublishers.ofByteArray(bytes),
                    Map.of("Idempotency-Key", "bytes-" + tried++, "Content-Type", "application/json"));
            assertThat(response.statusCode()).isEqualTo(400);
            assertProblem(response, "invalid UTF-8");
        }
        System.out.printf("hostile input: %d corpus bodies refused without a write%n", tried);
    }

    @Test
    void headersMediaTypesAndMethodsAreRefusedWithProblemDetails() {
        String order = "{\"symbol\":\"AAPL\",\"side\":\"BUY\",\"quantity\":1,\"orderType\":\"MARKET\"}";
        record Case(String method, String path, String body, Map<String, String> headers, int status) {
        }
        List<Case> cases = List.of(
                new Case("POST", "/api/trades", order, Map.of("Idempotency-Key", "k".repeat(129)), 400),
                new Case("POST", "/api/trades", order, Map.of("Idempotency-Key", "two words"), 400),
                new Case("POST", "/api/trades", order, Map.of("Idempotency-Key", "h1", "X-Padding", "p".repeat(10_240)), 400),
                new Case("POST", "/api/trades", order, Map.of("Idempotency-Key", "h2", "Content-Type", "text/plain"), 415),
                new Case("POST", "/api/trades", order, Map.of("Idempotency-Key", "h3", "Content-Type", "application/json;charset=bogus"), 415),
                new Case("POST", "/api/trades/" + ownTrade + "/close", null, Map.of("If-Match", "\"abc\""), 400),
                new Case("POST", "/api/trades/" + ownTrade + "/close", null, Map.of("If-Match", "\"99999999999999999999\""), 400),
                new Case("DELETE", "/api/trades", null, Map.of(), 405),
                new Case("GET", "/api/nothing-here", null, Map.of(), 404),
                new Case("GET", "/api/trades/%00", null, Map.of(), 400),
                new Case("GET", "/api/trades/..%2F..%2Fsettings", null, Map.of(), 400),
                new Case("GET", "/api/trades?" + "a=1&".repeat(40), null, Map.of(), 400));
        for (Case c : cases) {
            Map<String, String> headers = new LinkedHashMap<>(c.headers());
            HttpResponse<String> response = raw(c.method(), c.path(), alice,
                    c.body() == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(c.body()),
                    headers);
            assertThat(response.statusCode()).as("%s %s %s", c.method(), c.path(), c.headers().keySet()).isEqualTo(c.status());
            assertProblem(response, c.method() + " " + c.path());
        }
        assertThat(placedEventCount(tradeIdFor(alice, "h1"))).isZero();
        // broken escapes no URI class will build: written by hand on a socket
        for (String target : List.of("/api/trades?size=%", "/api/trades?symbol=%zz", "/api/trades/%", "/api/tr%ades")) {
            String answer = rawSocket("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                    + tokenFor(alice) + "\r\nConnection: close\r\n\r\n");
            assertThat(answer).as(target).startsWith("HTTP/1.1 400").contains("application/problem+json");
        }
    }

    private String rawSocket(String request) {
        try (java.net.Socket socket = new java.net.Socket("localhost", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aBodyOverSixtyFourKilobytesIsRefusedUnreadWhetherDeclaredOrChunked() {
        String big = "{\"symbol\":\"AAPL\",\"side\":\"BUY\",\"quantity\":1,\"orderType\":\"MARKET\",\"notes\":\""
                + "n".repeat(70_000) + "\"}";
        HttpResponse<String> declared = send("POST", "/api/trades", alice, big, Map.of("Idempotency-Key", "big-1"));
        assertThat(declared.statusCode()).isEqualTo(413);
        assertProblem(declared, "declared length");
        byte[] bytes = big.getBytes(StandardCharsets.UTF_8);
        // an input stream of unknown length goes out chunked: the limit must hold while reading too
        HttpResponse<String> chunked = raw("POST", "/api/trades", alice,
                HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes)),
                Map.of("Idempotency-Key", "big-2", "Content-Type", "application/json"));
        assertThat(chunked.statusCode()).isEqualTo(413);
        assertProblem(chunked, "chunked");
        assertThat(placedEventCount(tradeIdFor(alice, "big-1")) + placedEventCount(tradeIdFor(alice, "big-2"))).isZero();
    }

    @Test
    void manyReadersWaitingForAVersionCannotTakeEveryRequestThread() {
        List<CompletableFuture<HttpResponse<String>>> waiting = new ArrayList<>();
        HttpRequest wait = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/trades/" + ownTrade
                        + "?minVersion=999999"))
                .header("Authorization", "Bearer " + tokenFor(alice)).timeout(Duration.ofSeconds(30)).build();
        for (int i = 0; i < 200; i++) {
            waiting.add(HTTP.sendAsync(wait, HttpResponse.BodyHandlers.ofString()));
        }
        // a plain read issued while two hundred readers wait is answered before the first of them gives up
        HttpResponse<String> plain = send("GET", "/api/trades/" + ownTrade, alice, null, Map.of());
        assertThat(plain.statusCode()).isEqualTo(200);
        long stillWaiting = waiting.stream().filter(f -> !f.isDone()).count();
        assertThat(stillWaiting).as("readers still waiting when the plain read was answered").isPositive();
        for (CompletableFuture<HttpResponse<String>> f : waiting) {
            HttpResponse<String> r = f.join();
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(json(r).get("version").asLong()).isLessThan(999_999);
        }
    }

    // ------------------------------------------------------------------------------------------- generation

    private static final java.util.function.Function<String, String> JSON_STRING = s -> {
        try {
            return JSON.writeValueAsString(s);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    };

    /** One request to try, with the trade ids and idempotency key whose writes it must not make if refused. */
    private record Probe(String method, String path, String body, String user, String key, HostileInputIT test) {
        HttpResponse<String> send() {
            Map<String, String> headers = key == null ? Map.of() : Map.of("Idempotency-Key", key);
            return test.send(method, path, user, body, headers);
        }

        @Override
        public String toString() {
            String shown = body == null ? "" : body.length() > 160 ? body.substring(0, 160) + "…" : body;
            return method + " " + path + " " + shown;
        }
    }

    private List<Supplier<Probe>> endpoints() {
        Arbitrary<String> text = Arbitraries.oneOf(
                Arbitraries.of(NASTY_TEXT).map(JSON_STRING),
                Arbitraries.strings().all().ofMaxLength(24).map(JSON_STRING),
                Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(12).map(JSON_STRING));
        Arbitrary<String> literal = Arbitraries.of(NASTY_LITERALS);
        Arbitrary<String> anyValue = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, text), net.jqwik.api.Tuple.of(3, literal));
        Map<String, Arbitrary<String>> order = new LinkedHashMap<>();
        order.put("symbol", Arbitraries.oneOf(Arbitraries.of("\"AAPL\"", "\"MSFT\"", "\"BRK.B\""), anyValue));
        order.put("optionSymbol", Arbitraries.oneOf(Arbitraries.of("\"AAPL261218C00200000\"", "\"AAPL200101C00200000\""), anyValue));
        order.put("side", Arbitraries.oneOf(Arbitraries.of("\"BUY\"", "\"SELL\""), anyValue));
        order.put("quantity", Arbitraries.oneOf(Arbitraries.integers().between(-5, 20_000).map(String::valueOf), anyValue));
        order.put("orderType", Arbitraries.oneOf(Arbitraries.of("\"MARKET\"", "\"LIMIT\""), anyValue));
        order.put("limitPrice", Arbitraries.oneOf(Arbitraries.of("1.05", "190.5", "0.0001"), anyValue));
        order.put("stopLoss", Arbitraries.oneOf(Arbitraries.of("1.00", "150"), anyValue));
        order.put("takeProfit", Arbitraries.oneOf(Arbitraries.of("2.00", "250"), anyValue));
        order.put("strategy", anyValue);
        order.put("notes", anyValue);
        Map<String, Arbitrary<String>> risk = Map.of(
                "maxOpenTrades", Arbitraries.oneOf(Arbitraries.integers().between(-2, 20_000).map(String::valueOf), anyValue),
                "maxPositionCost", Arbitraries.oneOf(Arbitraries.of("1000", "0.00001", "999999999.9999"), anyValue),
                "defaultStopLossPct", anyValue, "defaultTakeProfitPct", anyValue);
        Map<String, Arbitrary<String>> broker = Map.of(
                "broker", Arbitraries.oneOf(Arbitraries.of("\"SIMULATED\"", "\"TRADIER\"", "\"tradier\""), anyValue),
                "environment", Arbitraries.oneOf(Arbitraries.of("\"SANDBOX\"", "\"LIVE\""), anyValue),
                "accountId", anyValue, "token", anyValue);
        Map<String, Arbitrary<String>> brackets = Map.of("stopLoss", anyValue, "takeProfit", anyValue);
        Map<String, Arbitrary<String>> note = Map.of("text", anyValue);
        Map<String, Arbitrary<String>> close = Map.of("reason", Arbitraries.oneOf(Arbitraries.of("\"MANUAL\""), anyValue));
        Arbitrary<String> queryValue = Arbitraries.oneOf(
                Arbitraries.of(NASTY_TEXT).map(s -> URLEncoder.encode(s, StandardCharsets.UTF_8)),
                Arbitraries.of("OPEN", "OPEN,CLOSED", "open", "2026-01-01", "+999999999-12-31", "-999999999-01-01",
                        "2026-02-30", "99999999999", "-1", "0", "500", "501", "%00", "%C0%80", "%FF", "%E2%80%AE",
                        "2026-02-19T14:30:00Z", "9999-12-31T23:59:59Z", "AAPL", "AAPL261218C00200000"));
        Arbitrary<String> id = Arbitraries.oneOf(Arbitraries.of(ownTrade, othersTrade),
                Arbitraries.of("x", "..", "%2e%2e", "a%20b", "x".repeat(300), "'%20or%201=1--", "%E2%80%AE", "null"),
                Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(40));

        List<Supplier<Probe>> endpoints = new ArrayList<>();
        endpoints.add(() -> new Probe("POST", "/api/trades", object(order), alice, "gen-" + random.nextLong(), this));
        endpoints.add(() -> new Probe("POST", "/api/trades", object(order), alice, "gen-" + random.nextLong(), this));
        endpoints.add(() -> new Probe("POST", "/api/trades/" + sample(id) + "/close", object(close), alice, null, this));
        endpoints.add(() -> new Probe("POST", "/api/trades/" + sample(id) + "/cancel", null, alice, null, this));
        endpoints.add(() -> new Probe("PUT", "/api/trades/" + sample(id) + "/brackets", object(brackets), alice, null, this));
        endpoints.add(() -> new Probe("POST", "/api/trades/" + sample(id) + "/notes", object(note), alice, null, this));
        endpoints.add(() -> new Probe("PUT", "/api/settings/risk", object(risk), alice, null, this));
        endpoints.add(() -> new Probe("PUT", "/api/settings/broker", object(broker), alice, null, this));
        endpoints.add(() -> new Probe("POST", "/api/auth/dev-token", object(Map.of(
                "username", anyValue, "roles", Arbitraries.oneOf(literal, Arbitraries.of("[\"admin\"]", "[\"x\",1]"))))
                , null, null, this));
        endpoints.add(() -> new Probe("GET", "/api/trades" + query(queryValue, "status", "symbol", "strategy", "from",
                "to", "page", "size"), null, alice, null, this));
        // ?minVersion waits up to 5 s by design (bounded: see the readers test), so it is left out here
        endpoints.add(() -> new Probe("GET", "/api/trades/" + sample(id) + query(queryValue, "asOf"), null,
                alice, null, this));
        endpoints.add(() -> new Probe("GET", "/api/trades/" + sample(id) + "/transitions", null, alice, null, this));
        endpoints.add(() -> new Probe("GET", "/api/trades/" + sample(id) + "/events", null, alice, null, this));
        endpoints.add(() -> new Probe("GET", "/api/trades/" + sample(id) + "/snapshots" + query(queryValue, "from", "to",
                "limit"), null, alice, null, this));
        endpoints.add(() -> new Probe("GET", "/api/portfolio" + query(queryValue, "asOf", "strategy"), null, alice, null, this));
        endpoints.add(() -> new Probe("GET", "/api/analytics/equity-curve" + query(queryValue, "from", "to"), null, alice,
                null, this));
        endpoints.add(() -> new Probe("GET", "/api/analytics/excursions" + query(queryValue, "from", "to", "strategy"),
                null, alice, null, this));
        endpoints.add(() -> new Probe("GET", "/api/market/quotes" + query(queryValue, "symbols"), null, alice, null, this));
        endpoints.add(() -> new Probe("GET", "/api/market/expirations" + query(queryValue, "symbol"), null, alice, null, this));
        endpoints.add(() -> new Probe("GET", "/api/market/chains" + query(queryValue, "symbol", "expiration"), null, alice,
                null, this));
        endpoints.add(() -> new Probe("POST", "/api/admin/projections/" + sample(id) + "/replay", null, alice, null, this));
        return endpoints;
    }

    private final Map<Arbitrary<?>, RandomGenerator<?>> generators = new java.util.IdentityHashMap<>();

    /** A value from the arbitrary, drawn with the test's seeded Random (a generator is built once per arbitrary). */
    @SuppressWarnings("unchecked")
    private <T> T sample(Arbitrary<T> arbitrary) {
        RandomGenerator<T> generator = (RandomGenerator<T>) generators.computeIfAbsent(arbitrary, a -> a.generator(1000));
        return generator.next(random).value();
    }

    /** A JSON object of a random subset of the fields, now and then with an unknown or a repeated field. */
    private String object(Map<String, Arbitrary<String>> fields) {
        StringBuilder json = new StringBuilder("{");
        List<String> members = new ArrayList<>();
        for (Map.Entry<String, Arbitrary<String>> field : fields.entrySet()) {
            if (random.nextInt(4) > 0) {
                members.add(JSON_STRING.apply(field.getKey()) + ":" + sample(field.getValue()));
            }
        }
        if (random.nextInt(10) == 0) {
            members.add("\"username\":\"someone-else\"");
        }
        if (random.nextInt(10) == 0 && !members.isEmpty()) {
            members.add(members.get(random.nextInt(members.size())));
        }
        json.append(String.join(",", members)).append('}');
        return json.toString();
    }

    private String query(Arbitrary<String> values, String... names) {
        List<String> pairs = new ArrayList<>();
        for (String name : names) {
            if (random.nextBoolean()) {
                pairs.add(name + "=" + sample(values));
            }
        }
        return pairs.isEmpty() ? "" : "?" + String.join("&", pairs);
    }

    private static String validOrderWith(String field, String value) {
        Map<String, String> members = new LinkedHashMap<>();
        members.put("symbol", "\"AAPL\"");
        members.put("side", "\"BUY\"");
        members.put("quantity", "1");
        members.put("orderType", "\"LIMIT\"");
        members.put("limitPrice", "1.05");
        members.put(field, value);
        StringBuilder json = new StringBuilder("{");
        members.forEach((k, v) -> json.append(json.length() > 1 ? "," : "").append('"').append(k).append("\":").append(v));
        return json.append('}').toString();
    }

    // ------------------------------------------------------------------------------------------- checks

    /** What a request could have written: both users' trades, the trade its key would make, the settings rows. */
    private record Writes(int ownEvents, int othersEvents, int placed, String settings) {
    }

    private Writes writes(Probe probe) {
        String placing = probe.key() == null ? "" : tradeIdFor(alice, probe.key());
        return ownerJdbc.queryForObject("""
                select (select count(*) from domain_event_entry where aggregate_identifier = ?) as own,
                       (select count(*) from domain_event_entry where aggregate_identifier = ?) as others,
                       (select count(*) from domain_event_entry where aggregate_identifier = ?) as placed,
                       (select coalesce(string_agg(to_jsonb(s)::text, ',' order by username), '')
                        from user_settings s where username in (?, ?)) as settings""",
                (rs, n) -> new Writes(rs.getInt("own"), rs.getInt("others"), rs.getInt("placed"), rs.getString("settings")),
                ownTrade, othersTrade, placing, alice, bob);
    }

    private static void assertProblem(HttpResponse<String> response, Object what) {
        assertThat(response.headers().firstValue("Content-Type").orElse(""))
                .as("content type of %s", what).startsWith("application/problem+json");
        JsonNode problem = json(response);
        assertThat(problem.get("status").asInt()).as("%s", what).isEqualTo(response.statusCode());
        assertThat(problem.path("code").asText()).as("code of %s", what).isNotBlank();
        assertThat(response.body()).as("%s", what).doesNotContain("Exception", "at io.", "org.postgresql", "SQL");
    }

    private HttpResponse<String> raw(String method, String path, String username, HttpRequest.BodyPublisher body,
                                     Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).method(method, body);
        if (username != null) {
            b.header("Authorization", "Bearer " + tokenFor(username));
        }
        if (!headers.containsKey("Content-Type") && !method.equals("GET") && !method.equals("DELETE")) {
            b.header("Content-Type", "application/json");
        }
        headers.forEach(b::header);
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private String canceledTrade(String username) {
        HttpResponse<String> placed = placeTrade(username, "resting", """
                {"symbol":"AAPL","side":"BUY","quantity":1,"orderType":"LIMIT","limitPrice":1.05}""");
        assertThat(placed.statusCode()).isEqualTo(202);
        String id = json(placed).get("tradeId").asText();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            send("POST", "/api/trades/" + id + "/cancel", username, null, Map.of());
            HttpResponse<String> trade = send("GET", "/api/trades/" + id, username, null, Map.of());
            return trade.statusCode() == 200 && json(trade).get("status").asText().equals("CANCELED");
        });
        // a canceled trade's stream is final: any event in it from now on came from a request
        int events = eventCount(id);
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(10)).until(() -> eventCount(id) == events);
        return id;
    }
}
