package io.papertrading.app.execution;

import com.fasterxml.jackson.databind.JsonNode;
import io.papertrading.broker.Quote;
import io.papertrading.broker.simulated.SimulatedMarket;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.deadline.DeadlineManager;
import org.axonframework.deadline.dbscheduler.DbSchedulerDeadlineManager;
import org.axonframework.eventhandling.EventProcessor;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The execution saga end to end: HTTP → aggregate → saga → simulated broker → db-scheduler deadlines in
 * PostgreSQL → back to the aggregate. Status is read from the trade's own event stream.
 */
class SimulatedExecutionIT extends ExecutionTestSupport {

    @Autowired
    DeadlineManager deadlineManager;
    @Autowired
    SimulatedMarket market;
    @Autowired
    EventProcessingConfiguration processing;

    @Test
    void deadlinesArePersistedByDbScheduler() {
        assertThat(deadlineManager).isInstanceOf(DbSchedulerDeadlineManager.class);
    }

    @Test
    void aDeadlineRowReadsAsJsonNamingItsDeadlineAndItsSaga() {
        String alice = user("exec");
        // an option: its saga keeps the expiry deadline while the trade lives
        String expiry = java.time.LocalDate.now(java.time.ZoneOffset.UTC).plusWeeks(2)
                .with(java.time.temporal.TemporalAdjusters.next(java.time.DayOfWeek.FRIDAY))
                .format(java.time.format.DateTimeFormatter.ofPattern("yyMMdd"));
        String id = place(alice, "readable-1", """
                {"symbol":"SPY","optionSymbol":"SPY%sC09000000","side":"BUY","quantity":1,"orderType":"LIMIT",
                 "limitPrice":0.01}""".formatted(expiry));
        String saga = sagaOf(id);
        awaitEvent(alice, id, "EntryOrderSubmitted");

        List<Map<String, Object>> rows = await().atMost(PATIENCE).until(() -> ownerJdbc.queryForList("""
                select convert_from(task_data, 'UTF8')::jsonb ->> 'deadlineName' as name,
                       convert_from(task_data, 'UTF8')::jsonb ->> 'scopeDescriptor' as scope
                from scheduled_tasks where task_name = 'AxonDeadline'
                  and position(convert_to(?, 'UTF8') in task_data) > 0""", saga), r -> !r.isEmpty());

        assertThat(rows).allSatisfy(r -> assertThat((String) r.get("scope")).contains(saga));
        assertThat(rows).extracting(r -> (String) r.get("name")).isNotEmpty().allMatch(n -> !n.isBlank());
        assertThat(send("POST", "/api/trades/" + id + "/cancel", alice, null, Map.of()).statusCode()).isEqualTo(202);
        awaitEvent(alice, id, "TradeCanceled");
        assertNoDeadlinesLeft(saga);
    }

    @Test
    void aMarketEntryOpensAndAManualCloseClosesItWithItsRealizedPnl() {
        String alice = user("exec");
        String id = place(alice, "market-1", """
                {"symbol":"AAPL","side":"BUY","quantity":3,"orderType":"MARKET"}""");
        String saga = sagaOf(id);

        JsonNode opened = awaitEvent(alice, id, "TradeOpened");
        assertThat(types(alice, id)).containsSubsequence("TradePlaced", "EntryOrderSubmitted", "TradeOpened");
        assertThat(opened.get("filledQuantity").asInt()).isEqualTo(3);

        HttpResponse<String> close = send("POST", "/api/trades/" + id + "/close", alice, null, Map.of());
        assertThat(close.statusCode()).isEqualTo(202);
        JsonNode closed = awaitEvent(alice, id, "TradeClosed");

        assertThat(types(alice, id)).containsSubsequence("CloseRequested", "ExitOrderSubmitted", "TradeClosed");
        assertThat(closed.get("reason").asText()).isEqualTo("MANUAL");
        BigDecimal entry = opened.get("entryPrice").decimalValue();
        BigDecimal exit = closed.get("exitPrice").decimalValue();
        assertThat(closed.get("realizedPnl").decimalValue())
                .isEqualByComparingTo(exit.subtract(entry).multiply(BigDecimal.valueOf(3)));
        assertNoDeadlinesLeft(saga);
    }

    @Test
    void aMarketableLimitEntryOpensAtOrBelowItsLimit() {
        String alice = user("exec");
        BigDecimal limit = ask("MSFT").multiply(new BigDecimal("1.02")).setScale(2, RoundingMode.UP);
        String id = place(alice, "limit-1", """
                {"symbol":"MSFT","side":"BUY","quantity":2,"orderType":"LIMIT","limitPrice":%s}""".formatted(limit));
        String saga = sagaOf(id);

        JsonNode opened = awaitEvent(alice, id, "TradeOpened");

        assertThat(opened.get("entryPrice").decimalValue()).isLessThanOrEqualTo(limit);
        cancelLeftovers(alice, id);
        assertNoDeadlinesLeft(saga);
    }

