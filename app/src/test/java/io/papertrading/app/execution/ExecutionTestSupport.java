package io.papertrading.app.execution;

import com.fasterxml.jackson.databind.JsonNode;
import io.papertrading.app.IntegrationTestBase;
import io.papertrading.kernel.trade.event.TradeCanceledEvent;
import io.papertrading.kernel.trade.event.TradeClosedEvent;
import io.papertrading.kernel.trade.event.TradeExpiredEvent;
import io.papertrading.kernel.trade.event.TradeRejectedEvent;

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

    /**
     * The saga's id while it lives (its associations go when it ends), or null once the trade has ended and its
     * saga with it: a quick broker answer can end a saga before the test looks. {@link #assertNoDeadlinesLeft}
     * then checks that no deadline outlived any saga.
     */
    String sagaOf(String tradeId) {
        await().atMost(PATIENCE).until(() -> liveSaga(tradeId) != null || sagaEnded(tradeId));
        return liveSaga(tradeId);
    }

    private String liveSaga(String tradeId) {
        return ownerJdbc.queryForList(
                "select saga_id from association_value_entry where association_key = 'tradeId' and association_value = ?",
                String.class, tradeId).stream().findFirst().orElse(null);
    }

    /** The trade has a final event and no saga is associated with it any more. */
    private boolean sagaEnded(String tradeId) {
        return Boolean.TRUE.equals(ownerJdbc.queryForObject("""
                select exists (select 1 from domain_event_entry where aggregate_identifier = ?
                                  and payload_type in (?, ?, ?, ?))
                   and not exists (select 1 from association_value_entry
                                   where association_key = 'tradeId' and association_value = ?)""", Boolean.class,
                tradeId, TradeRejectedEvent.class.getName(), TradeCanceledEvent.class.getName(),
                TradeClosedEvent.class.getName(), TradeExpiredEvent.class.getName(), tradeId));
    }

    /**
     * db-scheduler's rows carry the saga id inside their serialized scope: none may outlive the saga. For a saga
     * that ended before the test saw it ({@code sagaId} null): no deadline of Axon's task names a saga that is gone.
     */
    void assertNoDeadlinesLeft(String sagaId) {
        // the saga handles the trade's last event asynchronously: give it the moment it takes
        await().atMost(PATIENCE).untilAsserted(() -> {
            if (sagaId == null) {
                assertThat(ownerJdbc.queryForObject("""
                        select count(*) from scheduled_tasks t where t.task_name = 'AxonDeadline'
                          and not exists (select 1 from saga_entry s
                                          where position(convert_to(s.saga_id, 'UTF8') in t.task_data) > 0)""",
                        Integer.class)).as("deadlines of ended sagas").isZero();
                return;
            }
            assertThat(ownerJdbc.queryForObject("select count(*) from saga_entry where saga_id = ?", Integer.class,
                    sagaId)).as("saga ended").isZero();
            assertThat(ownerJdbc.queryForObject(
                    "select count(*) from scheduled_tasks where position(convert_to(?, 'UTF8') in task_data) > 0",
                    Integer.class, sagaId)).as("deadlines left").isZero();
        });
    }
}
