package io.papertrading.kernel.instrument;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An OCC option symbol such as {@code AAPL260619C00260000}: root, expiry (YYMMDD), C/P and the strike in
 * thousandths over eight digits. The canonical form is unpadded (as Tradier writes it); the 21-character
 * padded form ({@code "AAPL  260619C00260000"}) is accepted on input.
 */
public record OptionSymbol(String root, LocalDate expiry, OptionType type, BigDecimal strike) {

    /** One contract controls this many shares. */
    public static final BigDecimal CONTRACT_MULTIPLIER = BigDecimal.valueOf(100);

    private static final String ROOT_FORM = "[A-Z][A-Z0-9.]{0,5}";
    private static final Pattern ROOT = Pattern.compile(ROOT_FORM);
    private static final Pattern OCC = Pattern.compile("(" + ROOT_FORM + ")(\\d{6})([A-Z])(\\d{8})");
    private static final Pattern PADDING = Pattern.compile("^(" + ROOT_FORM + ") +(?=\\d)");
    private static final String STRIKE_RANGE = "strike must be > 0, at most 99999.999, with at most 3 decimals";
    private static final BigDecimal MAX_STRIKE = new BigDecimal("99999.999");

    public OptionSymbol {
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(expiry, "expiry");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(strike, "strike");
        if (!ROOT.matcher(root).matches()) {
            throw new InvalidOptionSymbolException("root must be 1-6 characters A-Z, 0-9 or '.', starting with a letter");
        }
        if (expiry.getYear() < 2000 || expiry.getYear() > 2099) {
            throw new InvalidOptionSymbolException("expiry must lie in 2000-2099");
        }
        if (strike.signum() <= 0 || strike.compareTo(MAX_STRIKE) > 0 || strike.stripTrailingZeros().scale() > 3) {
            throw new InvalidOptionSymbolException(STRIKE_RANGE);
        }
        strike = strike.setScale(3, RoundingMode.UNNECESSARY);
    }

    /** Parses an OCC symbol; throws {@link InvalidOptionSymbolException} naming what is malformed. */
    @JsonCreator
    public static OptionSymbol parse(String text) {
        return read(text, true);
    }

    /**
     * The OCC symbol {@code text} spells, or empty when it spells none (a stock symbol, say): one parse, and a "no"
     * costs no exception (the simulated market asks this of every symbol it quotes).
     */
    public static Optional<OptionSymbol> tryParse(String text) {
        return Optional.ofNullable(read(text, false));
    }

    /** Whether {@code text} parses as an OCC symbol. */
    public static boolean isOptionSymbol(String text) {
        return read(text, false) != null;
    }

    /** The symbol {@code text} spells; when it is malformed, throws ({@code strict}) or answers null. */
    private static OptionSymbol read(String text, boolean strict) {
        if (text == null || text.isBlank()) {
            return malformed(strict, "option symbol is empty");
        }
        // only the OCC padding between the root and the date may be blank; a space anywhere else is malformed
        String compact = PADDING.matcher(text.strip()).replaceFirst("$1");
        if (compact.length() > 21) {
            return malformed(strict, "option symbol is too long");
        }
        Matcher m = OCC.matcher(compact);
        if (!m.matches()) {
            return malformed(strict, "expected ROOT + YYMMDD + C|P + 8-digit strike, e.g. AAPL260619C00260000");
        }
        String yymmdd = m.group(2);
        LocalDate expiry;
        try {
            expiry = LocalDate.of(2000 + Integer.parseInt(yymmdd.substring(0, 2)),
                    Integer.parseInt(yymmdd.substring(2, 4)), Integer.parseInt(yymmdd.substring(4, 6)));
        } catch (DateTimeException e) {
            return malformed(strict, "expiry " + yymmdd + " is not a calendar date");
        }
        char code = m.group(3).charAt(0);
        if (code != 'C' && code != 'P') {
            return malformed(strict, "option type must be C or P, was '" + code + "'");
        }
        BigDecimal strike = new BigDecimal(m.group(4)).movePointLeft(3);
        if (strike.signum() <= 0) {
            return malformed(strict, STRIKE_RANGE);
        }
        // the pattern holds the root, the date's century and the strike's range and scale: the constructor accepts
        return new OptionSymbol(m.group(1), expiry, OptionType.fromCode(code), strike);
    }

    private static OptionSymbol malformed(boolean strict, String reason) {
        if (strict) {
            throw new InvalidOptionSymbolException(reason);
        }
        return null;
    }

    /** Value per contract at expiry for an underlying price: max(0, S-K) for a call, max(0, K-S) for a put. */
    public BigDecimal intrinsicValue(BigDecimal underlyingPrice) {
        BigDecimal diff = type == OptionType.CALL ? underlyingPrice.subtract(strike) : strike.subtract(underlyingPrice);
        return diff.signum() > 0 ? diff : BigDecimal.ZERO;
    }

    /** The canonical, unpadded OCC form. */
    @JsonValue
    public String occ() {
        String date = String.format("%02d%02d%02d", expiry.getYear() % 100, expiry.getMonthValue(), expiry.getDayOfMonth());
        long thousandths = strike.movePointRight(3).longValueExact();
        return root + date + type.code() + String.format("%08d", thousandths);
    }

    /** The 21-character OCC form with the root padded to six characters. */
    public String paddedOcc() {
        String occ = occ();
        return String.format("%-6s", root) + occ.substring(root.length());
    }

    @Override
    public String toString() {
        return occ();
    }
}
