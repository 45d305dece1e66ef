package io.papertrading.app.execution;

import com.fasterxml.jackson.databind.JsonNode;
import io.papertrading.app.IntegrationTestBase;
import io.papertrading.command.execution.ScriptedTradier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The whole app trading through {@code TradierBroker} against a fake Tradier scripted from the documented
 * responses: a user who chose Tradier, the saga, the real HTTP client, the event store and the read model.
 */
class TradierExecutionIT extends IntegrationTestBase {

    private static final String LIMIT_BUY = """
            {"symbol":"AAPL","side":"BUY","quantity":2,"orderType":"LIMIT","limitPrice":187.50}""";

    private String trader;

    @BeforeEach
    void aUserTradingThroughTradier() {
        trader = user("tradier");
        TRADIER.initialStatus = "pending";
        assertThat(send("PUT", "/api/settings/broker", trader, """
                {"broker":"TRADIER","environment":"SANDBOX","accountId":"%s","token":"sandbox-token-123"}"""
                .formatted(ScriptedTradier.ACCOUNT), Map.of()).statusCode()).isEqualTo(204);
    }

    @Test
    void anOrderAcceptedThenRejectedCancelsTheTradeWithTradiersReason() {
        String id = json(placeTrade(trader, "rejected-1", LIMIT_BUY)).get("tradeId").asText();
        String orderId = awaitOrderAtBroker(id);

        TRADIER.set(orderId, "rejected", 0, 0, "Buy stop orders must have a stop price greater than the current ask");

        JsonNode trade = awaitStatus(id, "CANCELED");
        assertThat(trade.get("closeReason").asText()).isEqualTo("REJECTED");
        assertThat(trade.get("brokerOrderId").asText()).isEqualTo(orderId);
        JsonNode transitions = json(send("GET", "/api/trades/" + id + "/transitions", trader, null, Map.of()));
        assertThat(transitions.get(transitions.size() - 1).get("reason").asText())
                .contains("stop price greater than the current ask");
        assertThat(ordersTagged(id)).isEqualTo(1);
    }

    @Test
    void aPlacementWhoseAnswerIsLostIsReconciledByTagNeverSentTwice() {
        TRADIER.nextPostDelay.set(Duration.ofSeconds(5));
        String id = json(placeTrade(trader, "timeout-1", LIMIT_BUY)).get("tradeId").asText();
        String orderId = awaitOrderAtBroker(id);

        TRADIER.set(orderId, "filled", 2, 187.40, null);

        JsonNode trade = awaitStatus(id, "OPEN");
        assertThat(trade.get("entryPrice").decimalValue()).isEqualByComparingTo("187.40");
        assertThat(trade.get("brokerOrderId").asText()).isEqualTo(orderId);
        assertThat(ordersTagged(id)).as("orders sent for this trade").isEqualTo(1);
    }

    @ParameterizedTest
    @CsvSource({"canceled, canceled by the broker", "expired, order expired"})
    void anEntryTheBrokerEndsCancelsTheTradeAndFreesTheAccount(String tradierStatus, String reason) {
        String id = json(placeTrade(trader, "ended-" + tradierStatus, LIMIT_BUY)).get("tradeId").asText();
        String orderId = awaitOrderAtBroker(id);

        TRADIER.set(orderId, tradierStatus, 0, 0, null);

        JsonNode trade = awaitStatus(id, "CANCELED");
        assertThat(trade.get("brokerOrderId").asText()).isEqualTo(orderId);
        JsonNode transitions = json(send("GET", "/api/trades/" + id + "/transitions", trader, null, Map.of()));
        JsonNode last = transitions.get(transitions.size() - 1);
        assertThat(last.get("reason").asText()).contains(reason);
        assertThat(last.get("actor").asText()).isEqualTo("system:saga");
        // no live trade is left behind: the user may switch accounts again
        assertThat(send("PUT", "/api/settings/broker", trader, """
                {"broker":"SIMULATED"}""", Map.of()).statusCode()).isEqualTo(204);
    }

    @Test
    void aPlacementAGatewayAnswered502IsReconciledByTagNeverSentTwice() {
        TRADIER.nextPostGatewayStatus.set(502);
        String id = json(placeTrade(trader, "gateway-1", LIMIT_BUY)).get("tradeId").asText();
        String orderId = awaitOrderAtBroker(id);

        TRADIER.set(orderId, "filled", 2, 187.45, null);

        JsonNode trade = awaitStatus(id, "OPEN");
        assertThat(trade.get("brokerOrderId").asText()).isEqualTo(orderId);
        assertThat(ordersTagged(id)).as("orders sent for this trade").isEqualTo(1);
    }

