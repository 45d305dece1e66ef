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

    /** Earliest and latest dates a query accepts: outside them PostgreSQL's own range ends, or nothing exists. */
    public static final LocalDate EARLIEST = LocalDate.of(1970, 1, 1);
    public static final LocalDate LATEST = LocalDate.of(9999, 12, 31);

    /**
     * An ISO-8601 instant ({@code 2026-02-19T14:30:00Z}), or a date {@code YYYY-MM-DD} meaning its start in UTC,
     * between {@link #EARLIEST} and {@link #LATEST}.
     */
    public static Instant instant(String field, String value) {
        Instant instant;
        try {
            instant = Instant.parse(value);
        } catch (DateTimeParseException e) {
            try {
                instant = LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException again) {
                throw ValidationFailedException.of(field, "an ISO-8601 instant such as 2026-02-19T14:30:00Z");
            }
        }
        inRange(field, instant.atZone(ZoneOffset.UTC).toLocalDate());
        return instant;
    }

    /** A date {@code YYYY-MM-DD} between {@link #EARLIEST} and {@link #LATEST}. */
    public static LocalDate date(String field, String value) {
        LocalDate date;
        try {
            date = LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            throw ValidationFailedException.of(field, "a date YYYY-MM-DD");
        }
        return inRange(field, date);
    }

    private static LocalDate inRange(String field, LocalDate date) {
        if (date.isBefore(EARLIEST) || date.isAfter(LATEST)) {
            throw ValidationFailedException.of(field, "between " + EARLIEST + " and " + LATEST);
        }
        return date;
    }
}
