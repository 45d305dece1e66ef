package io.papertrading.kernel.money;

import io.papertrading.kernel.trade.Side;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.math.BigDecimal;

import static org.assertj.core.api.Assertions.assertThat;

class ProfitAndLossTest {

    @ParameterizedTest(name = "{0} {3} × {4} at {1}, exit {2} -> {5}")
    @CsvSource({
            // long option: (3.20 - 2.15) × 2 × 100
            "BUY,  2.15,   3.20,   2,   100, 210.00",
            "BUY,  2.15,   1.05,   2,   100, -220.00",
            // short option: -(1.25 - 4.50) × 3 × 100
            "SELL, 4.50,   1.25,   3,   100, 975.00",
            "SELL, 1.00,   2.75,   1,   100, -175.00",
            // stock
            "BUY,  50,     52.5,   100, 1,   250",
            "SELL, 50,     52.5,   100, 1,   -250",
            "BUY,  187.42, 180.00, 10,  1,   -74.20",
            "SELL, 20.10,  19.85,  50,  1,   12.50",
            // flat
            "BUY,  2.15,   2.15,   2,   100, 0",
            "SELL, 2.15,   2.15,   2,   100, 0",
    })
    void isTheSignedPriceMoveTimesQuantityAndMultiplier(Side side, String entry, String exit, int quantity,
                                                         int multiplier, String expected) {
        Money pnl = ProfitAndLoss.of(side, Money.of(entry), Money.of(exit), BigDecimal.valueOf(quantity),
                BigDecimal.valueOf(multiplier));

        assertThat(pnl).isEqualTo(Money.of(expected));
    }

    @Test
    void neverRounds() {
        Money pnl = ProfitAndLoss.of(Side.BUY, Money.of("1.0001"), Money.of("1.0002"), BigDecimal.valueOf(3), BigDecimal.ONE);

        assertThat(pnl.amount()).isEqualByComparingTo("0.0003");
    }

    @Test
    void aLongAndAShortOfTheSameMoveAreOpposite() {
        Money entry = Money.of("12.34");
        Money exit = Money.of("13.57");
        Money longPnl = ProfitAndLoss.of(Side.BUY, entry, exit, BigDecimal.TEN, BigDecimal.valueOf(100));
        Money shortPnl = ProfitAndLoss.of(Side.SELL, entry, exit, BigDecimal.TEN, BigDecimal.valueOf(100));

        assertThat(longPnl).isEqualTo(Money.of("1230"));
        assertThat(shortPnl).isEqualTo(longPnl.negate());
    }

    @Test
    void averagesTwoFillsByVolume() {
        // 1 at 2.10 then 1 at 2.20
        assertThat(ProfitAndLoss.averagePrice(Money.of("2.10"), BigDecimal.ONE, Money.of("2.20"), BigDecimal.ONE))
                .isEqualTo(Money.of("2.15"));
        // 3 at 10 then 1 at 14: 44 / 4
        assertThat(ProfitAndLoss.averagePrice(Money.of("10"), BigDecimal.valueOf(3), Money.of("14"), BigDecimal.ONE))
                .isEqualTo(Money.of("11"));
    }

    @Test
    void averagesARepeatingQuotientToTenDecimals() {
        // 1 at 1 then 2 at 2: 5 / 3
        Money average = ProfitAndLoss.averagePrice(Money.of("1"), BigDecimal.ONE, Money.of("2"), BigDecimal.valueOf(2));

        assertThat(average.amount()).isEqualByComparingTo("1.6666666667");
    }

    @Test
    void theAverageOfNothingIsZero() {
        assertThat(ProfitAndLoss.averagePrice(Money.ZERO, BigDecimal.ZERO, Money.of("5"), BigDecimal.ZERO))
                .isEqualTo(Money.ZERO);
    }

    @Test
    void theFirstFillIsItsOwnAverage() {
        assertThat(ProfitAndLoss.averagePrice(Money.ZERO, BigDecimal.ZERO, Money.of("2.13"), BigDecimal.valueOf(4)))
                .isEqualTo(Money.of("2.13"));
    }
}
