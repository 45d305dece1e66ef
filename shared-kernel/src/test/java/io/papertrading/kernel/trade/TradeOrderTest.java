package io.papertrading.kernel.trade;

import io.papertrading.kernel.error.FieldError;
import io.papertrading.kernel.error.ValidationFailedException;
import io.papertrading.kernel.instrument.OptionType;
import io.papertrading.kernel.money.Money;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class TradeOrderTest {

    static final LocalDate TODAY = LocalDate.of(2026, 3, 2);
    static final String CALL = "AAPL260619C00260000";

    /** Builder-ish defaults: a valid BUY 10 AAPL MARKET order; each test changes the one field it is about. */
    private record Request(String symbol, String optionSymbol, String side, Integer quantity, String orderType,
                           String limitPrice, String stopLoss, String takeProfit, String strategy, String notes,
                           LocalDate today) {
        static Request valid() {
            return new Request("AAPL", null, "BUY", 10, "MARKET", null, null, null, null, null, TODAY);
        }

        Request symbol(String v) {
            return new Request(v, optionSymbol, side, quantity, orderType, limitPrice, stopLoss, takeProfit, strategy, notes, today);
        }

        Request option(String v) {
            return new Request(symbol, v, side, quantity, orderType, limitPrice, stopLoss, takeProfit, strategy, notes, today);
        }

        Request side(String v) {
            return new Request(symbol, optionSymbol, v, quantity, orderType, limitPrice, stopLoss, takeProfit, strategy, notes, today);
        }

        Request quantity(Integer v) {
            return new Request(symbol, optionSymbol, side, v, orderType, limitPrice, stopLoss, takeProfit, strategy, notes, today);
        }

        Request limit(String v) {
            return new Request(symbol, optionSymbol, side, quantity, "LIMIT", v, stopLoss, takeProfit, strategy, notes, today);
        }

        Request orderType(String v) {
            return new Request(symbol, optionSymbol, side, quantity, v, limitPrice, stopLoss, takeProfit, strategy, notes, today);
        }

        Request brackets(String stop, String target) {
            return new Request(symbol, optionSymbol, side, quantity, orderType, limitPrice, stop, target, strategy, notes, today);
        }

        Request strategy(String v) {
            return new Request(symbol, optionSymbol, side, quantity, orderType, limitPrice, stopLoss, takeProfit, v, notes, today);
        }

        Request notes(String v) {
            return new Request(symbol, optionSymbol, side, quantity, orderType, limitPrice, stopLoss, takeProfit, strategy, v, today);
        }

        Request today(LocalDate v) {
            return new Request(symbol, optionSymbol, side, quantity, orderType, limitPrice, stopLoss, takeProfit, strategy, notes, v);
        }

        TradeOrder build() {
            return TradeOrder.validated(symbol, optionSymbol, side, quantity, orderType, decimal(limitPrice),
                    decimal(stopLoss), decimal(takeProfit), strategy, notes, today);
        }

        private static BigDecimal decimal(String s) {
            return s == null ? null : new BigDecimal(s);
        }
    }

    private static List<FieldError> errorsOf(Request request) {
        ValidationFailedException e = catchThrowableOfType(ValidationFailedException.class, request::build);
        assertThat(e).as("refused").isNotNull();
        return e.errors();
    }

    private static void assertRefused(Request request, String field, String messagePart) {
        assertThat(errorsOf(request))
                .anySatisfy(error -> {
                    assertThat(error.field()).isEqualTo(field);
                    assertThat(error.message()).contains(messagePart);
                });
    }

    // ------------------------------------------------------------------------------------------ valid orders

    @Test
    void buildsAStockMarketOrder() {
        TradeOrder order = Request.valid().build();

        assertThat(order.instrument().symbol()).isEqualTo("AAPL");
        assertThat(order.instrument().isOption()).isFalse();
        assertThat(order.side()).isEqualTo(Side.BUY);
        assertThat(order.quantity()).isEqualTo(10);
        assertThat(order.orderType()).isEqualTo(OrderType.MARKET);
        assertThat(order.limitPrice()).isNull();
        assertThat(order.multiplier()).isEqualByComparingTo("1");
    }

    @Test
    void buildsAnOptionLimitOrderWithBrackets() {
        TradeOrder order = Request.valid().option(CALL).side("SELL").quantity(2).limit("2.15").brackets("3.00", "1.00")
                .strategy("covered call").notes("rolling next month").build();

        assertThat(order.instrument().optionSymbol().type()).isEqualTo(OptionType.CALL);
        assertThat(order.instrument().tradedSymbol()).isEqualTo(CALL);
        assertThat(order.side()).isEqualTo(Side.SELL);
        assertThat(order.limitPrice()).isEqualTo(Money.of("2.15"));
        assertThat(order.stopLoss()).isEqualTo(Money.of("3.00"));
        assertThat(order.takeProfit()).isEqualTo(Money.of("1.00"));
        assertThat(order.multiplier()).isEqualByComparingTo("100");
    }

    @Test
    void acceptsAContractOnItsExpiryDay() {
        assertThat(Request.valid().option(CALL).today(LocalDate.of(2026, 6, 19)).build().instrument().isOption()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, TradeOrder.MAX_QUANTITY})
    void acceptsTheQuantityBounds(int quantity) {
        assertThat(Request.valid().quantity(quantity).build().quantity()).isEqualTo(quantity);
    }

    @Test
    void acceptsBracketsOnAMarketOrderWhenOnlyTheirOrderCanBeChecked() {
        TradeOrder order = Request.valid().brackets("150", "250").build();

        assertThat(order.stopLoss()).isEqualTo(Money.of("150"));
    }

    // ------------------------------------------------------------------------------------------- refusals

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "aapl", "BRK1", "ABCDEFGHIJK", "AA PL"})
    void refusesAMissingOrMalformedSymbol(String symbol) {
        assertRefused(Request.valid().symbol(symbol), "symbol", "1-10 characters");
    }

    @Test
    void acceptsASymbolWithADot() {
        assertThat(Request.valid().symbol("BRK.B").build().instrument().symbol()).isEqualTo("BRK.B");
    }

    @Test
    void refusesAMalformedOptionSymbol() {
        assertRefused(Request.valid().option("AAPL261332C00260000"), "optionSymbol", "not an OCC option symbol");
    }

    @Test
    void refusesAnOptionWhoseRootIsNotTheSymbol() {
        assertRefused(Request.valid().symbol("MSFT").option(CALL), "optionSymbol", "root AAPL does not match symbol MSFT");
    }

    @Test
    void refusesAnExpiredContract() {
        assertRefused(Request.valid().option(CALL).today(LocalDate.of(2026, 6, 20)), "optionSymbol",
                "contract expired on 2026-06-19");
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "HOLD", "LONG"})
    void refusesAnUnknownSide(String side) {
        assertRefused(Request.valid().side(side), "side", "one of BUY, SELL");
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(ints = {0, -1, TradeOrder.MAX_QUANTITY + 1})
    void refusesAQuantityOutsideOneToTenThousand(Integer quantity) {
        assertRefused(Request.valid().quantity(quantity), "quantity", "from 1 to 10000");
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"STOP", ""})
    void refusesAnUnknownOrderType(String type) {
        assertRefused(Request.valid().orderType(type), "orderType", "one of MARKET, LIMIT");
    }

    @Test
    void refusesALimitOrderWithoutALimitPrice() {
        assertRefused(Request.valid().limit(null), "limitPrice", "required for a LIMIT order");
    }

    @Test
    void refusesAMarketOrderWithALimitPrice() {
        assertRefused(Request.valid().limit("190").orderType("MARKET"), "limitPrice", "must be absent for a MARKET order");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"0, greater than 0", "-1, greater than 0", "1000000, below 1000000", "1.23456, at most 4 decimals"})
    void refusesAnUnusablePrice(String price, String message) {
        assertRefused(Request.valid().limit(price), "limitPrice", message);
        assertRefused(Request.valid().brackets(price, null), "stopLoss", message);
        assertRefused(Request.valid().brackets(null, price), "takeProfit", message);
    }

    @Test
    void acceptsAPriceWithFourDecimalsAndTrailingZeros() {
        assertThat(Request.valid().limit("1.234500").build().limitPrice()).isEqualTo(Money.of("1.2345"));
    }

    @Test
    void refusesABuyWithItsStopLossAtOrAboveTheLimit() {
        assertRefused(Request.valid().limit("190").brackets("190", "200"), "stopLoss", "below the entry price for a BUY");
    }

    @Test
    void refusesABuyWithItsTakeProfitAtOrBelowTheLimit() {
        assertRefused(Request.valid().limit("190").brackets("180", "189.99"), "takeProfit",
                "above the entry price for a BUY");
    }

    @Test
    void refusesASellWithItsStopLossAtOrBelowTheLimit() {
        assertRefused(Request.valid().side("SELL").limit("190").brackets("189", "180"), "stopLoss",
                "above the entry price for a SELL");
    }

    @Test
    void refusesASellWithItsTakeProfitAtOrAboveTheLimit() {
        assertRefused(Request.valid().side("SELL").limit("190").brackets("200", "195"), "takeProfit",
                "below the entry price for a SELL");
    }

    @Test
    void refusesBracketsInTheWrongOrderEvenWithoutALimit() {
        assertRefused(Request.valid().brackets("250", "150"), "stopLoss", "below takeProfit for a BUY");
        assertRefused(Request.valid().side("SELL").brackets("150", "250"), "stopLoss", "above takeProfit for a SELL");
    }

    @Test
    void checksBracketsAgainstAnyReferencePrice() {
        List<FieldError> errors = new ArrayList<>();
        TradeOrder.checkBrackets(Side.BUY, new BigDecimal("2.05"), new BigDecimal("2.10"), new BigDecimal("3.00"), errors);

        assertThat(errors).extracting(FieldError::field).containsExactly("stopLoss");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   "})
    void refusesABlankStrategy(String strategy) {
        assertRefused(Request.valid().strategy(strategy), "strategy", "1-64 characters");
    }

    @Test
    void refusesAStrategyLongerThan64() {
        assertThat(Request.valid().strategy("s".repeat(64)).build().strategy()).hasSize(64);
        assertRefused(Request.valid().strategy("s".repeat(65)), "strategy", "1-64 characters");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sell", "Sell", "\u017FELL", "SELL ", "SEL\u200BL"})
    void refusesASideThatIsNotTheExactAsciiName(String side) {
        assertRefused(Request.valid().side(side), "side", "one of BUY, SELL");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\u0000b", "a\u0007", "\u007F", "a\u0085b", "a\tb", "line\nbreak", "\uD800"})
    void refusesControlCharactersInTheStrategy(String strategy) {
        assertRefused(Request.valid().strategy(strategy), "strategy", "control characters");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\u0000b", "\u001B[31m", "a\u009Bb", "\uDC00x"})
    void refusesControlCharactersInNotes(String notes) {
        assertRefused(Request.valid().notes(notes), "notes", "control characters");
    }

    @Test
    void keepsTabsAndLineBreaksAndEmojiInNotes() {
        String notes = "plan:\n\t1. scale out\r\n\t2. trail the stop \uD83D\uDCC8";
        assertThat(Request.valid().notes(notes).build().notes()).isEqualTo(notes);
    }

    @Test
    void refusesNotesLongerThan2000() {
        assertThat(Request.valid().notes("n".repeat(2000)).build().notes()).hasSize(2000);
        assertRefused(Request.valid().notes("n".repeat(2001)), "notes", "at most 2000 characters");
    }

    @Test
    void listsEveryInvalidFieldAtOnce() {
        Request bad = new Request(null, null, "HOLD", 0, "LIMIT", null, null, null, "", "n".repeat(2001), TODAY);

        assertThat(errorsOf(bad)).extracting(FieldError::field)
                .containsExactlyInAnyOrder("symbol", "side", "quantity", "limitPrice", "strategy", "notes");
        assertThatThrownBy(bad::build).hasMessage("the request has 6 invalid field(s)");
    }

    // ---------------------------------------------------------------------------------------- fingerprint

    @Test
    void fingerprintComparesPricesByValue() {
        Request base = Request.valid().option(CALL).quantity(2);

        assertThat(base.limit("2.1").build().fingerprint()).isEqualTo(base.limit("2.10").build().fingerprint());
        assertThat(base.limit("2.1").build().fingerprint()).isNotEqualTo(base.limit("2.11").build().fingerprint());
    }

    @Test
    void fingerprintDiffersWhenAnyFieldDiffers() {
        String base = Request.valid().notes("earnings play").build().fingerprint();

        assertThat(Request.valid().notes("earnings play!").build().fingerprint()).isNotEqualTo(base);
        assertThat(Request.valid().notes("earnings play").quantity(11).build().fingerprint()).isNotEqualTo(base);
        assertThat(Request.valid().notes("earnings play").side("SELL").build().fingerprint()).isNotEqualTo(base);
        assertThat(Request.valid().notes("earnings play").symbol("MSFT").build().fingerprint()).isNotEqualTo(base);
        assertThat(Request.valid().notes("earnings play").strategy("swing").build().fingerprint()).isNotEqualTo(base);
        assertThat(Request.valid().notes("earnings play").brackets("150", null).build().fingerprint()).isNotEqualTo(base);
    }

    @Test
    void fingerprintDoesNotLetOneFieldImitateAnother() {
        String a = Request.valid().strategy("ab").notes("c").build().fingerprint();
        String b = Request.valid().strategy("a").notes("bc").build().fingerprint();

        assertThat(a).isNotEqualTo(b);
    }

    @Test
    void fingerprintIsAStableSha256Hex() {
        String first = Request.valid().build().fingerprint();

        assertThat(first).matches("[0-9a-f]{64}");
        assertThat(Request.valid().build().fingerprint()).isEqualTo(first);
    }
}
