package io.papertrading.kernel.instrument;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.time.LocalDate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OptionSymbolTest {

    /** The documented examples of ../shared/tradier-fixtures/occ_symbols.json (Tradier's own docs). */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "AAPL220617C00270000, AAPL, 2022-06-17, CALL, 270",
            "VXX190517P00016000,  VXX,  2019-05-17, PUT,  16",
            "SPY180720C00274000,  SPY,  2018-07-20, CALL, 274",
            "AAPL210416C00125000, AAPL, 2021-04-16, CALL, 125",
    })
    void parsesTradiersDocumentedSymbols(String occ, String root, LocalDate expiry, OptionType type, BigDecimal strike) {
        OptionSymbol symbol = OptionSymbol.parse(occ);

        assertThat(symbol.root()).isEqualTo(root);
        assertThat(symbol.expiry()).isEqualTo(expiry);
        assertThat(symbol.type()).isEqualTo(type);
        assertThat(symbol.strike()).isEqualByComparingTo(strike);
        assertThat(symbol.occ()).isEqualTo(occ);
    }

    @ParameterizedTest(name = "{0} -> strike {1}")
    @CsvSource({
            "XYZ260619C00002500,  2.5",
            "SPY260619P00412500,  412.5",
            "ABC260619C00000125,  0.125",
            "NVR260619C99999999,  99999.999",
            "SPXW260320P05500000, 5500",
    })
    void readsTheStrikeInThousandths(String occ, BigDecimal strike) {
        assertThat(OptionSymbol.parse(occ).strike()).isEqualByComparingTo(strike);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"BRKB260619C00450000", "SPXW260320P05500000", "AAPL1260619C00260000", "BRK.B260619C00450000",
            "A260619P00100000", "GOOGLX260619C00150000"})
    void roundTripsRootsWithDigitsAndDots(String occ) {
        OptionSymbol symbol = OptionSymbol.parse(occ);

        assertThat(symbol.occ()).isEqualTo(occ);
        assertThat(OptionSymbol.parse(symbol.occ())).isEqualTo(symbol);
        assertThat(OptionSymbol.parse(symbol.paddedOcc())).isEqualTo(symbol);
    }

    @Test
    void splitsARootEndingInADigitFromTheDate() {
        OptionSymbol adjusted = OptionSymbol.parse("AAPL1260619C00260000");

        assertThat(adjusted.root()).isEqualTo("AAPL1");
        assertThat(adjusted.expiry()).isEqualTo(LocalDate.of(2026, 6, 19));
    }

    @Test
    void acceptsThePadded21CharacterFormAndWritesTheCompactOne() {
        OptionSymbol padded = OptionSymbol.parse("AAPL  260619C00260000");

        assertThat(padded).isEqualTo(OptionSymbol.parse("AAPL260619C00260000"));
        assertThat(padded.occ()).isEqualTo("AAPL260619C00260000");
        assertThat(padded.paddedOcc()).isEqualTo("AAPL  260619C00260000").hasSize(21);
        assertThat(padded.toString()).isEqualTo("AAPL260619C00260000");
    }

    @Test
    void buildsTheSameSymbolFromPartsWhateverTheStrikeScale() {
        OptionSymbol fromParts = new OptionSymbol("AAPL", LocalDate.of(2026, 6, 19), OptionType.CALL, new BigDecimal("260"));

        assertThat(fromParts).isEqualTo(OptionSymbol.parse("AAPL260619C00260000"));
        assertThat(fromParts.occ()).isEqualTo("AAPL260619C00260000");
    }

    @ParameterizedTest(name = "[{0}] -> {1}")
    @CsvSource(delimiter = '|', value = {
            "AAPL260619C0026000    | expected ROOT + YYMMDD",
            "AAPL260619C002600000  | expected ROOT + YYMMDD",
            "AAPL26061C00260000    | expected ROOT + YYMMDD",
            "AAPLXYZ260619C00260000| too long",
            "AAPL261332C00260000   | expiry 261332 is not a calendar date",
            "AAPL260230C00260000   | expiry 260230 is not a calendar date",
            "AAPL260619X00260000   | option type must be C or P, was 'X'",
            "AAPL260619C0026000A   | expected ROOT + YYMMDD",
            "AAPL260619C00000000   | strike must be > 0",
            "aapl260619c00260000   | expected ROOT + YYMMDD",
            "AAPL260619c00260000   | expected ROOT + YYMMDD",
            "1AAPL260619C00260000  | expected ROOT + YYMMDD",
            "260619C00260000       | expected ROOT + YYMMDD",
            "AAPL                  | expected ROOT + YYMMDD",
    })
    void refusesMalformedSymbolsSayingWhy(String text, String reason) {
        assertThatThrownBy(() -> OptionSymbol.parse(text))
                .isInstanceOf(InvalidOptionSymbolException.class)
                .hasMessageContaining(reason);
        assertThat(OptionSymbol.isOptionSymbol(text)).isFalse();
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"   "})
    void refusesAnEmptySymbol(String text) {
        assertThatThrownBy(() -> OptionSymbol.parse(text))
                .isInstanceOf(InvalidOptionSymbolException.class)
                .hasMessage("option symbol is empty");
    }

    @Test
    void tellsOptionSymbolsFromStockSymbols() {
        assertThat(OptionSymbol.isOptionSymbol("AAPL260619C00260000")).isTrue();
        assertThat(OptionSymbol.isOptionSymbol("AAPL")).isFalse();
    }

    @Test
    void refusesPartsOutsideTheOccRange() {
        LocalDate expiry = LocalDate.of(2026, 6, 19);
        assertThatThrownBy(() -> new OptionSymbol("AAPL", expiry, OptionType.CALL, new BigDecimal("100000")))
                .isInstanceOf(InvalidOptionSymbolException.class).hasMessageContaining("strike");
        assertThatThrownBy(() -> new OptionSymbol("AAPL", expiry, OptionType.CALL, new BigDecimal("2.0005")))
                .isInstanceOf(InvalidOptionSymbolException.class).hasMessageContaining("3 decimals");
        assertThatThrownBy(() -> new OptionSymbol("AAPL", LocalDate.of(2100, 1, 15), OptionType.CALL, BigDecimal.TEN))
                .isInstanceOf(InvalidOptionSymbolException.class).hasMessageContaining("2000-2099");
        assertThatThrownBy(() -> new OptionSymbol("TOOLONG", expiry, OptionType.PUT, BigDecimal.TEN))
                .isInstanceOf(InvalidOptionSymbolException.class).hasMessageContaining("root");
    }

    @ParameterizedTest(name = "{0} at {1} -> {2}")
    @CsvSource({
            "AAPL260619C00260000, 268.40, 8.40",
            "AAPL260619C00260000, 260,    0",
            "AAPL260619C00260000, 250,    0",
            "AAPL260619P00260000, 251.25, 8.75",
            "AAPL260619P00260000, 260,    0",
            "AAPL260619P00260000, 275,    0",
            "XYZ260619C00002500,  2.75,   0.25",
    })
    void intrinsicValueIsWhatExerciseWouldBeWorth(String occ, BigDecimal underlying, BigDecimal intrinsic) {
        assertThat(OptionSymbol.parse(occ).intrinsicValue(underlying)).isEqualByComparingTo(intrinsic);
    }
}
