package io.papertrading.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.papertrading.command.execution.BrokerResolver;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class SettingsApiIT extends IntegrationTestBase {

    @Autowired
    BrokerResolver brokers;
    @Autowired
    TestClock clock;

    private static final String TOKEN = "Sandbox-Token-1234567890abcdef";

    @Test
    void defaultsToTheSimulatedBrokerWithoutLimits() {
        JsonNode s = json(send("GET", "/api/settings", user("alice"), null, Map.of()));
        assertThat(s.get("broker").asText()).isEqualTo("SIMULATED");
        assertThat(s.get("hasTradierToken").asBoolean()).isFalse();
        assertThat(s.get("risk").get("maxOpenTrades").isNull()).isTrue();
    }

    @Test
    @org.junit.jupiter.api.extension.ExtendWith(org.springframework.boot.test.system.OutputCaptureExtension.class)
    void storesTheTradierTokenEncryptedAndNeverReturnsIt(org.springframework.boot.test.system.CapturedOutput logs) {
        String alice = user("alice");
        // a user never chooses a broker URL: a body naming one is refused whole, naming the field
        HttpResponse<String> withUrl = send("PUT", "/api/settings/broker", alice, """
                {"broker":"TRADIER","environment":"SANDBOX","accountId":"VA000000","token":"%s",
                 "url":"http://attacker.example"}""".formatted(TOKEN), Map.of());
        assertThat(withUrl.statusCode()).isEqualTo(400);
        assertThat(json(withUrl).get("errors").get(0).get("field").asText()).isEqualTo("url");
        assertThat(json(send("GET", "/api/settings", alice, null, Map.of())).get("broker").asText()).isEqualTo("SIMULATED");

        HttpResponse<String> put = send("PUT", "/api/settings/broker", alice, """
                {"broker":"TRADIER","environment":"SANDBOX","accountId":"VA000000","token":"%s"}""".formatted(TOKEN), Map.of());
        assertThat(put.statusCode()).isEqualTo(204);

        HttpResponse<String> get = send("GET", "/api/settings", alice, null, Map.of());
        assertThat(get.body()).doesNotContain(TOKEN).doesNotContain("attacker");
        JsonNode s = json(get);
        assertThat(s.get("broker").asText()).isEqualTo("TRADIER");
        assertThat(s.get("tradierEnvironment").asText()).isEqualTo("SANDBOX");
        assertThat(s.get("tradierAccountId").asText()).isEqualTo("VA000000");
        assertThat(s.get("hasTradierToken").asBoolean()).isTrue();

        String stored = ownerJdbc.queryForObject("select tradier_token_encrypted from user_settings where username = ?",
                String.class, alice);
        assertThat(stored).doesNotContain(TOKEN).startsWith("gAAAAA");
        // nor does it ever reach a log line
        assertThat(logs.getAll()).doesNotContain(TOKEN);
    }

    @Test
    void theEngineSeesAChangeSavedHereAtOnceAndOneSavedByAnotherNodeWithinTheTtl() {
        String carol = user("carol");
        assertThat(brokers.resolve(carol).accountKey()).isEqualTo("simulated:" + carol);

        send("PUT", "/api/settings/broker", carol, """
                {"broker":"TRADIER","environment":"SANDBOX","accountId":"VA000007","token":"%s"}""".formatted(TOKEN), Map.of());
        assertThat(brokers.resolve(carol).accountKey()).as("saved on this node").isEqualTo("tradier:SANDBOX:VA000007");

        // another node saves a new account: this node's engine goes on with what it read for up to the TTL (2 s)
        ownerJdbc.update("update user_settings set tradier_account_id = 'VA000008' where username = ?", carol);
        assertThat(brokers.resolve(carol).accountKey()).isEqualTo("tradier:SANDBOX:VA000007");
        assertThat(brokers.reload(carol).accountKey()).as("read now").isEqualTo("tradier:SANDBOX:VA000008");

        ownerJdbc.update("update user_settings set tradier_account_id = 'VA000009' where username = ?", carol);
        clock.shiftTo(clock.instant().plusSeconds(3));
        try {
            assertThat(brokers.resolve(carol).accountKey()).as("after the TTL").isEqualTo("tradier:SANDBOX:VA000009");
        } finally {
            clock.reset();
        }
    }

    @Test
    void keepsTheStoredTokenWhenOnlyTheAccountChanges() {
        String bob = user("bob");
        send("PUT", "/api/settings/broker", bob, """
                {"broker":"TRADIER","environment":"SANDBOX","accountId":"VA000001","token":"%s"}""".formatted(TOKEN), Map.of());
        assertThat(send("PUT", "/api/settings/broker", bob,
                "{\"broker\":\"TRADIER\",\"environment\":\"LIVE\",\"accountId\":\"VA000002\"}", Map.of()).statusCode())
                .isEqualTo(204);
        JsonNode s = json(send("GET", "/api/settings", bob, null, Map.of()));
        assertThat(s.get("tradierAccountId").asText()).isEqualTo("VA000002");
        assertThat(s.get("hasTradierToken").asBoolean()).isTrue();
    }

    @Test
    void refusesToSwitchBrokerAccountsWhileATradeLivesAtTheCurrentOne() {
        String dora = user("dora");
        String tradier = """
                {"broker":"TRADIER","environment":"SANDBOX","accountId":"VA000003","token":"%s"}""".formatted(TOKEN);
        // a resting limit far below the market: it stays PENDING at the simulated exchange
        String id = json(placeTrade(dora, "live-1", """
                {"symbol":"SPY","side":"BUY","quantity":1,"orderType":"LIMIT","limitPrice":1.00}""")).get("tradeId").asText();
        assertThat(send("GET", "/api/trades/" + id + "?minVersion=1", dora, null, Map.of()).statusCode()).isEqualTo(200);

        HttpResponse<String> refused = send("PUT", "/api/settings/broker", dora, tradier, Map.of());
        HttpResponse<String> same = send("PUT", "/api/settings/broker", dora, "{\"broker\":\"SIMULATED\"}", Map.of());

        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(json(refused).get("code").asText()).isEqualTo("BROKER_IN_USE");
        assertThat(json(refused).get("liveTrades").asInt()).isEqualTo(1);
        assertThat(json(send("GET", "/api/settings", dora, null, Map.of())).get("broker").asText()).isEqualTo("SIMULATED");
        assertThat(same.statusCode()).as("the same account again is no switch").isEqualTo(204);

        assertThat(send("POST", "/api/trades/" + id + "/cancel", dora, null, Map.of()).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> json(send("GET", "/api/trades/" + id, dora, null, Map.of()))
                .get("status").asText().equals("CANCELED"));
        assertThat(send("PUT", "/api/settings/broker", dora, tradier, Map.of()).statusCode()).isEqualTo(204);
    }

    @Test
    void refusesIncompleteTradierSettings() {
        HttpResponse<String> r = send("PUT", "/api/settings/broker", user("carol"),
                "{\"broker\":\"TRADIER\",\"environment\":\"MOON\"}", Map.of());
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).get("errors").findValuesAsText("field")).contains("environment", "accountId", "token");
    }

    @Test
    void refusesOutOfRangeRiskLimits() {
        HttpResponse<String> r = send("PUT", "/api/settings/risk", user("carol"),
                "{\"maxOpenTrades\":0,\"maxPositionCost\":-5,\"defaultStopLossPct\":150}", Map.of());
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).get("errors").findValuesAsText("field"))
                .contains("maxOpenTrades", "maxPositionCost", "defaultStopLossPct");
    }

    @Test
    void testsTheSimulatedConnection() {
        JsonNode r = json(send("POST", "/api/settings/broker/test", user("dave"), null, Map.of()));
        assertThat(r.get("ok").asBoolean()).isTrue();
        assertThat(r.get("broker").asText()).isEqualTo("SIMULATED");
    }

    @Test
    void settingsArePrivate() {
        String erin = user("erin");
        send("PUT", "/api/settings/risk", erin, "{\"maxOpenTrades\":3}", Map.of());
        assertThat(json(send("GET", "/api/settings", erin, null, Map.of())).get("risk").get("maxOpenTrades").asInt()).isEqualTo(3);
        assertThat(json(send("GET", "/api/settings", user("frank"), null, Map.of())).get("risk").get("maxOpenTrades").isNull()).isTrue();
    }

    @Test
    void servesMarketDataThroughTheUsersBroker() {
        String gina = user("gina");
        JsonNode quotes = json(send("GET", "/api/market/quotes?symbols=AAPL,AAPL300621C00260000", gina, null, Map.of()));
        assertThat(quotes.findValuesAsText("symbol")).containsExactlyInAnyOrder("AAPL", "AAPL300621C00260000");
        for (JsonNode q : quotes) {
            assertThat(q.get("bid").decimalValue()).isLessThanOrEqualTo(q.get("ask").decimalValue());
        }
        JsonNode expirations = json(send("GET", "/api/market/expirations?symbol=AAPL", gina, null, Map.of()));
        assertThat(expirations.size()).isPositive();
        String first = expirations.get(0).asText();
        JsonNode chain = json(send("GET", "/api/market/chains?symbol=AAPL&expiration=" + first, gina, null, Map.of()));
        assertThat(chain.size()).isPositive();
        assertThat(chain.get(0).get("expiry").asText()).isEqualTo(first);
        assertThat(send("GET", "/api/market/quotes?symbols=aapl;drop", gina, null, Map.of()).statusCode()).isEqualTo(400);
        assertThat(send("GET", "/api/market/chains?symbol=AAPL&expiration=tomorrow", gina, null, Map.of()).statusCode()).isEqualTo(400);
    }
}
