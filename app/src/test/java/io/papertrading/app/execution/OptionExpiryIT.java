package io.papertrading.app.execution;

import com.fasterxml.jackson.databind.JsonNode;
import io.papertrading.app.TestClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.math.BigDecimal;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.TemporalAdjusters;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Options held into their expiry settle at intrinsic value and end EXPIRED, through the whole app: the
 * simulated market and the saga see the engine's clock moved to just before 16:00 New York on expiry day.
 */
class OptionExpiryIT extends ExecutionTestSupport {

    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    @Autowired
    TestClock clock;

    @AfterEach
    void backToToday() {
        clock.reset();
    }

    @Test
    void settlesInTheMoneyAtIntrinsicValueAndOutOfTheMoneyAtZero() {
        LocalDate expiry = LocalDate.now(NEW_YORK).plusWeeks(2).with(TemporalAdjusters.next(DayOfWeek.FRIDAY));
        clock.shiftTo(expiry.atTime(LocalTime.of(16, 0)).atZone(NEW_YORK).toInstant().minusSeconds(20));
        String yymmdd = expiry.format(DateTimeFormatter.ofPattern("yyMMdd"));
        String trader = user("expiry");

        String inTheMoney = openLongCall(trader, "itm", "SPY" + yymmdd + "C00010000");   // strike 10
        String itmSaga = sagaOf(inTheMoney);
        String outOfTheMoney = openLongCall(trader, "otm", "SPY" + yymmdd + "C09000000"); // strike 9000
        String otmSaga = sagaOf(outOfTheMoney);

        JsonNode itm = awaitExpired(trader, inTheMoney);
        JsonNode otm = awaitExpired(trader, outOfTheMoney);

        BigDecimal settlement = itm.get("settlementPrice").decimalValue();
        BigDecimal underlying = itm.get("underlyingPrice").decimalValue();
        assertThat(settlement).isEqualByComparingTo(underlying.subtract(BigDecimal.TEN));
        BigDecimal itmEntry = entryPrice(trader, inTheMoney);
        assertThat(itm.get("realizedPnl").decimalValue())
                .isEqualByComparingTo(settlement.subtract(itmEntry).multiply(BigDecimal.valueOf(100)));

        assertThat(otm.get("settlementPrice").decimalValue()).isEqualByComparingTo("0");
        BigDecimal otmEntry = entryPrice(trader, outOfTheMoney);
        assertThat(otm.get("realizedPnl").decimalValue())
                .isEqualByComparingTo(otmEntry.negate().multiply(BigDecimal.valueOf(100)));

        for (String id : new String[]{inTheMoney, outOfTheMoney}) {
            await().atMost(PATIENCE).until(() -> json(send("GET", "/api/trades/" + id + "/transitions", trader, null,
                    Map.of())).findValuesAsText("to").equals(java.util.List.of("PENDING", "OPEN", "EXPIRED")));
            JsonNode row = json(send("GET", "/api/trades/" + id, trader, null, Map.of()));
            assertThat(row.get("closeReason").asText()).isEqualTo("EXPIRED");
        }
        assertNoDeadlinesLeft(itmSaga);
        assertNoDeadlinesLeft(otmSaga);
    }

    private String openLongCall(String trader, String key, String occ) {
        var r = placeTrade(trader, key, """
                {"symbol":"SPY","optionSymbol":"%s","side":"BUY","quantity":1,"orderType":"MARKET"}""".formatted(occ));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        String id = json(r).get("tradeId").asText();
        awaitEvent(trader, id, "TradeOpened");
        return id;
    }

    private BigDecimal entryPrice(String trader, String id) {
        return awaitEvent(trader, id, "TradeOpened").get("entryPrice").decimalValue();
    }

    private JsonNode awaitExpired(String trader, String id) {
        return awaitEvent(trader, id, "TradeExpired");
    }
}
