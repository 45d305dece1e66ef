package io.papertrading.query.support;

import io.papertrading.kernel.error.ValidationFailedException;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** Parsing of query parameters shared by the query API's controllers; a bad value is a 400 naming the field. */
public final class RequestParams {

    private RequestParams() {
    }

    /** An ISO-8601 instant ({@code 2026-02-19T14:30:00Z}), or a date {@code YYYY-MM-DD} meaning its start in UTC. */
    public static Instant instant(String field, String value) {
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            try {
                return LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException again) {
                throw ValidationFailedException.of(field, "an ISO-8601 instant such as 2026-02-19T14:30:00Z");
            }
        }
    }

    /** A date {@code YYYY-MM-DD}. */
    public static LocalDate date(String field, String value) {
        try {
            return LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            throw ValidationFailedException.of(field, "a date YYYY-MM-DD");
        }
    }
}
