package io.papertrading.app;

import io.papertrading.kernel.instrument.Instrument;
import io.papertrading.kernel.money.Money;
import io.papertrading.kernel.trade.OrderType;
import io.papertrading.kernel.trade.Side;
import io.papertrading.kernel.trade.TradeId;
import io.papertrading.kernel.trade.TradeOrder;
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
        String first = json(placeTrade(alice, "dup-key", """
                {"symbol":"IBM","side":"BUY","quantity":1,"orderType":"LIMIT","limitPrice":1}""")).get("tradeId").asText();
        await().atMost(Duration.ofSeconds(10)).until(() ->
                send("GET", "/api/trades/" + first, alice, null, Map.of()).statusCode() == 200);

        // A second trade claiming the same (username, idempotency key) cannot be projected: the read model's
        // unique key refuses it. Such an event can only come from outside the command API, which is the point.
        String poisoned = UUID.randomUUID().toString();
        TradeOrder order = new TradeOrder(Instrument.stock("IBM"), Side.BUY, 1, OrderType.LIMIT, Money.of("1"),
                null, null, null, null);
        eventStore.publish(new GenericDomainEventMessage<>("Trade", poisoned, 0,
                new TradePlacedEvent(new TradeId(poisoned), alice, order, "dup-key", order.fingerprint(), Instant.now())));

        String after = json(placeTrade(alice, "after-poison", """
                {"symbol":"IBM","side":"BUY","quantity":2,"orderType":"LIMIT","limitPrice":1}""")).get("tradeId").asText();

        await().atMost(Duration.ofSeconds(20)).until(() ->
                send("GET", "/api/trades/" + after, alice, null, Map.of()).statusCode() == 200);
        // The poisoned TradePlaced heads its trade's sequence; the trade's later events (the saga may already have
        // placed and recorded its order) are parked behind it, never applied out of order.
        await().atMost(Duration.ofSeconds(20)).until(() -> ownerJdbc.queryForObject(
                "select count(*) from dead_letter_entry where processing_group = 'trades' and sequence_identifier = ?"
                        + " and sequence_index = 0", Integer.class, poisoned) == 1);
        assertThat(send("GET", "/api/trades/" + poisoned, alice, null, Map.of()).statusCode()).isEqualTo(404);
        String head = ownerJdbc.queryForObject("""
                select payload_type || ' ' || cause_type from dead_letter_entry
                where processing_group = 'trades' and sequence_identifier = ? and sequence_index = 0""",
                String.class, poisoned);
        assertThat(head).startsWith(TradePlacedEvent.class.getName()).contains("DuplicateKey");
    }
}
