package io.papertrading.kernel.error;

import java.util.List;

/** A request whose content is invalid; {@link #errors()} names each offending field. */
public final class ValidationFailedException extends RequestRefusedException {
    private final List<FieldError> errors;

    public ValidationFailedException(List<FieldError> errors) {
        super(ErrorCode.VALIDATION_FAILED, "the request has " + errors.size() + " invalid field(s)");
        this.errors = List.copyOf(errors);
    }

    public static ValidationFailedException of(String field, String message) {
        return new ValidationFailedException(List.of(new FieldError(field, message)));
    }

    public List<FieldError> errors() {
        return errors;
    }
}
