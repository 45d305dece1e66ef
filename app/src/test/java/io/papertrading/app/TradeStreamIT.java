package io.papertrading.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.papertrading.app.support.SseClient;
import io.papertrading.migrations.TestDatabase;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code GET /api/stream} against the running app and its PostgreSQL: the user's own trades and portfolio only,
 * resumption with {@code Last-Event-ID} that misses no change (also one whose transaction commits late), and
 * its refusals.
 */
class TradeStreamIT extends IntegrationTestBase {

    private static final String MARKET = """
            {"symbol":"SPY","side":"BUY","quantity":3,"orderType":"MARKET","strategy":"stream"}""";
    /** Far below the market: rests until canceled. */
    private static final String RESTING = """
            {"symbol":"SPY","side":"BUY","quantity":1,"orderType":"LIMIT","limitPrice":1.25}""";

    @Test
    void streamsTheUsersOwnTradeFromPlacementToOpenAndNothingOfAnotherUsers() {
        String alice = user("alice");
        String bob = user("bob");
        try (SseClient aliceStream = open(alice, null); SseClient bobStream = open(bob, null)) {
            assertThat(aliceStream.status()).isEqualTo(200);
            assertThat(aliceStream.header("Content-Type")).startsWith("text/event-stream");
            await().atMost(Duration.ofSeconds(5)).until(() -> !aliceStream.events("ready").isEmpty()
                    && !bobStream.events("ready").isEmpty());

            String id = json(placeTrade(alice, "stream-1", MARKET)).get("tradeId").asText();

            await().atMost(Duration.ofSeconds(20)).until(() -> latest(aliceStream).containsKey(id)
                    && "OPEN".equals(latest(aliceStream).get(id).get("status").asText()));
            JsonNode open = latest(aliceStream).get(id);
            JsonNode rest = json(send("GET", "/api/trades/" + id, alice, null, Map.of()));
            assertThat(open.get("version").asLong()).isEqualTo(rest.get("version").asLong());
            assertThat(open.get("filledQuantity").asInt()).isEqualTo(3);
            assertThat(open.get("entryPrice").decimalValue()).isEqualByComparingTo(rest.get("entryPrice").decimalValue());
            // the status went PENDING → OPEN: each state arrives, in order of version
            List<Long> versions = aliceStream.events("trade").stream().map(e -> parse(e.data()))
                    .filter(t -> t.get("tradeId").asText().equals(id)).map(t -> t.get("version").asLong()).toList();
            assertThat(versions).isSorted();
            await().atMost(Duration.ofSeconds(10)).until(() -> aliceStream.events("portfolio").stream()
                    .anyMatch(e -> parse(e.data()).get("openTrades").asInt() == 1));

            assertThat(bobStream.events("trade")).isEmpty();
            assertThat(bobStream.events("portfolio")).allSatisfy(e ->
                    assertThat(parse(e.data()).get("openTrades").asInt()).isZero());
            await().atMost(Duration.ofSeconds(5)).until(() -> bobStream.comments() >= 1);
        }
    }