    @Test
    void anEntryLargerThanTheDisplayedSizeFillsInPartsThenOpensWithTheWholeQuantity() {
        String alice = user("exec");
        // a cheap symbol whose displayed ask size is well below what $60,000 buys: the simulated exchange fills
        // at most the displayed size per evaluation, so the saga sees partially_filled before filled
        String symbol = null;
        int quantity = 0;
        for (String candidate : List.of("F", "SIRI", "NIO", "SOFI", "AAL", "T", "PFE", "BAC", "KO", "INTC", "XYZ", "ABC")) {
            Quote q = market.quote(candidate);
            int affordable = new BigDecimal("60000").divide(q.ask().amount(), 0, RoundingMode.DOWN).intValue();
            // a few displayed sizes: several partial fills, each a poll apart, yet quick to complete
            int wanted = q.askSize() == null ? 0 : (int) Math.min(affordable, 3 * q.askSize() + 1);
            if (q.askSize() != null && wanted > 2 * q.askSize()) {
                symbol = candidate;
                quantity = wanted;
                break;
            }
        }
        assertThat(symbol).as("a symbol with a small displayed size").isNotNull();
        String id = place(alice, "partial-1", """
                {"symbol":"%s","side":"BUY","quantity":%d,"orderType":"MARKET"}""".formatted(symbol, quantity));
        String saga = sagaOf(id);

        JsonNode opened = awaitEvent(alice, id, "TradeOpened");

        assertThat(types(alice, id)).containsSubsequence("EntryOrderSubmitted", "EntryPartiallyFilled", "TradeOpened");
        assertThat(opened.get("filledQuantity").asInt()).isEqualTo(quantity);
        cancelLeftovers(alice, id);
        assertNoDeadlinesLeft(saga);
    }

    @Test
    void ofTwoEntriesTogetherBeyondBuyingPowerOneOpensAndTheOtherIsRefusedWithTheReason() {
        String alice = user("exec");
        // Two orders of ~70% of the $100,000 each. The first goes to the exchange from its placement's transaction,
        // so the API's risk check usually sees the buying power it left and refuses the second at once; when the
        // second is checked before the first reached the exchange, the exchange refuses whichever comes second.
        int quantity = new BigDecimal("70000").divide(ask("NVDA"), 0, RoundingMode.DOWN).intValue();
        String body = """
                {"symbol":"NVDA","side":"BUY","quantity":%d,"orderType":"MARKET"}""".formatted(quantity);
        String first = place(alice, "big-1", body);
        HttpResponse<String> secondPlacement = placeTrade(alice, "big-2", body);

        if (secondPlacement.statusCode() == 422) {
            JsonNode refusal = json(secondPlacement);
            assertThat(refusal.get("code").asText()).isEqualTo("RISK_LIMIT");
            assertThat(refusal.get("limit").asText()).isEqualTo("buyingPower");
            awaitEvent(alice, first, "TradeOpened");
            // the refusal stored nothing: the user has the one trade
            await().atMost(PATIENCE).until(() -> json(send("GET", "/api/trades", alice, null, Map.of()))
                    .get("items").size() == 1);
            assertThat(json(send("GET", "/api/trades", alice, null, Map.of())).get("total").asInt()).isEqualTo(1);
            cancelLeftovers(alice, first);
            return;
        }
        assertThat(secondPlacement.statusCode()).as(secondPlacement.body()).isEqualTo(202);
        String second = json(secondPlacement).get("tradeId").asText();
        String firstSaga = sagaOf(first);
        String secondSaga = sagaOf(second);

        await().atMost(PATIENCE).until(() -> ended(alice, first) && ended(alice, second));

        List<String> outcomes = List.of(outcome(alice, first), outcome(alice, second));
        assertThat(outcomes).containsExactlyInAnyOrder("TradeOpened", "TradeRejected");
        String rejected = outcomes.get(0).equals("TradeRejected") ? first : second;
        assertThat(awaitEvent(alice, rejected, "TradeRejected").get("reason").asText()).contains("buying power");
        assertNoDeadlinesLeft(rejected.equals(first) ? firstSaga : secondSaga);
        String opened = rejected.equals(first) ? second : first;
        cancelLeftovers(alice, opened);
        assertNoDeadlinesLeft(opened.equals(first) ? firstSaga : secondSaga);
    }

    private boolean ended(String user, String id) {
        List<String> types = types(user, id);
        return types.contains("TradeOpened") || types.contains("TradeRejected");
    }

    private String outcome(String user, String id) {
        return types(user, id).contains("TradeRejected") ? "TradeRejected" : "TradeOpened";
    }

