package io.papertrading.broker;

import io.papertrading.kernel.instrument.OptionSymbol;
import io.papertrading.kernel.money.Money;

/** One contract of an option chain: the contract, its quote (greeks included when asked for) and open interest. */
public record OptionQuote(OptionSymbol contract, Quote quote, Long openInterest) {

    public Money bid() {
        return quote.bid();
    }

    public Money ask() {
        return quote.ask();
    }

    public Money mark() {
        return quote.mark();
    }

    public Greeks greeks() {
        return quote.greeks();
    }
}