    @Test
    void aClientThatReconnectsWithItsLastEventIdMissesNoChange() {
        String carol = user("carol");
        String untouched = json(placeTrade(carol, "resume-0", RESTING)).get("tradeId").asText();
        String cancelLater = json(placeTrade(carol, "resume-1", RESTING)).get("tradeId").asText();
        awaitVersionAtLeast(carol, untouched, 2);
        awaitVersionAtLeast(carol, cancelLater, 2);
        assertThat(send("POST", "/api/trades/" + untouched + "/cancel", carol, null, Map.of()).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> "CANCELED".equals(rest(carol, untouched).get("status").asText()));
        long settled = rest(carol, untouched).get("version").asLong();
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
                .until(() -> rest(carol, untouched).get("version").asLong() == settled);

        Map<String, JsonNode> seen = new HashMap<>();
        String lastId;
        try (SseClient first = open(carol, null)) {
            await().atMost(Duration.ofSeconds(5)).until(() -> !first.events("ready").isEmpty());
            lastId = first.lastEventId();
        }

        // while no stream is open: a new trade opens, another is canceled
        String placedWhileAway = json(placeTrade(carol, "resume-2", MARKET)).get("tradeId").asText();
        await().atMost(Duration.ofSeconds(20)).until(() -> "OPEN".equals(rest(carol, placedWhileAway).get("status").asText()));
        assertThat(send("POST", "/api/trades/" + cancelLater + "/cancel", carol, null, Map.of()).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> "CANCELED".equals(rest(carol, cancelLater).get("status").asText()));

        try (SseClient resumed = open(carol, lastId)) {
            assertThat(resumed.status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                Map<String, JsonNode> got = latest(resumed);
                return got.containsKey(placedWhileAway) && got.containsKey(cancelLater)
                        && got.get(placedWhileAway).get("version").asLong() == rest(carol, placedWhileAway).get("version").asLong()
                        && got.get(cancelLater).get("version").asLong() == rest(carol, cancelLater).get("version").asLong();
            });
            seen.putAll(latest(resumed));
            assertThat(seen.get(cancelLater).get("status").asText()).isEqualTo("CANCELED");
            assertThat(seen.get(placedWhileAway).get("status").asText()).isEqualTo("OPEN");
            // a resume, not a full resend: the trade that did not change since is not sent again
            assertThat(seen).doesNotContainKey(untouched);
            // the resumed stream starts where the client left off, not at the start of all time
            assertThat(Long.parseLong(resumed.events("ready").get(0).id())).isEqualTo(Long.parseLong(lastId));
        }

