package io.papertrading.app;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

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
        // another node's claim, as it would write it: the local processor gives the segment up on its next check
        ownerJdbc.update("update token_entry set owner = 'other-node@elsewhere', timestamp = ? "
                + "where processor_name = 'analytics-portfolio' and segment = 0", java.time.Instant.now().plusSeconds(30).toString());
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> ((org.axonframework.eventhandling.StreamingEventProcessor)
                    processing.eventProcessor("analytics-portfolio").orElseThrow()).processingStatus().size() < 4);
            HttpResponse<String> replay = send("POST", "/api/admin/projections/analytics-portfolio/replay", admin, null, Map.of());
            assertThat(replay.statusCode()).isEqualTo(409);
            assertThat(json(replay).get("detail").asText()).contains("another node");
            assertThat(processing.eventProcessor("analytics-portfolio").orElseThrow().isRunning()).isTrue();
        } finally {
            ownerJdbc.update("update token_entry set owner = null where processor_name = 'analytics-portfolio' "
                    + "and owner = 'other-node@elsewhere'");
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> ((org.axonframework.eventhandling.StreamingEventProcessor)
                processing.eventProcessor("analytics-portfolio").orElseThrow()).processingStatus().size() == 4);
    }

    @org.springframework.beans.factory.annotation.Autowired
    private org.axonframework.config.EventProcessingConfiguration processing;

    private void awaitCaughtUp(String admin) {
        await().atMost(Duration.ofSeconds(60)).until(() -> tradesProjectionCaughtUp() && !replaying(admin, "trades"));
    }
}