    @Test
    void aRevokedTokenShowsOnTheTradeAndInTheConnectionTestUntilItIsFixed() {
        String id = json(placeTrade(trader, "revoked-1", LIMIT_BUY)).get("tradeId").asText();
        String orderId = awaitOrderAtBroker(id);
        try {
            TRADIER.tokenRevoked = true;

            await().atMost(Duration.ofSeconds(30)).until(() -> trade(id).path("tradeContext").has("brokerProblem"));
            assertThat(trade(id).path("tradeContext").path("brokerProblem").asText())
                    .contains("refused the access token").doesNotContain("sandbox-token-123");
            var test = send("POST", "/api/settings/broker/test", trader, null, Map.of());
            assertThat(test.statusCode()).isEqualTo(422);
            assertThat(json(test).get("code").asText()).isEqualTo("BROKER_CREDENTIALS");
        } finally {
            TRADIER.tokenRevoked = false;
        }
        await().atMost(Duration.ofSeconds(90)).until(() -> !trade(id).path("tradeContext").has("brokerProblem"));
        TRADIER.set(orderId, "filled", 2, 187.50, null);
        assertThat(awaitStatus(id, "OPEN").get("status").asText()).isEqualTo("OPEN");
    }

    @Test
    void aPartialFillThenTheRestOpensTheTradeAtTheAveragePrice() {
        String id = json(placeTrade(trader, "partial-1", LIMIT_BUY)).get("tradeId").asText();
        String orderId = awaitOrderAtBroker(id);

        TRADIER.set(orderId, "partially_filled", 1, 187.30, null);
        JsonNode partial = awaitStatus(id, "PARTIALLY_FILLED");
        assertThat(partial.get("filledQuantity").asInt()).isEqualTo(1);

        TRADIER.set(orderId, "filled", 2, 187.35, null);
        JsonNode open = awaitStatus(id, "OPEN");
        assertThat(open.get("filledQuantity").asInt()).isEqualTo(2);
        assertThat(open.get("entryPrice").decimalValue()).isEqualByComparingTo("187.35");
        JsonNode transitions = json(send("GET", "/api/trades/" + id + "/transitions", trader, null, Map.of()));
        assertThat(transitions.findValuesAsText("to")).containsExactly("PENDING", "PARTIALLY_FILLED", "OPEN");
    }

    @Test
    void aUsersCancelEndsTheTradeOnceTradierHasCanceledTheOrder() {
        String id = json(placeTrade(trader, "user-cancel-1", LIMIT_BUY)).get("tradeId").asText();
        String orderId = awaitWorkingAtBroker(id);

        var cancel = send("POST", "/api/trades/" + id + "/cancel", trader, null, Map.of());

        assertThat(cancel.statusCode()).isEqualTo(202);
        JsonNode trade = awaitStatus(id, "CANCELED");
        assertThat(trade.get("closeReason").asText()).isEqualTo("CANCELED");
        JsonNode transitions = json(send("GET", "/api/trades/" + id + "/transitions", trader, null, Map.of()));
        assertThat(transitions.get(transitions.size() - 1).get("actor").asText()).isEqualTo(trader);
        assertThat(TRADIER.deletes).contains(orderId);
    }

    @Test
    void aUsersCancelCrossedByTheEntrysFillOpensTheTradeWithThatFill() {
        String id = json(placeTrade(trader, "crossed-1", LIMIT_BUY)).get("tradeId").asText();
        String orderId = awaitWorkingAtBroker(id);
        TRADIER.beforeNextCancel.set(order -> TRADIER.set(order, "filled", 2, 187.40, null)); // filled first

        assertThat(send("POST", "/api/trades/" + id + "/cancel", trader, null, Map.of()).statusCode()).isEqualTo(202);

        JsonNode trade = awaitStatus(id, "OPEN");
        assertThat(trade.get("filledQuantity").asInt()).isEqualTo(2);
        assertThat(trade.get("entryPrice").decimalValue()).isEqualByComparingTo("187.40");
        JsonNode transitions = json(send("GET", "/api/trades/" + id + "/transitions", trader, null, Map.of()));
        assertThat(transitions.get(transitions.size() - 1).get("reason").asText())
                .isEqualTo("entry filled before the cancel took effect");
        assertThat(TRADIER.deletes).contains(orderId);
        assertThat(ordersTagged(id)).isEqualTo(1);
    }

    private String awaitOrderAtBroker(String tradeId) {
        await().atMost(Duration.ofSeconds(30)).until(() -> ordersTagged(tradeId) > 0);
        synchronized (TRADIER) {
            return TRADIER.orders.entrySet().stream()
                    .filter(e -> tradeId.equals(e.getValue().get("tag")))
                    .map(Map.Entry::getKey).findFirst().orElseThrow();
        }
    }

    /** The trade's entry open at Tradier and known to the trade (its order id recorded). */
    private String awaitWorkingAtBroker(String tradeId) {
        String orderId = awaitOrderAtBroker(tradeId);
        TRADIER.set(orderId, "open", 0, 0, null);
        await().atMost(Duration.ofSeconds(30)).until(() -> trade(tradeId).hasNonNull("brokerOrderId"));
        return orderId;
    }

    private long ordersTagged(String tradeId) {
        synchronized (TRADIER) {
            return TRADIER.orders.values().stream().filter(o -> tradeId.equals(o.get("tag"))).count();
        }
    }

    private JsonNode trade(String tradeId) {
        return json(send("GET", "/api/trades/" + tradeId, trader, null, Map.of()));
    }

    private JsonNode awaitStatus(String tradeId, String status) {
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            var r = send("GET", "/api/trades/" + tradeId, trader, null, Map.of());
            return r.statusCode() == 200 && json(r).get("status").asText().equals(status);
        });
        return json(send("GET", "/api/trades/" + tradeId, trader, null, Map.of()));
    }
}
