package io.papertrading.query.trade;

import io.papertrading.kernel.money.Money;
import io.papertrading.kernel.trade.TradeId;
import io.papertrading.kernel.trade.event.PriceObservedEvent;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class TradeProjectionTest {

    private static PriceObservedEvent quote(String bid, String ask, String last, String mark) {
        return new PriceObservedEvent(new TradeId("t"), "alice", m(bid), m(ask), m(last), m(mark), null, null, null,
                Instant.EPOCH);
    }

    private static Money m(String v) {
        return v == null ? null : Money.of(v);
    }

    @Test
    void valuesAtTheMarkElseTheLastElseTheMid() {
        assertThat(quote("1", "2", "1.7", "1.6").valuationPrice()).isEqualByComparingTo("1.6");
        assertThat(quote("1", "2", "1.7", null).valuationPrice()).isEqualByComparingTo("1.7");
        assertThat(quote("1", "2", null, null).valuationPrice()).isEqualByComparingTo("1.5");
        assertThat(quote("1", null, null, null).valuationPrice()).isNull();
    }
}
