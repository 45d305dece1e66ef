package io.papertrading.kernel.trade;

import io.papertrading.kernel.error.FieldChecks;
import io.papertrading.kernel.error.FieldError;
import io.papertrading.kernel.error.ValidationFailedException;
import io.papertrading.kernel.instrument.Instrument;
import io.papertrading.kernel.instrument.InvalidOptionSymbolException;
import io.papertrading.kernel.instrument.OptionSymbol;
import io.papertrading.kernel.money.Money;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What a user asked to trade, validated: the entry order with its optional brackets and labels. Build one with
 * {@link #validated}; every rule of the contract lives there, so the REST layer and the aggregate agree.
 */
public record TradeOrder(Instrument instrument, Side side, int quantity, OrderType orderType, Money limitPrice,
                         Money stopLoss, Money takeProfit, String strategy, String notes) {

    public static final int MAX_QUANTITY = 10_000;
    public static final int MAX_NOTES = 2000;
    public static final int MAX_STRATEGY = 64;
    private static final Pattern SYMBOL = Pattern.compile("[A-Z.]{1,10}");
    private static final BigDecimal MAX_PRICE = new BigDecimal("1000000");

    /**
     * Validates raw request values and builds the order, or throws {@link ValidationFailedException} listing
     * every invalid field. {@code today} is the trading date used to refuse expired option contracts.
     */
    public static TradeOrder validated(String symbol, String optionSymbol, String side, Integer quantity,
                                       String orderType, BigDecimal limitPrice, BigDecimal stopLoss,
                                       BigDecimal takeProfit, String strategy, String notes, LocalDate today) {
        List<FieldError> errors = new ArrayList<>();
        if (symbol == null || !SYMBOL.matcher(symbol).matches()) {
            errors.add(new FieldError("symbol", "required: 1-10 characters of A-Z and '.'"));
        }
        OptionSymbol option = null;
        if (optionSymbol != null) {
            try {
                option = OptionSymbol.parse(optionSymbol);
                if (symbol != null && !option.root().equals(symbol)) {
                    errors.add(new FieldError("optionSymbol", "root " + option.root() + " does not match symbol " + symbol));
                }
                if (option.expiry().isBefore(today)) {
                    errors.add(new FieldError("optionSymbol", "contract expired on " + option.expiry()));
                }
            } catch (InvalidOptionSymbolException e) {
                errors.add(new FieldError("optionSymbol", "not an OCC option symbol: " + e.getMessage()));
            }
        }
        Side parsedSide = FieldChecks.enumValue(Side.class, side, "side", errors);
        if (quantity == null || quantity < 1 || quantity > MAX_QUANTITY) {
            errors.add(new FieldError("quantity", "required: an integer from 1 to " + MAX_QUANTITY));
        }
        OrderType parsedType = FieldChecks.enumValue(OrderType.class, orderType, "orderType", errors);
        if (parsedType == OrderType.LIMIT && limitPrice == null) {
            errors.add(new FieldError("limitPrice", "required for a LIMIT order"));
        }
        if (parsedType == OrderType.MARKET && limitPrice != null) {
            errors.add(new FieldError("limitPrice", "must be absent for a MARKET order"));
        }
        checkPrice("limitPrice", limitPrice, errors);
        checkPrice("stopLoss", stopLoss, errors);
        checkPrice("takeProfit", takeProfit, errors);
        if (parsedSide != null) {
            checkBrackets(parsedSide, parsedType == OrderType.LIMIT ? limitPrice : null, stopLoss, takeProfit, errors);
        }
        FieldChecks.text("strategy", strategy, MAX_STRATEGY, false, errors);
        if (notes != null && notes.length() > MAX_NOTES) {
            errors.add(new FieldError("notes", "at most " + MAX_NOTES + " characters"));
        }
        FieldChecks.noControl("notes", notes, true, errors);
        if (!errors.isEmpty()) {
            throw new ValidationFailedException(errors);
        }
        Instrument instrument = option != null ? Instrument.option(option) : Instrument.stock(symbol);
        return new TradeOrder(instrument, parsedSide, quantity, parsedType, Money.of(limitPrice), Money.of(stopLoss),
                Money.of(takeProfit), strategy, notes);
    }

    /**
     * Checks that brackets sit on the right side of the entry: for a long, stop loss below and take profit
     * above the entry reference (mirrored for a short). Without a reference price only their order is checked.
     */
    public static void checkBrackets(Side side, BigDecimal reference, BigDecimal stopLoss, BigDecimal takeProfit,
                                     List<FieldError> errors) {
        int dir = side == Side.BUY ? 1 : -1;
        if (stopLoss != null && takeProfit != null && stopLoss.compareTo(takeProfit) * dir >= 0) {
            errors.add(new FieldError("stopLoss", side == Side.BUY
                    ? "must be below takeProfit for a BUY" : "must be above takeProfit for a SELL"));
        }
        if (reference != null && stopLoss != null && stopLoss.compareTo(reference) * dir >= 0) {
            errors.add(new FieldError("stopLoss", side == Side.BUY
                    ? "must be below the entry price for a BUY" : "must be above the entry price for a SELL"));
        }
        if (reference != null && takeProfit != null && takeProfit.compareTo(reference) * dir <= 0) {
            errors.add(new FieldError("takeProfit", side == Side.BUY
                    ? "must be above the entry price for a BUY" : "must be below the entry price for a SELL"));
        }
    }

    /** Adds an error when a given price is not positive, not below 1,000,000 or has more than 4 decimals. */
    public static void checkPrice(String field, BigDecimal value, List<FieldError> errors) {
        if (value == null) {
            return;
        }
        if (value.signum() <= 0) {
            errors.add(new FieldError(field, "must be greater than 0"));
        } else if (value.compareTo(MAX_PRICE) >= 0) {
            errors.add(new FieldError(field, "must be below 1000000"));
        } else if (value.stripTrailingZeros().scale() > 4) {
            errors.add(new FieldError(field, "at most 4 decimals"));
        }
    }

    /** Shares per unit of quantity (100 for options). */
    public BigDecimal multiplier() {
        return instrument.multiplier();
    }

    /**
     * A stable digest of the order's content, so a retry with the same Idempotency-Key can be told apart from
     * a different request reusing the key. Numbers are compared by value (2.1 and 2.10 are the same request).
     */
    public String fingerprint() {
        StringBuilder canonical = new StringBuilder();
        for (String part : new String[]{instrument.symbol(), instrument.isOption() ? instrument.optionSymbol().occ() : "",
                side.name(), Integer.toString(quantity), orderType.name(), plain(limitPrice), plain(stopLoss),
                plain(takeProfit), nullToEmpty(strategy), nullToEmpty(notes)}) {
            // length-prefixed so that no free-text field can imitate a field boundary
            canonical.append(part.length()).append(':').append(part);
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static String plain(Money m) {
        return m == null ? "" : m.amount().stripTrailingZeros().toPlainString();
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
