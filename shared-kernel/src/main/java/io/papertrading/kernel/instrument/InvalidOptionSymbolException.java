package io.papertrading.kernel.instrument;

/** A string that is not a well-formed OCC option symbol; the message says what is wrong with it. */
public class InvalidOptionSymbolException extends IllegalArgumentException {
    public InvalidOptionSymbolException(String reason) {
        super(reason);
    }
}
