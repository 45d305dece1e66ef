package io.papertrading.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.papertrading.broker.BrokerFactory;
import io.papertrading.command.execution.ScriptedTradier;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code /actuator/health} as an operator reads it: processors, db-scheduler and the brokers' circuit breakers. */
class HealthIT extends IntegrationTestBase {

    @Autowired
    private BrokerFactory brokers;

    /** Health details are for admins: every user of the dev login here is one. */
    private static final String OPERATOR = user("operator");

    private static String operator() {
        return OPERATOR;
    }

    @Test
    void showsEachEventProcessorRunningWithItsLagAndTheScheduler() {
        JsonNode health = json(send("GET", "/actuator/health", operator(), null, Map.of()));

        assertThat(health.get("status").asText()).isEqualTo("UP");
        JsonNode processors = health.at("/components/eventProcessors/details");
        for (String name : new String[] {"trades", "analytics-portfolio", "TradeExecutionSagaProcessor", "price-monitor"}) {
            assertThat(processors.get(name).get("running").asBoolean()).as(name).isTrue();
            assertThat(processors.get(name).get("error").asBoolean()).as(name).isFalse();
            assertThat(processors.get(name).has("lag")).as(name).isTrue();
        }
        assertThat(health.at("/components/dbScheduler/status").asText()).isEqualTo("UP");
        // one node of the cluster works the brokers: in this test context, this one
        await().atMost(Duration.ofSeconds(10)).until(() -> json(send("GET", "/actuator/health", operator(), null, Map.of()))
                .at("/components/orderDesk/details/worksHere").asBoolean());
        JsonNode desk = json(send("GET", "/actuator/health", operator(), null, Map.of())).at("/components/orderDesk");
        assertThat(desk.get("status").asText()).isEqualTo("UP");
        assertThat(desk.at("/details/legs").isNumber()).isTrue();
        assertThat(desk.at("/details/legsUnsentLongAfterTheirWindow").asLong()).isZero();
    }

    @Test
    void aTradierOutageOpensTheAccountsCircuitBreakerForAllToSeeWithoutTheAccountId() {
        String trader = user("health-tradier");
        assertThat(send("PUT", "/api/settings/broker", trader, """
                {"broker":"TRADIER","environment":"SANDBOX","accountId":"%s","token":"sandbox-token-123"}"""
                .formatted(ScriptedTradier.ACCOUNT), Map.of()).statusCode()).isEqualTo(204);
        try {
            TRADIER.outageStatus = 503;
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                CompletableFuture.allOf(IntStream.range(0, 5).mapToObj(i -> CompletableFuture.runAsync(() ->
                        send("POST", "/api/settings/broker/test", trader, null, Map.of()))).toArray(CompletableFuture[]::new))
                        .join();
                return "OPEN".equals(breaker().path("state").asText());
            });
            String body = send("GET", "/actuator/health", operator(), null, Map.of()).body();
            assertThat(body).doesNotContain(ScriptedTradier.ACCOUNT);
            assertThat(json(send("GET", "/actuator/health", operator(), null, Map.of())).get("status").asText())
                    .as("one broker's outage is not the node's").isEqualTo("UP");
        } finally {
            TRADIER.outageStatus = null;
            // the breaker is the account's, shared with the other tests trading through it
            brokers.circuitBreakers().circuitBreaker("tradier:" + ScriptedTradier.ACCOUNT).reset();
        }
    }

    private JsonNode breaker() {
        JsonNode breakers = json(send("GET", "/actuator/health", operator(), null, Map.of()))
                .at("/components/brokers/details/circuitBreakers");
        String account = ScriptedTradier.ACCOUNT;
        return breakers.path("tradier:…" + account.substring(account.length() - 4));
    }
}
