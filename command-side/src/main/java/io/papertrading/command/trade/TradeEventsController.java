package io.papertrading.command.trade;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.papertrading.kernel.error.TradeNotFoundException;
import io.papertrading.kernel.trade.event.TradePlacedEvent;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

import java.security.Principal;
import java.time.Instant;
import java.util.List;

/**
 * A trade's own event stream, straight from the event store: the audit trail as it was recorded. Another
 * user's trade answers 404, exactly like an unknown one.
 */
@RestController
class TradeEventsController {

    private final EventStore eventStore;
    private final ObjectMapper mapper;

    TradeEventsController(EventStore eventStore, ObjectMapper mapper) {
        this.eventStore = eventStore;
        this.mapper = mapper;
    }

    record StoredEvent(long sequence, String type, Instant occurredAt, JsonNode payload) {
    }

    @GetMapping("/api/trades/{id}/events")
    List<StoredEvent> events(@PathVariable String id, Principal principal) {
        List<? extends DomainEventMessage<?>> stream = eventStore.readEvents(id).asStream().toList();
        if (stream.isEmpty() || !(stream.get(0).getPayload() instanceof TradePlacedEvent placed)
                || !placed.username().equals(principal.getName())) {
            throw new TradeNotFoundException(id);
        }
        return stream.stream().map(this::toView).toList();
    }

    private StoredEvent toView(DomainEventMessage<?> message) {
        String type = message.getPayloadType().getSimpleName().replaceFirst("Event$", "");
        return new StoredEvent(message.getSequenceNumber(), type, message.getTimestamp(),
                mapper.valueToTree(message.getPayload()));
    }
}
