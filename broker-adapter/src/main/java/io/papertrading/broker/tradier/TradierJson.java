package io.papertrading.broker.tradier;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.papertrading.kernel.money.Money;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reading Tradier's JSON defensively. Tradier sends one item as an object and several as an array, empty lists
 * as the string "null" (or JSON null), numbers that must stay exact, and timestamps in three styles.
 */
final class TradierJson {

    /** Floats become BigDecimal at parse time: a price must never pass through a double. */
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    // Timestamps without a zone come from a US broker's systems; Eastern time is the market's clock.
    private static final ZoneId MARKET_ZONE = ZoneId.of("America/New_York");
    private static final long SECONDS_BELOW = 100_000_000_000L;

    private TradierJson() {
    }

    /** {@code parent.wrapper.item} as a list, whatever shape Tradier chose for it. */
    static List<JsonNode> list(JsonNode parent, String wrapper, String item) {
        JsonNode container = parent.path(wrapper);
        return container.isObject() ? items(container.path(item)) : List.of();
    }

    /** An array's elements, a lone object or value as one element, and nothing for null, "null" or absence. */
    static List<JsonNode> items(JsonNode node) {
        if (node.isArray()) {
            List<JsonNode> out = new ArrayList<>();
            node.forEach(out::add);
            return out;
        }
        if (node.isMissingNode() || node.isNull() || (node.isTextual() && "null".equals(node.asText()))) {
            return List.of();
        }
        return List.of(node);
    }

    static String text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isValueNode() && !v.isNull() ? v.asText() : null;
    }

    static BigDecimal decimal(JsonNode node, String field) {
        JsonNode v = node.path(field);
        if (v.isNumber()) {
            return v.decimalValue();
        }
        if (v.isTextual()) {
            try {
                return new BigDecimal(v.asText().trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    static Money money(JsonNode node, String field) {
        return Money.of(decimal(node, field));
    }

    static Long whole(JsonNode node, String field) {
        BigDecimal v = decimal(node, field);
        return v == null ? null : v.longValue();
    }

    /** Epoch seconds or milliseconds (values below 10^11 are seconds); 0 means "never" and reads as null. */
    static Instant epoch(JsonNode node, String field) {
        Long v = whole(node, field);
        if (v == null || v == 0) {
            return null;
        }
        return v < SECONDS_BELOW ? Instant.ofEpochSecond(v) : Instant.ofEpochMilli(v);
    }

    /** ISO-8601 with or without zone, or "yyyy-MM-dd HH:mm:ss"; unreadable text reads as null. */
    static Instant timestamp(JsonNode node, String field) {
        String text = text(node, field);
        if (text == null || text.isBlank()) {
            return null;
        }
        String iso = text.trim().replace(' ', 'T');
        try {
            return OffsetDateTime.parse(iso).toInstant();
        } catch (DateTimeParseException withoutZone) {
            try {
                return LocalDateTime.parse(iso).atZone(MARKET_ZONE).toInstant();
            } catch (DateTimeParseException unreadable) {
                return null;
            }
        }
    }

    /** The text of an {@code {"errors":{"error": "..." | [...]}}} envelope, if the body is one. */
    static Optional<String> errors(JsonNode root) {
        JsonNode errors = root.path("errors");
        if (errors.isMissingNode() || errors.isNull()) {
            return Optional.empty();
        }
        List<String> messages = new ArrayList<>();
        for (JsonNode e : items(errors.isObject() ? errors.path("error") : errors)) {
            messages.add(e.isValueNode() ? e.asText() : e.toString());
        }
        return Optional.of(messages.isEmpty() ? "unspecified error" : String.join("; ", messages));
    }
}
