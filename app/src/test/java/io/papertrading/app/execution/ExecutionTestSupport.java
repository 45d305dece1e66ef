package io.papertrading.app.execution;

import com.fasterxml.jackson.databind.JsonNode;
import io.papertrading.app.IntegrationTestBase;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What the execution tests share: reading a trade's own event stream, its saga, and the saga's deadlines. */
abstract class ExecutionTestSupport extends IntegrationTestBase {

    static final Duration PATIENCE = Duration.ofSeconds(60);

    /** The payload of the trade's first event of {@code type}, once it exists. */
    JsonNode awaitEvent(String user, String id, String type) {
        return await().atMost(PATIENCE).pollInterval(Duration.ofMillis(200)).until(() -> {
            HttpResponse<String> r = send("GET", "/api/trades/" + id + "/events", user, null, Map.of());
            for (JsonNode e : json(r)) {
                if (e.get("type").asText().equals(type)) {
                    return e.get("payload");
                }
            }
            return null;
        }, e -> e != null);
    }

    /** The saga's id, while it lives (its associations go when it ends). */
    String sagaOf(String tradeId) {
        return await().atMost(PATIENCE).until(() -> ownerJdbc.queryForList(
                "select saga_id from association_value_entry where association_key = 'tradeId' and association_value = ?",
                String.class, tradeId).stream().findFirst().orElse(null), s -> s != null);
    }

    /** db-scheduler's rows carry the saga id inside their serialized scope: none may outlive the saga. */
    void assertNoDeadlinesLeft(String sagaId) {
        // the saga handles the trade's last event asynchronously: give it the moment it takes
        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(ownerJdbc.queryForObject("select count(*) from saga_entry where saga_id = ?", Integer.class,
                    sagaId)).as("saga ended").isZero();
            assertThat(ownerJdbc.queryForObject(
                    "select count(*) from scheduled_tasks where position(convert_to(?, 'UTF8') in task_data) > 0",
                    Integer.class, sagaId)).as("deadlines left").isZero();
        });
    }
}
