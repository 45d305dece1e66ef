package io.papertrading.kernel.error;

import java.util.ArrayList;
import java.util.List;
import java.math.BigDecimal;

/** Small checks shared by every request validator, each adding a {@link FieldError} instead of throwing. */
public final class FieldChecks {

    private FieldChecks() {
    }

    /**
     * The constant of {@code type} named exactly by {@code value} (its ASCII name: no other case, no look-alike
     * letters), or null after adding an error that lists the allowed names.
     */
    public static <E extends Enum<E>> E enumValue(Class<E> type, String value, String field, List<FieldError> errors) {
        if (value != null) {
            for (E e : type.getEnumConstants()) {
                if (e.name().equals(value)) {
                    return e;
                }
            }
        }
        List<String> names = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            names.add(e.name());
        }
        errors.add(new FieldError(field, "required: one of " + String.join(", ", names)));
        return null;
    }

    /**
     * Adds an error unless {@code value} (when given) has 1 to {@code max} characters, is not blank and holds no
     * control character; {@code multiline} text may hold tabs and line breaks. PostgreSQL cannot store NUL, so
     * text that passed here with one would poison the read model.
     */
    public static void text(String field, String value, int max, boolean multiline, List<FieldError> errors) {
        if (value == null) {
            return;
        }
        if (value.isBlank() || value.length() > max) {
            errors.add(new FieldError(field, "1-" + max + " characters, not blank"));
        } else {
            noControl(field, value, multiline, errors);
        }
    }

    /**
     * Refuses a required text (a note, say) that is missing, blank, longer than {@code max} or holds a control
     * character, with every problem found.
     */
    public static void requireText(String field, String value, int max, boolean multiline) {
        List<FieldError> errors = new ArrayList<>();
        if (value == null) {
            errors.add(new FieldError(field, "required: 1-" + max + " characters"));
        }
        text(field, value, max, multiline, errors);
        if (!errors.isEmpty()) {
            throw new ValidationFailedException(errors);
        }
    }

    /** Adds an error when {@code value} holds a control character (tabs and line breaks allowed if multiline). */
    public static void noControl(String field, String value, boolean multiline, List<FieldError> errors) {
        if (value != null && hasControl(value, multiline)) {
            errors.add(new FieldError(field, multiline
                    ? "control characters other than tab and line breaks are not allowed"
                    : "control characters are not allowed"));
        }
    }

    /**
     * Adds an error unless {@code value} (when given) is greater than {@code exclusiveMin}, below
     * {@code exclusiveMax} and has at most 4 decimals, the precision every amount is stored with.
     */
    public static void amount(String field, BigDecimal value, BigDecimal exclusiveMin, BigDecimal exclusiveMax,
                              List<FieldError> errors) {
        if (value == null) {
            return;
        }
        if (value.compareTo(exclusiveMin) <= 0 || value.compareTo(exclusiveMax) >= 0) {
            errors.add(new FieldError(field, "greater than " + exclusiveMin.toPlainString() + " and below "
                    + exclusiveMax.toPlainString()));
        } else if (value.stripTrailingZeros().scale() > 4) {
            errors.add(new FieldError(field, "at most 4 decimals"));
        }
    }

    /**
     * Whether {@code value} holds a C0 control (tab and line breaks allowed when {@code multiline}), DEL, a C1
     * control, or a UTF-16 surrogate that does not pair up.
     */
    public static boolean hasControl(String value, boolean multiline) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean lineBreakOrTab = c == '\t' || c == '\n' || c == '\r';
            if ((c < 0x20 && !(multiline && lineBreakOrTab)) || (c >= 0x7F && c <= 0x9F)) {
                return true;
            }
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                    i++;
                } else {
                    return true;
                }
            }
        }
        return false;
    }
}
