package io.papertrading.query.trade;

import io.papertrading.kernel.error.FieldError;
import io.papertrading.kernel.error.ValidationFailedException;
import io.papertrading.kernel.trade.TradeStatus;
import io.papertrading.query.support.RequestParams;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns the raw query parameters of {@code GET /api/trades} into a {@link FindTradesQuery}, or a
 * {@link ValidationFailedException} naming every bad parameter. Messages never echo the input back.
 */
final class TradeListParameters {

    static final int MAX_PAGE = 1_000_000;
    /** Either case; upper-cased once it matched. */
    private static final Pattern SYMBOL = Pattern.compile("[A-Za-z.]{1,10}");
    private static final int MAX_STRATEGY = 64;

    private TradeListParameters() {
    }

    static FindTradesQuery parse(String username, List<String> status, String symbol, String strategy, String from,
                                 String to, String page, String size) {
        List<FieldError> errors = new ArrayList<>();
        Set<TradeStatus> statuses = statuses(status, errors);
        String parsedSymbol = null;
        if (present(symbol)) {
            // matched before upper-casing: Unicode case rules would turn look-alikes (U+017F) into S
            if (SYMBOL.matcher(symbol.trim()).matches()) {
                parsedSymbol = symbol.trim().toUpperCase(Locale.ROOT);
            } else {
                errors.add(new FieldError("symbol", "1-10 characters of A-Z and '.'"));
            }
        }
        String parsedStrategy = null;
        if (present(strategy)) {
            parsedStrategy = strategy.trim();
            if (parsedStrategy.length() > MAX_STRATEGY) {
                errors.add(new FieldError("strategy", "at most " + MAX_STRATEGY + " characters"));
            }
        }
        LocalDate fromDate = date("from", from, errors);
        LocalDate toDate = date("to", to, errors);
        if (fromDate != null && toDate != null && fromDate.isAfter(toDate)) {
            errors.add(new FieldError("to", "must not be before from"));
        }
        int pageNumber = integer("page", page, 0, 0, MAX_PAGE, errors);
        int pageSize = integer("size", size, FindTradesQuery.DEFAULT_SIZE, 1, FindTradesQuery.MAX_SIZE, errors);
        if (!errors.isEmpty()) {
            throw new ValidationFailedException(errors);
        }
        return new FindTradesQuery(username, statuses, parsedSymbol, parsedStrategy, fromDate, toDate, pageNumber, pageSize);
    }

    /**
     * A {@code minVersion} parameter: absent → 0 (do not wait); else an integer &gt;= 1.
     */
    static long minVersion(String value) {
        if (!present(value)) {
            return 0;
        }
        try {
            long parsed = Long.parseLong(value.trim());
            if (parsed >= 1) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ValidationFailedException.of("minVersion", "an integer >= 1");
    }

    private static Set<TradeStatus> statuses(List<String> raw, List<FieldError> errors) {
        Set<TradeStatus> statuses = EnumSet.noneOf(TradeStatus.class);
        if (raw == null) {
            return statuses;
        }
        for (String value : raw.stream().flatMap(v -> Arrays.stream(v.split(","))).map(String::trim)
                .filter(v -> !v.isEmpty()).toList()) {
            try {
                statuses.add(TradeStatus.valueOf(value));
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError("status", "each status must be one of " + Arrays.toString(TradeStatus.values())));
                break;
            }
        }
        return statuses;
    }

    private static LocalDate date(String field, String value, List<FieldError> errors) {
        if (!present(value)) {
            return null;
        }
        try {
            return RequestParams.date(field, value.trim());
        } catch (ValidationFailedException e) {
            errors.addAll(e.errors());
            return null;
        }
    }

    private static int integer(String field, String value, int fallback, int min, int max, List<FieldError> errors) {
        if (!present(value)) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(value.trim());
            if (parsed >= min && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        errors.add(new FieldError(field, "an integer from " + min + " to " + max));
        return fallback;
    }

    private static boolean present(String value) {
        return value != null && !value.isBlank();
    }
}