        // a client can always ask for everything with id 0
        try (SseClient everything = open(carol, "0")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> latest(everything).keySet()
                    .containsAll(List.of(untouched, cancelLater, placedWhileAway)));
        }
    }

    @Test
    void aChangeWhoseTransactionCommitsAfterANewerOneIsStillDelivered() throws Exception {
        String dave = user("dave");
        String first = json(placeTrade(dave, "late-1", RESTING)).get("tradeId").asText();
        String second = json(placeTrade(dave, "late-2", RESTING)).get("tradeId").asText();
        awaitVersionAtLeast(dave, first, 2);
        awaitVersionAtLeast(dave, second, 2);

        try (SseClient stream = open(dave, null);
             Connection older = TestDatabase.get().owner().getConnection()) {
            await().atMost(Duration.ofSeconds(5)).until(() -> !stream.events("ready").isEmpty());
            // an older transaction writes the first trade's row and stays open...
            older.setAutoCommit(false);
            long olderTx;
            try (Statement s = older.createStatement()) {
                s.executeUpdate("update paper_trades set notes = 'written first, committed last' where id = '" + first + "'");
                try (ResultSet rs = s.executeQuery("select pg_current_xact_id()::text::bigint")) {
                    rs.next();
                    olderTx = rs.getLong(1);
                }
            }
            // ...while a newer one commits the second trade's row
            ownerJdbc.update("update paper_trades set notes = 'written last, committed first' where id = ?", second);
            await().atMost(Duration.ofSeconds(5)).during(Duration.ofMillis(500)).until(() ->
                    // nothing may be acknowledged past the open transaction, or its row would be skipped
                    stream.lastEventId() == null || Long.parseLong(stream.lastEventId()) <= olderTx);
            older.commit();

            await().atMost(Duration.ofSeconds(5)).until(() -> {
                Map<String, JsonNode> got = latest(stream);
                return got.containsKey(first) && got.containsKey(second)
                        && "written first, committed last".equals(got.get(first).get("notes").asText())
                        && "written last, committed first".equals(got.get(second).get("notes").asText());
            });
        } finally {
            restoreNotes(first, second);
        }
    }

    @Test
    void aNewerRowHeldBackByAnOpenTransactionThatNotifiesNobodyArrivesWhenItEnds() throws Exception {
        String erin = user("erin");
        String id = json(placeTrade(erin, "held-1", RESTING)).get("tradeId").asText();
        awaitVersionAtLeast(erin, id, 2);
        try (SseClient stream = open(erin, null);
             Connection unrelated = TestDatabase.get().owner().getConnection()) {
            await().atMost(Duration.ofSeconds(5)).until(() -> !stream.events("ready").isEmpty());
            unrelated.setAutoCommit(false);
            try (Statement s = unrelated.createStatement()) {
                s.executeQuery("select pg_current_xact_id()").close();
            }
            ownerJdbc.update("update paper_trades set notes = 'held back' where id = ?", id);
            // its end notifies no one: the stream looks again by itself (in well under its 30 s resync)
            unrelated.rollback();
            await().atMost(Duration.ofSeconds(5)).until(() -> latest(stream).containsKey(id)
                    && "held back".equals(latest(stream).get(id).get("notes").asText()));
        } finally {
            restoreNotes(id);
        }
    }

    /**
     * Takes back the notes these tests wrote past the events (to control which transaction writes a row): the
     * shared read model must stay what the event store says, or the replay tests would find a difference.
     */
    private static void restoreNotes(String... ids) {
        for (String id : ids) {
            ownerJdbc.update("update paper_trades set notes = null where id = ?", id);
        }
    }

    @Test
    void refusesStreamsWithoutATokenWithABadEventIdOrBeyondTheUsersLimit() {
        String frank = user("frank");
        try (SseClient anonymous = open(null, null)) {
            assertThat(anonymous.status()).isEqualTo(401);
        }
        try (SseClient bad = open(frank, "12abc")) {
            assertThat(bad.status()).isEqualTo(400);
            JsonNode problem = parse(bad.errorBody());
            assertThat(problem.get("code").asText()).isEqualTo("VALIDATION_FAILED");
            assertThat(problem.get("errors").get(0).get("field").asText()).isEqualTo("Last-Event-ID");
        }
        List<SseClient> streams = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                streams.add(open(frank, null));
                assertThat(streams.get(i).status()).isEqualTo(200);
            }
            try (SseClient fifth = open(frank, null)) {
                assertThat(fifth.status()).isEqualTo(429);
                assertThat(parse(fifth.errorBody()).get("code").asText()).isEqualTo("TOO_MANY_STREAMS");
            }
        } finally {
            streams.forEach(SseClient::close);
        }
        // closed streams free their places
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            try (SseClient again = open(frank, null)) {
                return again.status() == 200;
            }
        });
    }

    @Test
    void isDescribedInTheOpenApiDocument() {
        JsonNode stream = json(send("GET", "/v3/api-docs", null, null, Map.of())).path("paths").path("/api/stream").path("get");
        assertThat(stream.path("responses").path("200").path("content").has("text/event-stream")).isTrue();
        assertThat(stream.path("description").asText()).contains("Last-Event-ID", "portfolio", "version");
        assertThat(stream.path("responses").has("429")).isTrue();
    }

    private SseClient open(String username, String lastEventId) {
        return SseClient.open(HTTP, "http://localhost:" + port + "/api/stream",
                username == null ? null : tokenFor(username), lastEventId);
    }

    private JsonNode rest(String username, String id) {
        return json(send("GET", "/api/trades/" + id, username, null, Map.of()));
    }

    private void awaitVersionAtLeast(String username, String id, long version) {
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> rest(username, id).get("version").asLong() >= version);
    }

    /** What a client holds after folding the stream: per trade, the message with the highest version (later wins ties). */
    private static Map<String, JsonNode> latest(SseClient stream) {
        Map<String, JsonNode> held = new HashMap<>();
        for (SseClient.Event e : stream.events("trade")) {
            JsonNode t = parse(e.data());
            held.merge(t.get("tradeId").asText(), t,
                    (old, now) -> now.get("version").asLong() >= old.get("version").asLong() ? now : old);
        }
        return held;
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException("not JSON: " + json, e);
        }
    }
}
