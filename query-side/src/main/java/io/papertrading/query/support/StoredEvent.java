package io.papertrading.query.support;

/**
 * One event as a bulk rebuild reads it from the event store: its position in the store's global order, its
 * sequence number in its aggregate's stream (what a handler's {@code @SequenceNumber} gets), its identifier (a
 * handler's {@code @MessageIdentifier}) and its payload, upcast and deserialized as the event store would.
 */
public record StoredEvent(long globalIndex, long sequenceNumber, String eventId, Object payload) {
}
