package io.papertrading.app;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class EventStoreIT extends IntegrationTestBase {

    private static final String ORDER = """
            {"symbol":"AAPL","optionSymbol":"AAPL300621C00260000","side":"BUY","quantity":2,"orderType":"LIMIT",
             "limitPrice":2.15,"stopLoss":1.50,"takeProfit":3.20,"strategy":"momentum","notes":"earnings run-up"}""";

    @Test
    void storesEventPayloadsAsReadableJson() throws Exception {
        String alice = user("alice");
        HttpResponse<String> placed = placeTrade(alice, "payload-1", ORDER);
        assertThat(placed.statusCode()).isEqualTo(202);
        String tradeId = json(placed).get("tradeId").asText();

        String payload = ownerJdbc.queryForObject(
                "select convert_from(payload, 'UTF8') from domain_event_entry where aggregate_identifier = ? and sequence_number = 0",
                String.class, tradeId);
        JsonNode event = JSON.readTree(payload);
        assertThat(event.get("username").asText()).isEqualTo(alice);
        assertThat(event.at("/order/instrument/optionSymbol").asText()).isEqualTo("AAPL300621C00260000");
        assertThat(event.at("/order/limitPrice").decimalValue()).isEqualByComparingTo("2.15");
        String type = ownerJdbc.queryForObject(
                "select payload_type || ':' || payload_revision from domain_event_entry where aggregate_identifier = ? "
                        + "and sequence_number = 0",
                String.class, tradeId);
        assertThat(type).isEqualTo("io.papertrading.kernel.trade.event.TradePlacedEvent:1");
        String metadata = ownerJdbc.queryForObject(
                "select convert_from(meta_data, 'UTF8') from domain_event_entry where aggregate_identifier = ? "
                        + "and sequence_number = 0",
                String.class, tradeId);
        // its entry went to the order desk in the placement's transaction: the saga does not hand it over again
        assertThat(JSON.readTree(metadata).get("entryHandedOver").asText()).isEqualTo("true");
    }

    @Test
    void namesTheEventThatCausedASagasCommandInItsEventsMetadata() throws Exception {
        String alice = user("alice");
        String tradeId = json(placeTrade(alice, "cause-1", ORDER)).get("tradeId").asText();
        // the saga records the broker's order (sequence 1) on the order desk's news of it
        await().atMost(Duration.ofSeconds(20)).until(() -> eventCount(tradeId) >= 2);

        JsonNode metadata = JSON.readTree(ownerJdbc.queryForObject("select convert_from(meta_data, 'UTF8') "
                + "from domain_event_entry where aggregate_identifier = ? and sequence_number = 1", String.class, tradeId));
        String cause = metadata.get("correlationId").asText();
        assertThat(ownerJdbc.queryForObject("select payload_type from domain_event_entry where event_identifier = ?",
                String.class, cause)).isEqualTo("io.papertrading.kernel.trade.event.BrokerOrderReportedEvent");
        assertThat(metadata.has("traceId")).isFalse();
    }

    @Test
    void aTradeWithMoreEventsThanOneReadBatchIsLoadedWhole() {
        String alice = user("alice");
        String tradeId = json(placeTrade(alice, "long-1", """
                {"symbol":"AAPL","side":"BUY","quantity":1,"orderType":"LIMIT","limitPrice":1.00}""")).get("tradeId").asText();
        long version = 0;
        for (int i = 0; i < 110; i++) { // past the 100 events one query reads
            HttpResponse<String> note = send("POST", "/api/trades/" + tradeId + "/notes", alice,
                    "{\"text\":\"note " + i + "\"}", Map.of());
            assertThat(note.statusCode()).as(note.body()).isEqualTo(202);
            long answered = json(note).get("version").asLong();
            assertThat(answered).as("each command sees every event before it").isGreaterThan(version);
            version = answered;
        }
        assertThat(version).isEqualTo(eventCount(tradeId));
        long last = version;
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                json(send("GET", "/api/trades/" + tradeId, alice, null, Map.of())).get("version").asLong()).isEqualTo(last));
    }

    @Test
    void createsNoLargeObjects() {
        placeTrade(user("alice"), "lob-1", ORDER);
        assertThat(ownerJdbc.queryForObject("select count(*) from pg_largeobject_metadata", Integer.class)).isZero();
        assertThat(ownerJdbc.queryForList(
                "select table_name || '.' || column_name from information_schema.columns "
                        + "where table_schema = 'public' and data_type = 'oid'", String.class)).isEmpty();
    }

    @Test
    void allocatesGlobalIndexesOneAtATime() {
        assertThat(ownerJdbc.queryForObject(
                "select increment_by from pg_sequences where sequencename = 'domain_event_global_index_seq'", Long.class))
                .isEqualTo(1L);
        String alice = user("alice");
        String first = json(placeTrade(alice, "gi-1", ORDER)).get("tradeId").asText();
        String second = json(placeTrade(alice, "gi-2", ORDER)).get("tradeId").asText();
        // each trade's TradePlaced (its saga may have added events by now)
        String placed = "select global_index from domain_event_entry where aggregate_identifier = ? and sequence_number = 0";
        Long a = ownerJdbc.queryForObject(placed, Long.class, first);
        Long b = ownerJdbc.queryForObject(placed, Long.class, second);
        assertThat(b).isGreaterThan(a);
        assertThat(b - a).isLessThan(50);
    }
}
