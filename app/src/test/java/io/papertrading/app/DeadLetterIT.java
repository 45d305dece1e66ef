package io.papertrading.app;

import java.net.http.HttpResponse;
import com.fasterxml.jackson.databind.JsonNode;
import io.papertrading.kernel.instrument.Instrument;
import io.papertrading.kernel.money.Money;
import io.papertrading.kernel.trade.OrderType;
import io.papertrading.kernel.trade.Side;
import io.papertrading.kernel.trade.TradeId;
import io.papertrading.kernel.trade.TradeOrder;
import io.papertrading.kernel.trade.event.TradeOpenedEvent;
import io.papertrading.kernel.trade.event.TradePlacedEvent;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** One event the projection cannot apply is parked for its own trade; every other trade keeps flowing. */
class DeadLetterIT extends IntegrationTestBase {

    @Autowired
    EventStore eventStore;

    @Test
    void parksAPoisonedEventAndKeepsProjectingOtherTrades() {
        String alice = user("alice");
        String first = projectedTrade(alice, "dup-key");
        String poisoned = poisonedTwinOf(alice, "dup-key");

        String after = json(placeTrade(alice, "after-poison", """
                {"symbol":"IBM","side":"BUY","quantity":2,"orderType":"LIMIT","limitPrice":1}""")).get("tradeId").asText();

        await().atMost(Duration.ofSeconds(20)).until(() ->
                send("GET", "/api/trades/" + after, alice, null, Map.of()).statusCode() == 200);
        // The poisoned TradePlaced heads its trade's sequence; the trade's later events (the saga may already have
        // placed and recorded its order) are parked behind it, never applied out of order.
        await().atMost(Duration.ofSeconds(20)).until(() -> ownerJdbc.queryForObject(
                "select count(*) from dead_letter_entry where processing_group = 'trades' and sequence_identifier = ?",
                Integer.class, poisoned) >= 1);
        assertThat(send("GET", "/api/trades/" + poisoned, alice, null, Map.of()).statusCode()).isEqualTo(404);
        String head = ownerJdbc.queryForObject("""
                select payload_type || ' ' || cause_type from dead_letter_entry
                where processing_group = 'trades' and sequence_identifier = ? order by sequence_index limit 1""",
                String.class, poisoned);
        assertThat(head).startsWith(TradePlacedEvent.class.getName()).contains("DuplicateKey");

        // an operator sees it by processor and trade, with the cause's type and never its SQL
        HttpResponse<String> listed = send("GET", "/api/admin/dead-letters?processor=trades&trade=" + poisoned, alice,
                null, Map.of());
        assertThat(listed.statusCode()).isEqualTo(200);
        JsonNode letter = json(listed).get("letters").get(0);
        assertThat(letter.get("trade").asText()).isEqualTo(poisoned);
        assertThat(letter.get("eventType").asText()).isEqualTo("TradePlacedEvent");
        assertThat(letter.get("cause").asText()).contains("DuplicateKey");
        assertThat(letter.get("transientCause").asBoolean()).isFalse();
        assertThat(listed.body()).doesNotContainIgnoringCase("insert into").doesNotContain("violates");
        assertThat(json(listed).get("counts").get("trades").asLong()).isPositive();
        JsonNode health = json(send("GET", "/actuator/health", alice, null, Map.of()));
        assertThat(health.at("/components/deadLetters/details/total").asLong()).isPositive();
        assertThat(send("GET", "/actuator/prometheus", alice, null, Map.of()).body())
                .contains("paper_dead_letters{processor=\"trades\"}");

        // retried while the cause persists: it stays, with one more retry counted
        JsonNode retried = json(send("POST", "/api/admin/dead-letters/trades/" + poisoned + "/retry", alice, null, Map.of()));
        assertThat(retried.get("handled").asBoolean()).isFalse();
        assertThat(retried.get("remaining").asLong()).isPositive();
        assertThat(json(send("GET", "/api/admin/dead-letters?processor=trades&trade=" + poisoned, alice, null, Map.of()))
                .get("letters").get(0).get("retries").asLong()).isEqualTo(1);

        // once the cause is gone (the clashing row removed), a retry projects the trade: it is no longer hidden
        ownerJdbc.update("delete from paper_trades where id = ?", first);
        JsonNode fixed = json(send("POST", "/api/admin/dead-letters/trades/" + poisoned + "/retry", alice, null, Map.of()));
        assertThat(fixed.get("handled").asBoolean()).isTrue();
        // events the saga added to the trade while it was parked queued behind it; a retry handles them too
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            HttpResponse<String> again = send("POST", "/api/admin/dead-letters/trades/" + poisoned + "/retry", alice,
                    null, Map.of());
            return again.statusCode() == 404 || json(again).get("remaining").asLong() == 0;
        });
        assertThat(send("GET", "/api/trades/" + poisoned, alice, null, Map.of()).statusCode()).isEqualTo(200);
        assertThat(send("POST", "/api/admin/dead-letters/trades/" + poisoned + "/retry", alice, null, Map.of())
                .statusCode()).isEqualTo(404);
    }

    @Test
    void evictsATradesParkedEventsOnRequest() {
        String bob = user("bob");
        projectedTrade(bob, "evict-key");
        String poisoned = poisonedTwinOf(bob, "evict-key");
        await().atMost(Duration.ofSeconds(20)).until(() -> json(send("GET",
                "/api/admin/dead-letters?trade=" + poisoned, bob, null, Map.of())).get("letters").size() > 0);

        assertThat(send("DELETE", "/api/admin/dead-letters/trades/" + "no-such-trade", bob, null, Map.of()).statusCode())
                .isEqualTo(404);
        assertThat(send("GET", "/api/admin/dead-letters?trade=" + "a%00b", bob, null, Map.of()).statusCode()).isEqualTo(400);
        JsonNode evicted = json(send("DELETE", "/api/admin/dead-letters/trades/" + poisoned, bob, null, Map.of()));
        assertThat(evicted.get("evicted").asInt()).isPositive();
        assertThat(evicted.get("remaining").asLong()).isZero();
        assertThat(ownerJdbc.queryForObject("select count(*) from dead_letter_entry where sequence_identifier = ?",
                Integer.class, poisoned)).isZero();
    }

    @Test
    void aBatchWhoseAnalyticsCannotBeWrittenParksOnlyTheEventThatCausedIt() {
        String carol = user("carol");
        String dave = user("dave");
        String first = openInAnalytics(carol, "an-1");
        // the totals row can take no further open trade: the next one's write fails when the batch is written
        ownerJdbc.update("update analytics_strategy_stats set open_trades = 2147483647 where username = ? and strategy = 'dlq'",
                carol);

        String blocked = json(placeTrade(carol, "an-2", MARKET_DLQ)).get("tradeId").asText();
        String other = openInAnalytics(dave, "an-3");

        await().atMost(Duration.ofSeconds(30)).until(() -> ownerJdbc.queryForObject(
                "select count(*) from dead_letter_entry where processing_group = 'analytics-portfolio' and sequence_identifier = ?",
                Integer.class, blocked) > 0);
        assertThat(ownerJdbc.queryForObject("select payload_type from dead_letter_entry where processing_group = "
                + "'analytics-portfolio' and sequence_identifier = ? order by sequence_index limit 1", String.class, blocked))
                .isEqualTo(TradeOpenedEvent.class.getName());
        assertThat(analyticsStatus(other)).isEqualTo("OPEN");
        assertThat(analyticsStatus(first)).isEqualTo("OPEN");

        // the cause gone, a retry writes the parked event: the trade and its strategy's totals count it
        ownerJdbc.update("update analytics_strategy_stats set open_trades = 1 where username = ? and strategy = 'dlq'", carol);
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            HttpResponse<String> again = send("POST", "/api/admin/dead-letters/analytics-portfolio/" + blocked + "/retry",
                    carol, null, Map.of());
            return again.statusCode() == 404 || json(again).get("remaining").asLong() == 0;
        });
        assertThat(analyticsStatus(blocked)).isEqualTo("OPEN");
        assertThat(ownerJdbc.queryForObject("select open_trades from analytics_strategy_stats where username = ? and "
                + "strategy = 'dlq'", Integer.class, carol)).isEqualTo(2);
    }

    @Test
    void aTradeWhoseFoldedEventsCannotBeWrittenParksOnlyTheEventThatCausedIt() {
        String erin = user("erin");
        String frank = user("frank");
        String blocked = TradeId.forSubmission(erin, "held-1").value();
        // the trade's row cannot become OPEN: its TradeOpened is folded with the fill's other event and written
        // once, so the failure comes with neither event to blame until the batch is handled again event by event
        ownerJdbc.execute("""
                create or replace function dlq_refuse_open() returns trigger language plpgsql as $$
                begin
                    if new.id = '%s' and new.status = 'OPEN' then
                        raise exception 'refused for the test';
                    end if;
                    return new;
                end $$""".formatted(blocked));
        ownerJdbc.execute("create trigger dlq_refuse_open before update on paper_trades for each row "
                + "execute function dlq_refuse_open()");
        try {
            assertThat(json(placeTrade(erin, "held-1", MARKET_DLQ)).get("tradeId").asText()).isEqualTo(blocked);
            String other = json(placeTrade(frank, "held-2", MARKET_DLQ)).get("tradeId").asText();

            await().atMost(Duration.ofSeconds(30)).until(() -> ownerJdbc.queryForObject(
                    "select count(*) from dead_letter_entry where processing_group = 'trades' and sequence_identifier = ?",
                    Integer.class, blocked) > 0);
            assertThat(ownerJdbc.queryForList("select payload_type from dead_letter_entry where processing_group = "
                    + "'trades' and sequence_identifier = ? order by sequence_index", String.class, blocked))
                    .first().isEqualTo(TradeOpenedEvent.class.getName());
            await().atMost(Duration.ofSeconds(20)).until(() -> "OPEN".equals(status(frank, other)));
            assertThat(status(erin, blocked)).as("the events before it were written").isEqualTo("PENDING");
            assertThat(json(send("GET", "/api/trades/" + blocked, erin, null, Map.of())).path("brokerOrderId")
                    .isTextual()).as("its order recorded").isTrue();
        } finally {
            ownerJdbc.execute("drop trigger if exists dlq_refuse_open on paper_trades");
            ownerJdbc.execute("drop function if exists dlq_refuse_open()");
        }

        await().atMost(Duration.ofSeconds(20)).until(() -> {
            HttpResponse<String> again = send("POST", "/api/admin/dead-letters/trades/" + blocked + "/retry", erin,
                    null, Map.of());
            return again.statusCode() == 404 || json(again).get("remaining").asLong() == 0;
        });
        assertThat(status(erin, blocked)).isEqualTo("OPEN");
    }

    private String status(String user, String tradeId) {
        HttpResponse<String> r = send("GET", "/api/trades/" + tradeId, user, null, Map.of());
        return r.statusCode() == 200 ? json(r).get("status").asText() : null;
    }

    private static final String MARKET_DLQ = """
            {"symbol":"AAPL","side":"BUY","quantity":1,"orderType":"MARKET","strategy":"dlq"}""";

    private String openInAnalytics(String user, String key) {
        String id = json(placeTrade(user, key, MARKET_DLQ)).get("tradeId").asText();
        await().atMost(Duration.ofSeconds(20)).until(() -> "OPEN".equals(analyticsStatus(id)));
        return id;
    }

    private String analyticsStatus(String tradeId) {
        return ownerJdbc.query("select status from analytics_trades where trade_id = ?",
                (rs, n) -> rs.getString(1), tradeId).stream().findFirst().orElse(null);
    }

    private String projectedTrade(String user, String key) {
        String id = json(placeTrade(user, key, """
                {"symbol":"IBM","side":"BUY","quantity":1,"orderType":"LIMIT","limitPrice":1}""")).get("tradeId").asText();
        await().atMost(Duration.ofSeconds(10)).until(() ->
                send("GET", "/api/trades/" + id, user, null, Map.of()).statusCode() == 200);
        return id;
    }

    /**
     * A second trade claiming the same (username, idempotency key) cannot be projected: the read model's unique
     * key refuses it. Such an event can only come from outside the command API, which is the point.
     */
    private String poisonedTwinOf(String user, String key) {
        String poisoned = UUID.randomUUID().toString();
        TradeOrder order = new TradeOrder(Instrument.stock("IBM"), Side.BUY, 1, OrderType.LIMIT, Money.of("1"),
                null, null, null, null);
        eventStore.publish(new GenericDomainEventMessage<>("Trade", poisoned, 0,
                new TradePlacedEvent(new TradeId(poisoned), user, order, key, order.fingerprint(), Instant.now())));
        return poisoned;
    }
}
