package io.papertrading.app.execution;

import com.fasterxml.jackson.databind.JsonNode;
import io.papertrading.app.TestClock;
import io.papertrading.broker.simulated.SimulatedMarket;
import io.papertrading.command.execution.BrokerResolver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A take-profit bracket handed to the broker as part of an OCO closes the trade as TAKE_PROFIT when the market
 * reaches it. The simulated market is deterministic, so the test finds a later moment where the bid has risen
 * past the target and moves the engine's clock there.
 */
class TakeProfitIT extends ExecutionTestSupport {

    private static final String SYMBOL = "MSFT";

    @Autowired
    TestClock clock;

    @Autowired
    SimulatedMarket market;

    @Autowired
    BrokerResolver brokers;

    @AfterEach
    void backToNow() {
        clock.reset();
    }

    @Test
    void aTakeProfitLegFilledAtTheBrokerClosesTheTradeAsTakeProfit() {
        String trader = user("tp");
        clock.shiftTo(aTroughBeforeARise());
        var placed = placeTrade(trader, "tp-1", """
                {"symbol":"%s","side":"BUY","quantity":3,"orderType":"MARKET"}""".formatted(SYMBOL));
        assertThat(placed.statusCode()).as(placed.body()).isEqualTo(202);
        String id = json(placed).get("tradeId").asText();
        String saga = sagaOf(id);
        BigDecimal entry = awaitEvent(trader, id, "TradeOpened").get("entryPrice").decimalValue();

        Instant later = firstMomentBidReaches(entry.multiply(new BigDecimal("1.004")));
        BigDecimal bidThen = market.quoteAt(SYMBOL, later).bid().amount();
        BigDecimal target = entry.add(bidThen).divide(BigDecimal.valueOf(2), 2, RoundingMode.UP);
        var brackets = send("PUT", "/api/trades/" + id + "/brackets", trader,
                "{\"stopLoss\":%s,\"takeProfit\":%s}".formatted(entry.divide(BigDecimal.valueOf(2), 2, RoundingMode.DOWN), target),
                Map.of());
        assertThat(brackets.statusCode()).as(brackets.body()).isEqualTo(202);
        awaitEvent(trader, id, "BracketsChanged");
        // let the saga hand the OCO to the broker before the market moves
        await().atMost(Duration.ofSeconds(20)).until(() -> brokers.resolve(trader).provider().listOrders().stream()
                .anyMatch(o -> o.tag() != null && o.tag().startsWith(id + "-b") && o.state().isWorking()));

        clock.shiftTo(later);
        JsonNode closed = awaitEvent(trader, id, "TradeClosed");

        assertThat(closed.get("reason").asText()).isEqualTo("TAKE_PROFIT");
        BigDecimal exit = closed.get("exitPrice").decimalValue();
        assertThat(exit).isGreaterThanOrEqualTo(target);
        assertThat(closed.get("realizedPnl").decimalValue())
                .isEqualByComparingTo(exit.subtract(entry).multiply(BigDecimal.valueOf(3)));
        await().atMost(PATIENCE).until(() -> json(send("GET", "/api/trades/" + id + "/transitions", trader, null,
                Map.of())).findValuesAsText("to").equals(java.util.List.of("PENDING", "OPEN", "CLOSED")));
        assertNoDeadlinesLeft(saga);
    }

    /**
     * The market's seed is the database's, drawn at random: its slowest noise moves over ~45-day cells, so from
     * some moments the price stays below the entry for more than a year (CI met one). The trade is placed at a
     * trough the price later rises 1% above, so the target below is reached whatever the seed.
     */
    private Instant aTroughBeforeARise() {
        Instant now = clock.instant();
        Instant trough = now;
        BigDecimal lowestAsk = market.quoteAt(SYMBOL, now).ask().amount();
        for (int hours = 1; hours <= 24 * 365 * 5; hours++) {
            Instant t = now.plus(Duration.ofHours(hours));
            var quote = market.quoteAt(SYMBOL, t);
            if (quote.bid().amount().compareTo(lowestAsk.multiply(new BigDecimal("1.01"))) >= 0) {
                return trough;
            }
            if (quote.ask().amount().compareTo(lowestAsk) < 0) {
                trough = t;
                lowestAsk = quote.ask().amount();
            }
        }
        throw new AssertionError("the simulated market never rose 1% above a trough within five years");
    }

    private Instant firstMomentBidReaches(BigDecimal level) {
        Instant now = clock.instant();
        for (int hours = 1; hours <= 24 * 365 * 5; hours++) {
            Instant t = now.plus(Duration.ofHours(hours));
            if (market.quoteAt(SYMBOL, t).bid().amount().compareTo(level) >= 0) {
                return t;
            }
        }
        throw new AssertionError("the simulated market never rose 0.4% above the entry within five years");
    }
}
