package io.papertrading.kernel.money;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MoneyTest {

    @Test
    void equalsByValueWhateverTheScale() {
        assertThat(Money.of("1.5")).isEqualTo(Money.of("1.50"));
        assertThat(Money.of("1.5")).hasSameHashCodeAs(Money.of("1.500"));
        assertThat(Money.of("0.00")).isEqualTo(Money.ZERO).hasSameHashCodeAs(Money.ZERO);
        assertThat(Money.of("1.5")).isNotEqualTo(Money.of("1.51"));
    }

    @Test
    void addsSubtractsMultipliesAndNegatesExactly() {
        assertThat(Money.of("0.1").plus(Money.of("0.2"))).isEqualTo(Money.of("0.3"));
        assertThat(Money.of("3.20").minus(Money.of("2.15"))).isEqualTo(Money.of("1.05"));
        assertThat(Money.of("1.05").times(BigDecimal.valueOf(200))).isEqualTo(Money.of("210"));
        assertThat(Money.of("1.05").negate()).isEqualTo(Money.of("-1.05"));
    }

    @Test
    void ordersAndSignsByAmount() {
        assertThat(Money.of("2.10")).isLessThan(Money.of("2.2"));
        assertThat(Money.of("-0.01").signum()).isEqualTo(-1);
        assertThat(Money.of("0.01").isPositive()).isTrue();
        assertThat(Money.ZERO.isPositive()).isFalse();
    }

    @Test
    void printsPlainDecimalsNeverExponents() {
        assertThat(new Money(new BigDecimal("1E+3")).toString()).isEqualTo("1000");
        assertThat(Money.of("2.50").toString()).isEqualTo("2.50");
    }

    @Test
    void anAbsentAmountIsNoMoneyAtAll() {
        assertThat(Money.of((BigDecimal) null)).isNull();
        assertThatThrownBy(() -> new Money(null)).isInstanceOf(NullPointerException.class);
    }
}
