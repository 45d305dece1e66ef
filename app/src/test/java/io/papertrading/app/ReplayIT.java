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

    private void awaitCaughtUp(String admin) {
        await().atMost(Duration.ofSeconds(60)).until(() -> tradesProjectionCaughtUp() && !replaying(admin, "trades"));
    }
}
