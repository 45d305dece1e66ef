package io.papertrading.kernel.error;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Small checks shared by every request validator, each adding a {@link FieldError} instead of throwing. */
public final class FieldChecks {

    private FieldChecks() {
    }

    /**
     * The constant of {@code type} named by {@code value} (case-insensitive), or null after adding an error that
     * lists the allowed names.
     */
    public static <E extends Enum<E>> E enumValue(Class<E> type, String value, String field, List<FieldError> errors) {
        if (value != null) {
            for (E e : type.getEnumConstants()) {
                if (e.name().equals(value.toUpperCase(Locale.ROOT))) {
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
}
