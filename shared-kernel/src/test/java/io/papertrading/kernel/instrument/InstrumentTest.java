package io.papertrading.kernel.instrument;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InstrumentTest {

    @Test
    void aStockTradesItsSymbolOneShareAtATime() {
        Instrument stock = Instrument.stock("AAPL");

        assertThat(stock.isOption()).isFalse();
        assertThat(stock.tradedSymbol()).isEqualTo("AAPL");
        assertThat(stock.multiplier()).isEqualByComparingTo("1");
    }

    @Test
    void anOptionTradesItsOccSymbolAHundredSharesAContract() {
        Instrument option = Instrument.option(OptionSymbol.parse("AAPL  260619P00260000"));

        assertThat(option.isOption()).isTrue();
        assertThat(option.symbol()).isEqualTo("AAPL");
        assertThat(option.tradedSymbol()).isEqualTo("AAPL260619P00260000");
        assertThat(option.multiplier()).isEqualByComparingTo("100");
    }

    @Test
    void refusesAnOptionWhoseRootIsAnotherSymbol() {
        OptionSymbol aapl = OptionSymbol.parse("AAPL260619C00260000");

        assertThatThrownBy(() -> new Instrument("MSFT", aapl))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not match");
    }
}
