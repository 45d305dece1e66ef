package io.papertrading.app;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class RiskLimitsIT extends IntegrationTestBase {

    private static String limitBuy(String symbol, int quantity, String price) {
        return "{\"symbol\":\"" + symbol + "\",\"side\":\"BUY\",\"quantity\":" + quantity
                + ",\"orderType\":\"LIMIT\",\"limitPrice\":" + price + "}";
    }

    private void setRisk(String username, String body) {
        assertThat(send("PUT", "/api/settings/risk", username, body, Map.of()).statusCode()).isEqualTo(204);
    }

    private void assertRefused(HttpResponse<String> r, String limit) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(422);
        JsonNode problem = json(r);
        assertThat(problem.get("code").asText()).isEqualTo("RISK_LIMIT");
        assertThat(problem.get("limit").asText()).isEqualTo(limit);
    }

    @Test
    void maxPositionCostAcceptsTheLimitAndRefusesACentMore() {
        String alice = user("alice");
        setRisk(alice, "{\"maxPositionCost\":1000}");

        assertRefused(placeTrade(alice, "cost-over", limitBuy("MSFT", 10, "100.01")), "maxPositionCost");
        assertThat(eventCount(tradeIdFor(alice, "cost-over"))).isZero();

        assertThat(placeTrade(alice, "cost-at", limitBuy("MSFT", 10, "100.00")).statusCode()).isEqualTo(202);
    }

    @Test
    void aLimitSavedRightAfterAPlacementAppliesToTheNextOne() {
        String alice = user("alice");
        // the placement leaves the user's settings remembered on this node for the settings TTL
        assertThat(placeTrade(alice, "before-limit", limitBuy("MSFT", 10, "100.01")).statusCode()).isEqualTo(202);
        setRisk(alice, "{\"maxPositionCost\":1000}");

        assertRefused(placeTrade(alice, "after-limit", limitBuy("MSFT", 10, "100.01")), "maxPositionCost");
    }

    @Test
    void maxPositionCostCountsOptionsAsOneHundredShares() {
        String alice = user("alice");
        setRisk(alice, "{\"maxPositionCost\":1000}");
        String over = "{\"symbol\":\"AAPL\",\"optionSymbol\":\"AAPL300621C00260000\",\"side\":\"BUY\",\"quantity\":1,"
                + "\"orderType\":\"LIMIT\",\"limitPrice\":10.01}";
        assertRefused(placeTrade(alice, "opt-over", over), "maxPositionCost");
        assertThat(placeTrade(alice, "opt-at", over.replace("10.01", "10.00")).statusCode()).isEqualTo(202);
    }

    @Test
    void maxOpenTradesRefusesTheTradeBeyondTheLimit() {
        String bob = user("bob");
        setRisk(bob, "{\"maxOpenTrades\":2}");
        assertThat(placeTrade(bob, "open-1", limitBuy("SPY", 1, "1")).statusCode()).isEqualTo(202);
        String second = json(placeTrade(bob, "open-2", limitBuy("SPY", 1, "1"))).get("tradeId").asText();
        // at once: the count is the command side's, not the read model's
        assertRefused(placeTrade(bob, "open-3", limitBuy("SPY", 1, "1")), "maxOpenTrades");
        assertThat(eventCount(tradeIdFor(bob, "open-3"))).isZero();
        // a retry of a trade that already exists is answered, not refused
        assertThat(json(placeTrade(bob, "open-2", limitBuy("SPY", 1, "1"))).get("tradeId").asText()).isEqualTo(second);
    }

    @Test
    void maxOpenTradesHoldsForTenPlacementsAtOnce() throws Exception {
        String erin = user("erin");
        setRisk(erin, "{\"maxOpenTrades\":1}");
        ExecutorService clients = Executors.newFixedThreadPool(10);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                String key = "race-" + i;
                answers.add(clients.submit(() -> {
                    go.await();
                    return placeTrade(erin, key, limitBuy("SPY", 1, "1"));
                }));
            }
            go.countDown();
            List<HttpResponse<String>> accepted = new ArrayList<>();
            for (Future<HttpResponse<String>> answer : answers) {
                HttpResponse<String> r = answer.get(60, TimeUnit.SECONDS);
                if (r.statusCode() == 202) {
                    accepted.add(r);
                } else {
                    assertRefused(r, "maxOpenTrades");
                }
            }
            assertThat(accepted).hasSize(1);
            long stored = 0;
            for (int i = 0; i < 10; i++) {
                stored += eventCount(tradeIdFor(erin, "race-" + i)) > 0 ? 1 : 0;
            }
            assertThat(stored).as("trades in the event store").isEqualTo(1);
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    void aTradeThatEndedNoLongerCountsAgainstMaxOpenTrades() {
        String frank = user("frank");
        setRisk(frank, "{\"maxOpenTrades\":1}");
        String first = json(placeTrade(frank, "end-1", limitBuy("SPY", 1, "1"))).get("tradeId").asText();
        assertRefused(placeTrade(frank, "end-2", limitBuy("SPY", 1, "1")), "maxOpenTrades");

        assertThat(send("POST", "/api/trades/" + first + "/cancel", frank, null, Map.of()).statusCode()).isEqualTo(202);
        // live until the broker confirms the cancel
        await().atMost(Duration.ofSeconds(10)).until(() ->
                json(send("GET", "/api/trades/" + first, frank, null, Map.of())).get("status").asText().equals("CANCELED"));
        assertThat(placeTrade(frank, "end-2", limitBuy("SPY", 1, "1")).statusCode()).isEqualTo(202);
    }

    @Test
    void buyingPowerOfTheSimulatedAccountBoundsTheCost() {
        String carol = user("carol");
        assertRefused(placeTrade(carol, "bp-over", limitBuy("SPY", 1000, "100.01")), "buyingPower");
        assertThat(eventCount(tradeIdFor(carol, "bp-over"))).isZero();
        assertThat(placeTrade(carol, "bp-at", limitBuy("SPY", 1000, "100.00")).statusCode()).isEqualTo(202);
    }

    @Test
    void refusesMarketOrderBracketsOnTheWrongSideOfTheMarket() {
        String dave = user("dave");
        HttpResponse<String> r = placeTrade(dave, "mkt-brackets", """
                {"symbol":"AAPL","side":"BUY","quantity":1,"orderType":"MARKET","stopLoss":0.50,"takeProfit":1.00}""");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(json(r).get("errors").findValuesAsText("field")).contains("takeProfit");
        assertThat(eventCount(tradeIdFor(dave, "mkt-brackets"))).isZero();

        HttpResponse<String> shortSale = placeTrade(dave, "mkt-brackets-short", """
                {"symbol":"AAPL","side":"SELL","quantity":1,"orderType":"MARKET","stopLoss":1.00}""");
        assertThat(shortSale.statusCode()).as(shortSale.body()).isEqualTo(400);
        assertThat(json(shortSale).get("errors").findValuesAsText("field")).contains("stopLoss");
    }
}
