package io.papertrading.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.papertrading.query.admin.ProjectionRebuilds;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ReplayIT extends IntegrationTestBase {

    private static final String TRADES = "select id, username, symbol, option_symbol, status, close_reason, quantity, "
            + "filled_quantity, entry_price, exit_price, realized_pnl, stop_loss, take_profit, notes, version, "
            + "created_at, updated_at, trade_context::text from paper_trades order by id";
    private static final String TRANSITIONS = "select trade_id, username, from_status, to_status, reason, actor, "
            + "occurred_at, event_id, version from state_transitions order by event_id";
    private static final String SNAPSHOTS = "select trade_id, username, at, bid, ask, last, mark from price_snapshots order by trade_id, at";
    private static final String SETTINGS = "select * from user_settings order by username";

    @Test
    void rebuildsTheReadModelRowForRowFromTheEventStore() {
        String erin = user("erin");
        String id = json(placeTrade(erin, "replay-1", """
                {"symbol":"AAPL","side":"SELL","quantity":3,"orderType":"LIMIT","limitPrice":190.5}""")).get("tradeId").asText();
        send("POST", "/api/trades/" + id + "/notes", erin, "{\"text\":\"before replay\"}", Map.of());
        send("POST", "/api/trades/" + id + "/cancel", erin, null, Map.of());
        // the broker's confirmation ends the trade a moment later
        await().atMost(Duration.ofSeconds(10)).until(() ->
                json(send("GET", "/api/trades/" + id, erin, null, Map.of())).get("status").asText().equals("CANCELED"));
        awaitCaughtUp(erin);

        List<Map<String, Object>> trades = ownerJdbc.queryForList(TRADES);
        List<Map<String, Object>> transitions = ownerJdbc.queryForList(TRANSITIONS);
        List<Map<String, Object>> snapshots = ownerJdbc.queryForList(SNAPSHOTS);
        List<Map<String, Object>> settings = ownerJdbc.queryForList(SETTINGS);
        assertThat(trades).isNotEmpty();

        HttpResponse<String> replay = send("POST", "/api/admin/projections/trades/replay", erin, null, Map.of());
        assertThat(replay.statusCode()).isEqualTo(202);
        awaitCaughtUp(erin);

        assertThat(ownerJdbc.queryForList(TRADES)).isEqualTo(trades);
        assertThat(ownerJdbc.queryForList(TRANSITIONS)).isEqualTo(transitions);
        assertThat(ownerJdbc.queryForList(SNAPSHOTS)).isEqualTo(snapshots);
        assertThat(ownerJdbc.queryForList(SETTINGS)).isEqualTo(settings);
    }

    @Test
    void listsProjectionsWithPositionHeadAndLag() {
        String admin = user("admin");
        JsonNode list = json(send("GET", "/api/admin/projections", admin, null, Map.of()));
        JsonNode trades = null;
        for (JsonNode p : list) {
            if (p.get("name").asText().equals("trades")) {
                trades = p;
            }
        }
        assertThat(trades).isNotNull();
        assertThat(trades.get("head").asLong()).isGreaterThanOrEqualTo(trades.get("position").asLong());
        assertThat(trades.get("lag").asLong()).isEqualTo(trades.get("head").asLong() - trades.get("position").asLong());
        assertThat(send("POST", "/api/admin/projections/nope/replay", admin, null, Map.of()).statusCode()).isEqualTo(404);
    }

    @Test
    void refusesToReplayWhatActsOnEventsAndLeavesItRunning() {
        String admin = user("admin");
        List<String> listed = new java.util.ArrayList<>();
        json(send("GET", "/api/admin/projections", admin, null, Map.of())).forEach(p -> listed.add(p.get("name").asText()));
        assertThat(listed).containsExactlyInAnyOrder("trades", "analytics-portfolio");
        for (String processor : List.of("TradeExecutionSagaProcessor", "price-monitor")) {
            HttpResponse<String> replay = send("POST", "/api/admin/projections/" + processor + "/replay", admin, null, Map.of());
            assertThat(replay.statusCode()).as(processor).isEqualTo(409);
            assertThat(json(replay).get("code").asText()).isEqualTo("OPERATION_CONFLICT");
            assertThat(processing.eventProcessor(processor).orElseThrow().isRunning()).as(processor).isTrue();
        }
        // and the saga still trades: a market order placed after the refused replay opens
        String trader = user("trader");
        String id = json(placeTrade(trader, "after-refused-replay", """
                {"symbol":"AAPL","side":"BUY","quantity":1,"orderType":"MARKET"}""")).get("tradeId").asText();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            HttpResponse<String> trade = send("GET", "/api/trades/" + id, trader, null, Map.of());
            return trade.statusCode() == 200 && json(trade).get("status").asText().equals("OPEN");
        });
    }

    @Test
    void aSecondReplayWhileOneRunsIsRefusedAndBothLeaveTheProjectionRunning() throws Exception {
        String admin = user("admin");
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<Integer>> replays = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                replays.add(pool.submit(() -> send("POST", "/api/admin/projections/analytics-portfolio/replay", admin,
                        null, Map.of()).statusCode()));
            }
            List<Integer> statuses = new java.util.ArrayList<>();
            for (java.util.concurrent.Future<Integer> f : replays) {
                statuses.add(f.get());
            }
            assertThat(statuses).contains(202).allMatch(s -> s == 202 || s == 409);
        } finally {
            pool.shutdown();
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> !replaying(admin, "analytics-portfolio"));
        assertThat(processing.eventProcessor("analytics-portfolio").orElseThrow().isRunning()).isTrue();
    }

    @Test
    void refusesAReplayWhileAnotherNodeHoldsASegmentAndKeepsRunning() {
        String admin = user("admin");
        int segments = ownerJdbc.queryForObject(
                "select count(*) from token_entry where processor_name = 'analytics-portfolio'", Integer.class);
        assertThat(placeTrade(user("held-elsewhere"), "held-1", """
                {"symbol":"AAPL","side":"BUY","quantity":1,"orderType":"LIMIT","limitPrice":1.00}""").statusCode())
                .isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            JsonNode p = listed(admin, "analytics-portfolio");
            return p.get("position").asLong() > 0 && p.get("lag").asLong() == 0;
        });
        // another node's claim, as it would write it: the local processor gives the segment up on its next check
        ownerJdbc.update("update token_entry set owner = 'other-node@elsewhere', timestamp = ? "
                + "where processor_name = 'analytics-portfolio' and segment = 0", java.time.Instant.now().plusSeconds(30).toString());
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> analyticsSegmentsHere() < segments);
            if (analyticsSegmentsHere() == 0) {
                // no segment here: the listing tells where the nodes holding them have stored their tokens (the
                // placed trade's events at least; a token moves past events the projection ignores lazily), not 0
                JsonNode listed = listed(admin, "analytics-portfolio");
                assertThat(listed.get("position").asLong()).isPositive()
                        .isLessThanOrEqualTo(listed.get("head").asLong());
            }
            HttpResponse<String> replay = send("POST", "/api/admin/projections/analytics-portfolio/replay", admin, null, Map.of());
            assertThat(replay.statusCode()).isEqualTo(409);
            assertThat(json(replay).get("detail").asText()).contains("another node");
            assertThat(processing.eventProcessor("analytics-portfolio").orElseThrow().isRunning()).isTrue();
        } finally {
            ownerJdbc.update("update token_entry set owner = null where processor_name = 'analytics-portfolio' "
                    + "and owner = 'other-node@elsewhere'");
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> analyticsSegmentsHere() == segments);
    }

    private int analyticsSegmentsHere() {
        return ((org.axonframework.eventhandling.StreamingEventProcessor)
                processing.eventProcessor("analytics-portfolio").orElseThrow()).processingStatus().size();
    }

    @Test
    void whileTheTradesAreRebuiltTheApiAnswersFromTheOldTablesAndWhatComesMeanwhileIsInTheResult() throws Exception {
        String erin = user("erin");
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(json(placeTrade(erin, "during-" + i, RESTING)).get("tradeId").asText());
        }
        awaitProjected(ids);
        long tableBefore = tableOid();
        Gates gates = new Gates();
        rebuilds.onStage(gates::hold);
        String late;
        try {
            HttpResponse<String> replay = send("POST", "/api/admin/projections/trades/replay", erin, null, Map.of());
            assertThat(replay.statusCode()).isEqualTo(202);
            assertThat(json(replay).get("replaying").asBoolean()).isTrue();
            assertThat(gates.atStart.await(30, TimeUnit.SECONDS)).isTrue();

            // the shadow tables are empty now: the API answers from the live ones, and a second replay is refused
            assertThat(json(send("GET", "/api/trades", erin, null, Map.of())).get("total").asLong()).isEqualTo(3);
            assertThat(replaying(erin, "trades")).isTrue();
            assertThat(send("POST", "/api/admin/projections/trades/replay", erin, null, Map.of()).statusCode())
                    .isEqualTo(409);
            gates.goOn.countDown();
            assertThat(gates.atLoaded.await(60, TimeUnit.SECONDS)).isTrue();

            // the load is done; what happens now is after its head: the live tables still follow it
            late = json(placeTrade(erin, "during-late", RESTING)).get("tradeId").asText();
            assertThat(send("POST", "/api/trades/" + ids.get(0) + "/notes", erin, "{\"text\":\"during the rebuild\"}",
                    Map.of()).statusCode()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    send("GET", "/api/trades/" + late, erin, null, Map.of()).statusCode() == 200);
            assertThat(json(send("GET", "/api/trades", erin, null, Map.of())).get("total").asLong()).isEqualTo(4);
            assertThat(replaying(erin, "trades")).isTrue();
        } finally {
            gates.goOn.countDown();
            gates.finish.countDown();
            rebuilds.onStage(null);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> !replaying(erin, "trades"));
        assertThat(tradesProcessor().isRunning()).isTrue();
        assertThat(tableOid()).as("the rebuilt table is the live one").isNotEqualTo(tableBefore);
        List<String> all = new java.util.ArrayList<>(ids);
        all.add(late);
        awaitProjected(all);
        JsonNode noted = json(send("GET", "/api/trades/" + ids.get(0), erin, null, Map.of()));
        assertThat(noted.get("notes").asText()).endsWith("during the rebuild");
        assertThat(json(send("GET", "/api/trades", erin, null, Map.of())).get("total").asLong()).isEqualTo(4);
        // the processor goes on from where the rebuild got
        String after = json(placeTrade(erin, "after-rebuild", RESTING)).get("tradeId").asText();
        awaitProjected(List.of(after));
        JsonNode listed = json(send("GET", "/api/admin/projections", erin, null, Map.of()));
        listed.forEach(p -> {
            if (p.get("name").asText().equals("trades")) {
                assertThat(p.get("progress").asDouble()).isEqualTo(1.0);
            }
        });
    }

    @Test
    void aTradesRebuildThatFailsLeavesTheTablesAsTheyWereAndTheProjectionRunning() throws Exception {
        String finn = user("finn");
        String id = json(placeTrade(finn, "fail-1", RESTING)).get("tradeId").asText();
        awaitResting(List.of(id));
        String mine = " where username = '" + finn + "'";
        for (ProjectionRebuilds.Stage failAt : List.of(ProjectionRebuilds.Stage.LOADED,
                ProjectionRebuilds.Stage.SWITCHING, ProjectionRebuilds.Stage.SWITCHED)) {
            long table = tableOid();
            List<Map<String, Object>> trades = ownerJdbc.queryForList(TRADES.replace(" order by", mine + " order by"));
            List<Map<String, Object>> transitions = ownerJdbc.queryForList(
                    TRANSITIONS.replace(" order by", mine + " order by"));
            rebuilds.onStage(stage -> {
                if (stage == failAt) {
                    throw new IllegalStateException("a failure at " + stage);
                }
            });
            try {
                assertThat(send("POST", "/api/admin/projections/trades/replay", finn, null, Map.of()).statusCode())
                        .isEqualTo(202);
                await().atMost(Duration.ofSeconds(60)).until(() -> !replaying(finn, "trades"));
            } finally {
                rebuilds.onStage(null);
            }
            assertThat(tableOid()).as(failAt.name()).isEqualTo(table);
            assertThat(ownerJdbc.queryForList(TRADES.replace(" order by", mine + " order by"))).as(failAt.name())
                    .isEqualTo(trades);
            assertThat(ownerJdbc.queryForList(TRANSITIONS.replace(" order by", mine + " order by"))).isEqualTo(transitions);
            assertThat(ownerJdbc.queryForObject("select count(*) from paper_trades_rebuild", Long.class)).isZero();
            await().atMost(Duration.ofSeconds(30)).until(() -> tradesProcessor().isRunning());
            assertThat(json(send("GET", "/api/trades", finn, null, Map.of())).get("total").asLong()).isEqualTo(1);
        }
        // and it runs on: a note is projected
        assertThat(send("POST", "/api/trades/" + id + "/notes", finn, "{\"text\":\"still projected\"}", Map.of())
                .statusCode()).isEqualTo(202);
        awaitProjected(List.of(id));
        assertThat(json(send("GET", "/api/trades/" + id, finn, null, Map.of())).get("notes").asText())
                .endsWith("still projected");
    }

    @Test
    void whileAnalyticsAreRebuiltThePortfolioAnswersFromTheOldTablesAndTheResultEqualsWhatTheLiveProjectionBuilt()
            throws Exception {
        String gina = user("gina");
        String won = json(placeTrade(gina, "analytics-1", MARKET)).get("tradeId").asText();
        String resting = json(placeTrade(gina, "analytics-2", RESTING)).get("tradeId").asText();
        awaitAnalytics(won, "OPEN");
        assertThat(send("POST", "/api/trades/" + won + "/close", gina, null, Map.of()).statusCode()).isEqualTo(202);
        awaitResting(List.of(resting));
        assertThat(send("POST", "/api/trades/" + resting + "/cancel", gina, null, Map.of()).statusCode()).isEqualTo(202);
        awaitAnalytics(won, "CLOSED");
        awaitAnalytics(resting, "CANCELED");
        Map<String, List<Map<String, Object>>> before = analytics(gina);
        JsonNode portfolio = json(send("GET", "/api/portfolio", gina, null, Map.of()));
        assertThat(portfolio.get("closedTrades").asInt()).isEqualTo(1);
        long tableBefore = tableOid("analytics_strategy_stats");
        Gates gates = new Gates();
        rebuilds.onStage(gates::hold);
        String late;
        try {
            HttpResponse<String> replay = send("POST", "/api/admin/projections/analytics-portfolio/replay", gina, null,
                    Map.of());
            assertThat(replay.statusCode()).isEqualTo(202);
            assertThat(json(replay).get("replaying").asBoolean()).isTrue();
            assertThat(gates.atStart.await(30, TimeUnit.SECONDS)).isTrue();
            // the shadows are empty now: the portfolio answers from the live tables; a second replay is refused
            assertThat(json(send("GET", "/api/portfolio", gina, null, Map.of()))).isEqualTo(portfolio);
            assertThat(send("POST", "/api/admin/projections/analytics-portfolio/replay", gina, null, Map.of())
                    .statusCode()).isEqualTo(409);
            gates.goOn.countDown();
            assertThat(gates.atLoaded.await(60, TimeUnit.SECONDS)).isTrue();
            // after the load's head: the live tables still follow, and the catch-up folds it into the shadows
            late = json(placeTrade(gina, "analytics-late", RESTING)).get("tradeId").asText();
            awaitResting(List.of(late));
            assertThat(send("POST", "/api/trades/" + late + "/cancel", gina, null, Map.of()).statusCode()).isEqualTo(202);
            awaitAnalytics(late, "CANCELED");
            assertThat(replaying(gina, "analytics-portfolio")).isTrue();
        } finally {
            gates.goOn.countDown();
            gates.finish.countDown();
            rebuilds.onStage(null);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> !replaying(gina, "analytics-portfolio"));
        assertThat(processing.eventProcessor("analytics-portfolio").orElseThrow().isRunning()).isTrue();
        assertThat(tableOid("analytics_strategy_stats")).as("the rebuilt table is the live one").isNotEqualTo(tableBefore);
        Map<String, List<Map<String, Object>>> after = analytics(gina);
        assertThat(after.get("analytics_trades")).hasSize(3);
        after.get("analytics_trades").removeIf(row -> row.get("trade_id").equals(late));
        before.forEach((table, rows) -> assertThat(after.get(table)).as(table).isEqualTo(rows));
        assertThat(json(send("GET", "/api/portfolio", gina, null, Map.of()))).isEqualTo(portfolio);
        // the processor goes on from where the rebuild got
        String next = json(placeTrade(gina, "analytics-after", RESTING)).get("tradeId").asText();
        awaitAnalytics(next, "PENDING");
    }

    @Test
    void anAnalyticsRebuildThatFailsLeavesTheTablesAsTheyWereAndTheProjectionRunning() {
        String hal = user("hal");
        String id = json(placeTrade(hal, "analytics-fail-1", MARKET)).get("tradeId").asText();
        awaitAnalytics(id, "OPEN");
        assertThat(send("POST", "/api/trades/" + id + "/close", hal, null, Map.of()).statusCode()).isEqualTo(202);
        awaitAnalytics(id, "CLOSED");
        for (ProjectionRebuilds.Stage failAt : List.of(ProjectionRebuilds.Stage.LOADED,
                ProjectionRebuilds.Stage.SWITCHING, ProjectionRebuilds.Stage.SWITCHED)) {
            long table = tableOid("analytics_trades");
            Map<String, List<Map<String, Object>>> before = analytics(hal);
            rebuilds.onStage(stage -> {
                if (stage == failAt) {
                    throw new IllegalStateException("a failure at " + stage);
                }
            });
            try {
                assertThat(send("POST", "/api/admin/projections/analytics-portfolio/replay", hal, null, Map.of())
                        .statusCode()).isEqualTo(202);
                await().atMost(Duration.ofSeconds(60)).until(() -> !replaying(hal, "analytics-portfolio"));
            } finally {
                rebuilds.onStage(null);
            }
            assertThat(tableOid("analytics_trades")).as(failAt.name()).isEqualTo(table);
            assertThat(analytics(hal)).as(failAt.name()).isEqualTo(before);
            for (String shadow : List.of("analytics_trades_rebuild", "analytics_strategy_stats_rebuild",
                    "analytics_daily_pnl_rebuild", "analytics_excursions_rebuild")) {
                assertThat(ownerJdbc.queryForObject("select count(*) from " + shadow, Long.class)).as(shadow).isZero();
            }
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    processing.eventProcessor("analytics-portfolio").orElseThrow().isRunning());
            assertThat(json(send("GET", "/api/portfolio", hal, null, Map.of())).get("closedTrades").asInt()).isEqualTo(1);
        }
        // and it runs on: a new trade is projected
        String next = json(placeTrade(hal, "analytics-fail-2", RESTING)).get("tradeId").asText();
        awaitAnalytics(next, "PENDING");
    }

    private static final String MARKET = """
            {"symbol":"AAPL","side":"BUY","quantity":2,"orderType":"MARKET","strategy":"replayed"}""";

    /** The user's rows of the four analytics tables, every column. */
    private static Map<String, List<Map<String, Object>>> analytics(String username) {
        Map<String, List<Map<String, Object>>> rows = new java.util.LinkedHashMap<>();
        for (String table : List.of("analytics_trades", "analytics_strategy_stats", "analytics_daily_pnl",
                "analytics_excursions")) {
            rows.put(table, new java.util.ArrayList<>(ownerJdbc.queryForList("select * from " + table
                    + " where username = ? order by 1, 2", username)));
        }
        return rows;
    }

    /** Until the analytics projection holds the trade in {@code status}. */
    private static void awaitAnalytics(String tradeId, String status) {
        await().atMost(Duration.ofSeconds(60)).until(() -> status.equals(ownerJdbc.query(
                "select status from analytics_trades where trade_id = ?", (rs, n) -> rs.getString(1), tradeId)
                .stream().findFirst().orElse(null)));
    }

    /** A limit far below the market: the order rests, so its trade stays PENDING and changes no more on its own. */
    private static final String RESTING = """
            {"symbol":"AAPL","side":"BUY","quantity":1,"orderType":"LIMIT","limitPrice":1}""";

    @org.springframework.beans.factory.annotation.Autowired
    private org.axonframework.config.EventProcessingConfiguration processing;

    @org.springframework.beans.factory.annotation.Autowired
    private ProjectionRebuilds rebuilds;

    private org.axonframework.eventhandling.EventProcessor tradesProcessor() {
        return processing.eventProcessor("trades").orElseThrow();
    }

    /** The physical table behind the name paper_trades (a switch puts another one there). */
    private static long tableOid() {
        return tableOid("paper_trades");
    }

    private static long tableOid(String table) {
        return ownerJdbc.queryForObject("select ?::regclass::oid::bigint", Long.class, table);
    }

    /** Until each resting trade's order is at the broker (its second event) and its row holds its whole stream. */
    private void awaitResting(List<String> ids) {
        await().atMost(Duration.ofSeconds(60)).until(() -> ids.stream().allMatch(id -> eventCount(id) >= 2));
        awaitProjected(ids);
    }

    /** Until each trade's row holds every event of its stream. */
    private void awaitProjected(List<String> ids) {
        await().atMost(Duration.ofSeconds(60)).until(() -> ids.stream().allMatch(id -> {
            Long version = ownerJdbc.query("select version from paper_trades where id = ?",
                    (rs, n) -> rs.getLong(1), id).stream().findFirst().orElse(null);
            return version != null && version == eventCount(id);
        }));
    }

    /** Holds a rebuild at its start until {@code goOn} and once loaded until {@code finish}, saying when it got there. */
    private static final class Gates {
        final CountDownLatch atStart = new CountDownLatch(1);
        final CountDownLatch atLoaded = new CountDownLatch(1);
        final CountDownLatch goOn = new CountDownLatch(1);
        final CountDownLatch finish = new CountDownLatch(1);

        void hold(ProjectionRebuilds.Stage stage) {
            if (stage == ProjectionRebuilds.Stage.STARTED) {
                atStart.countDown();
                awaitQuietly(goOn);
            } else if (stage == ProjectionRebuilds.Stage.LOADED) {
                atLoaded.countDown();
                awaitQuietly(finish);
            }
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitCaughtUp(String admin) {
        await().atMost(Duration.ofSeconds(60)).until(() -> tradesProjectionCaughtUp() && !replaying(admin, "trades"));
    }
}
