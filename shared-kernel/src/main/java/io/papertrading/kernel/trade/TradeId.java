package io.papertrading.kernel.trade;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.UUID;

/**
 * Identity of a trade aggregate. Serialized as its raw string; {@link #toString()} is the raw value so that
 * Axon uses it verbatim as the aggregate identifier.
 */
public record TradeId(@JsonValue String value) {

    @JsonCreator
    public TradeId {
        Objects.requireNonNull(value, "trade id");
        if (value.isBlank()) {
            throw new IllegalArgumentException("trade id must not be blank");
        }
    }

    /**
     * The trade id for a user's submission: a name-based UUID of (username, idempotency key), so a retried
     * submission lands on the same aggregate and the event store refuses a second trade.
     */
    public static TradeId forSubmission(String username, String idempotencyKey) {
        // A NUL separator cannot occur in a username or a printable idempotency key, so ("a","bc") != ("ab","c").
        byte[] name = (username + '\u0000' + idempotencyKey).getBytes(StandardCharsets.UTF_8);
        return new TradeId(UUID.nameUUIDFromBytes(name).toString());
    }

    @Override
    public String toString() {
        return value;
    }
}
