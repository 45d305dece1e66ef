package io.papertrading.query.support;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.papertrading.kernel.money.Money;
import io.papertrading.kernel.trade.TradeId;
import io.papertrading.kernel.trade.event.PriceObservedEvent;
import io.papertrading.kernel.trade.event.TradeOpenedEvent;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.messaging.MetaData;
import org.axonframework.serialization.LazyDeserializingObject;
import org.axonframework.serialization.SerializedMessage;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.json.JacksonSerializer;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class TradeSequencingTest {

    private static final Instant AT = Instant.parse("2026-12-01T10:00:00Z");
    private final Serializer serializer = JacksonSerializer.builder()
            .objectMapper(JsonMapper.builder().addModule(new JavaTimeModule()).build()).build();

    @Test
    void sequencesATradesOwnEventByItsAggregateWithoutDeserializingIt() {
        LazyDeserializingObject<Object> payload = stored(new TradeOpenedEvent(new TradeId("t-1"), 3,
                new Money(new BigDecimal("187.23")), null, AT));
        var event = new GenericDomainEventMessage<>("Trade", "t-1", 2, message("e-1", payload), () -> AT);

        assertThat(TradeSequencing.BY_TRADE.getSequenceIdentifierFor(event)).isEqualTo("t-1");
        assertThat(payload.isDeserialized()).isFalse();
    }

    @Test
    void sequencesAPriceObservationStoredOutsideTheStreamWithItsTrade() {
        LazyDeserializingObject<Object> payload = stored(new PriceObservedEvent(new TradeId("t-1"), "alice",
                null, null, null, new Money(new BigDecimal("2.60")), null, null, null, AT));
        // the store keeps an event published outside a stream under its own id and no aggregate type
        var event = new GenericDomainEventMessage<>(null, "e-2", 0, message("e-2", payload), () -> AT);

        assertThat(TradeSequencing.BY_TRADE.getSequenceIdentifierFor(event)).isEqualTo("t-1");
    }

    @Test
    void leavesAnEventOfNoTradeToItsAggregate() {
        var event = new GenericDomainEventMessage<>(null, "e-3", 0, message("e-3", stored("not a trade's")), () -> AT);

        assertThat(TradeSequencing.BY_TRADE.getSequenceIdentifierFor(event)).isEqualTo("e-3");
    }

    private LazyDeserializingObject<Object> stored(Object payload) {
        return new LazyDeserializingObject<>(serializer.serialize(payload, byte[].class), serializer);
    }

    private static SerializedMessage<Object> message(String id, LazyDeserializingObject<Object> payload) {
        return new SerializedMessage<>(id, payload, new LazyDeserializingObject<>(MetaData.emptyInstance()));
    }
}
