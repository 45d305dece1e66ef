package io.papertrading.app.web;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.papertrading.kernel.error.FieldError;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.HttpMessageNotReadableException;

import java.math.BigDecimal;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a body the strict reader refused into a {@code 400} naming the field and what it must be. Jackson's
 * own messages name Java classes and echo input, so none of them reaches the client.
 */
final class JsonRefusals {

    private static final Pattern DUPLICATE = Pattern.compile("Duplicate field '([^']*)'");
    private static final Pattern PRINTABLE_NAME = Pattern.compile("[A-Za-z0-9_$-]{1,64}");

    private JsonRefusals() {
    }

    static ProblemDetail problem(HttpMessageNotReadableException e) {
        if (tooLarge(e)) {
            return BodyLimitFilter.tooLarge();
        }
        Throwable cause = e.getCause();
        if (cause == null) {
            return refused("body", "required: a JSON object");
        }
        if (cause instanceof StreamConstraintsException) {
            return refused("body", "nested deeper than " + StrictJsonConfiguration.MAX_NESTING
                    + " levels, or a number longer than " + StrictJsonConfiguration.MAX_NUMBER_LENGTH + " digits");
        }
        if (cause instanceof UnrecognizedPropertyException unknown) {
            return refused(path(unknown), "unknown field; the fields are " + names(unknown.getKnownPropertyIds()));
        }
        if (cause instanceof StrictJsonConfiguration.RefusedTextException text) {
            return refused(path(text), "control characters are not allowed");
        }
        if (cause instanceof MismatchedInputException mismatch) {
            String field = path(mismatch);
            return refused(field, field.equals("body") ? "required: a JSON object" : expected(mismatch.getTargetType()));
        }
        if (cause instanceof JsonMappingException mapping) {
            return refused(path(mapping), "invalid value");
        }
        if (cause instanceof InputCoercionException coercion) {
            return refused(currentName(coercion), "a number out of range");
        }
        if (cause instanceof JsonParseException parse) {
            Matcher duplicate = DUPLICATE.matcher(Objects.toString(parse.getOriginalMessage(), ""));
            if (duplicate.find()) {
                return refused(printable(duplicate.group(1)), "appears more than once");
            }
        }
        return refused("body", "not valid JSON");
    }

    static boolean tooLarge(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BodyLimitFilter.BodyTooLargeException) {
                return true;
            }
        }
        return false;
    }

    private static ProblemDetail refused(String field, String message) {
        return ProblemDetailsAdvice.validation("the request body is not valid JSON of the expected shape",
                List.of(new FieldError(field, message)));
    }

    private static String expected(Class<?> type) {
        if (type == null) {
            return "a value of another type";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "an integer (no fraction, not a string)";
        }
        if (type == BigDecimal.class || Number.class.isAssignableFrom(type) || type == double.class) {
            return "a number (not a string)";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        if (type.isEnum()) {
            return "one of " + names(List.of(type.getEnumConstants()));
        }
        return "an object";
    }

    private static String path(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(printable(ref.getFieldName()));
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.isEmpty() ? "body" : path.toString();
    }

    private static String currentName(JsonProcessingException e) {
        try {
            if (e.getProcessor() instanceof com.fasterxml.jackson.core.JsonParser parser && parser.currentName() != null) {
                return printable(parser.currentName());
            }
        } catch (RuntimeException | java.io.IOException ignored) {
            // the parser may already be closed: the body is the best we can name
        }
        return "body";
    }

    /** A client's field name, echoed only when it is plainly printable. */
    private static String printable(String name) {
        return PRINTABLE_NAME.matcher(name).matches() ? name : "(an unprintable field name)";
    }

    private static String names(Collection<?> values) {
        TreeSet<String> sorted = new TreeSet<>();
        values.forEach(v -> sorted.add(String.valueOf(v)));
        return String.join(", ", sorted);
    }
}
