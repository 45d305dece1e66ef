package io.papertrading.kernel.instrument;

import com.fasterxml.jackson.annotation.JsonIgnore;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * What a trade buys or sells: a stock ({@code optionSymbol == null}) or an option contract on {@code symbol}.
 */
public record Instrument(String symbol, OptionSymbol optionSymbol) {

    public Instrument {
        Objects.requireNonNull(symbol, "symbol");
        if (optionSymbol != null && !optionSymbol.root().equals(symbol)) {
            throw new IllegalArgumentException("option root " + optionSymbol.root() + " does not match symbol " + symbol);
        }
    }

    public static Instrument stock(String symbol) {
        return new Instrument(symbol, null);
    }

    public static Instrument option(OptionSymbol optionSymbol) {
        return new Instrument(optionSymbol.root(), optionSymbol);
    }

    @JsonIgnore
    public boolean isOption() {
        return optionSymbol != null;
    }

    /** Shares per unit of quantity: 100 per option contract, 1 per share. */
    @JsonIgnore
    public BigDecimal multiplier() {
        return isOption() ? OptionSymbol.CONTRACT_MULTIPLIER : BigDecimal.ONE;
    }

    /** The symbol a broker quotes and trades: the OCC symbol for an option, else the stock symbol. */
    @JsonIgnore
    public String tradedSymbol() {
        return isOption() ? optionSymbol.occ() : symbol;
    }
}
