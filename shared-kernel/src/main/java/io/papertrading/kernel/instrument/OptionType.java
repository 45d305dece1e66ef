package io.papertrading.kernel.instrument;

/** Call or put, as the OCC symbol's C or P. */
public enum OptionType {
    CALL('C'), PUT('P');

    private final char code;

    OptionType(char code) {
        this.code = code;
    }

    /** The OCC letter for this type. */
    public char code() {
        return code;
    }

    static OptionType fromCode(char c) {
        return switch (c) {
            case 'C' -> CALL;
            case 'P' -> PUT;
            default -> throw new InvalidOptionSymbolException("option type must be C or P, was '" + c + "'");
        };
    }
}