    @Test
    void aStopLossBracketHandedToTheBrokerClosesTheTradeAsStopLoss() {
        String alice = user("exec");
        String id = place(alice, "stop-1", """
                {"symbol":"%s","side":"BUY","quantity":1,"orderType":"MARKET"}""".formatted(fallingSymbol()));
        String saga = sagaOf(id);
        JsonNode opened = awaitEvent(alice, id, "TradeOpened");
        BigDecimal entry = opened.get("entryPrice").decimalValue();

        // a stop a hair under the entry: the bid already sits below it and only falls, so the OCO's stop leg
        // triggers at once, however long a busy machine takes between the fill and the brackets
        HttpResponse<String> brackets = send("PUT", "/api/trades/" + id + "/brackets", alice,
                "{\"stopLoss\":%s,\"takeProfit\":%s}".formatted(entry.subtract(new BigDecimal("0.0001")),
                        entry.multiply(BigDecimal.valueOf(2)).setScale(2, RoundingMode.UP)), Map.of());
        assertThat(brackets.statusCode()).isEqualTo(202);
        JsonNode closed = awaitEvent(alice, id, "TradeClosed");

        assertThat(closed.get("reason").asText()).isEqualTo("STOP_LOSS");
        assertThat(closed.get("exitPrice").decimalValue()).isLessThan(entry);
        assertNoDeadlinesLeft(saga);
    }

    @Test
    void anEntryReachesTheExchangeFromThePlacementItselfWhileTheSagaIsStoppedAndIsSentOnce() {
        String alice = user("exec");
        EventProcessor saga = processing.eventProcessor("TradeExecutionSagaProcessor").orElseThrow();
        saga.shutDown();
        String id;
        try {
            id = place(alice, "intake-1", """
                    {"symbol":"AAPL","side":"BUY","quantity":1,"orderType":"MARKET"}""");

            // the placement's transaction handed the leg to the desk: no saga has seen the trade
            await().atMost(PATIENCE).until(() -> exchangeOrders(id) == 1);
            assertThat(ownerJdbc.queryForObject("""
                    select count(*) from association_value_entry where association_key = 'tradeId'
                      and association_value = ?""", Integer.class, id)).isZero();
        } finally {
            saga.start();
        }

        // the saga starts late, hands the same leg over again, and hears of the fill the desk reported meanwhile
        awaitEvent(alice, id, "TradeOpened");
        assertThat(exchangeOrders(id)).isEqualTo(1);
        cancelLeftovers(alice, id);
    }

    private int exchangeOrders(String tag) {
        return ownerJdbc.queryForObject("select count(*) from sim_orders where tag = ?", Integer.class, tag);
    }

    // ---------------------------------------------------------------------------------------------- helpers

    private String place(String user, String key, String body) {
        HttpResponse<String> r = placeTrade(user, key, body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return json(r).get("tradeId").asText();
    }

    /**
     * A symbol whose bid does not rise over the next two minutes (the simulated market is a function of its seed and
     * the time, so its path can be read ahead): any entry's ask in that time sits above every later bid. On a symbol
     * that happened to rise, the stop waited for the market to come back down, beyond the test's patience once.
     */
    private String fallingSymbol() {
        Instant now = market.now();
        String best = null;
        int fewestRises = Integer.MAX_VALUE;
        for (String candidate : List.of("AMZN", "AAPL", "MSFT", "KO", "PFE", "T", "JNJ", "PG", "WMT", "XOM", "F", "BAC",
                "VZ", "INTC", "CSCO", "PEP", "MRK", "ABT", "CVX", "IBM", "ORCL", "NKE", "DIS", "MCD", "HD", "UNH", "V",
                "MA", "ADBE", "CRM", "QCOM", "TXN", "AMGN", "HON", "LOW", "SBUX", "GS", "MS", "C", "WFC")) {
            int rises = 0;
            BigDecimal previous = null;
            for (int step = 0; step <= 480 && rises < fewestRises; step++) {
                BigDecimal bid = market.quoteAt(candidate, now.plusMillis(250L * step)).bid().amount();
                if (previous != null && bid.compareTo(previous) > 0) {
                    rises++;
                }
                previous = bid;
            }
            if (rises < fewestRises) {
                best = candidate;
                fewestRises = rises;
            }
            if (rises == 0) {
                break;
            }
        }
        return best;
    }

    private BigDecimal ask(String symbol) {
        Quote quote = market.quote(symbol);
        return quote.ask().amount();
    }

    private List<String> types(String user, String id) {
        HttpResponse<String> r = send("GET", "/api/trades/" + id + "/events", user, null, Map.of());
        List<String> types = new ArrayList<>();
        json(r).forEach(e -> types.add(e.get("type").asText()));
        return types;
    }

    /** Ends a trade left open so its saga (and deadlines) end too. */
    private void cancelLeftovers(String user, String id) {
        assertThat(send("POST", "/api/trades/" + id + "/close", user, null, Map.of()).statusCode()).isEqualTo(202);
        awaitEvent(user, id, "TradeClosed");
    }
}
