package io.papertrading.app;

import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

class IdempotencyIT extends IntegrationTestBase {

    private static final String ORDER = """
            {"symbol":"MSFT","side":"BUY","quantity":10,"orderType":"LIMIT","limitPrice":410.25}""";

    @Test
    void twentyConcurrentSubmissionsWithOneKeyMakeExactlyOneTrade() throws Exception {
        String alice = user("alice");
        tokenFor(alice);
        ExecutorService pool = Executors.newFixedThreadPool(20);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            answers.add(pool.submit(() -> {
                start.await();
                return placeTrade(alice, "race-key", ORDER);
            }));
        }
        start.countDown();
        List<String> ids = new ArrayList<>();
        for (Future<HttpResponse<String>> f : answers) {
            HttpResponse<String> r = f.get();
            assertThat(r.statusCode()).as(r.body()).isIn(200, 202);
            ids.add(json(r).get("tradeId").asText());
        }
        pool.shutdown();

        assertThat(ids).containsOnly(ids.get(0));
        assertThat(placedEventCount(ids.get(0))).isEqualTo(1);
        assertThat(ownerJdbc.queryForObject("select count(distinct aggregate_identifier) from domain_event_entry "
                + "where convert_from(payload, 'UTF8')::jsonb ->> 'username' = ?", Integer.class, alice)).isEqualTo(1);
    }

    @Test
    void sameKeyWithAnotherBodyIsRefusedAndWritesNothing() throws Exception {
        String alice = user("alice");
        String id = json(placeTrade(alice, "reuse", ORDER)).get("tradeId").asText();

        HttpResponse<String> reused = placeTrade(alice, "reuse", ORDER.replace("410.25", "411"));

        assertThat(reused.statusCode()).isEqualTo(422);
        assertThat(json(reused).get("code").asText()).isEqualTo("IDEMPOTENCY_KEY_REUSED");
        assertThat(placedEventCount(id)).isEqualTo(1);
        String payload = ownerJdbc.queryForObject("select convert_from(payload, 'UTF8') from domain_event_entry "
                + "where aggregate_identifier = ? and sequence_number = 0", String.class, id);
        assertThat(JSON.readTree(payload).at("/order/limitPrice").decimalValue()).isEqualByComparingTo("410.25");
    }

    @Test
    void retryWithTheSameBodyAnswersTheSameTrade() {
        String alice = user("alice");
        HttpResponse<String> first = placeTrade(alice, "retry", ORDER);
        HttpResponse<String> again = placeTrade(alice, "retry", ORDER.replace("410.25", "410.250"));
        assertThat(json(again).get("tradeId").asText()).isEqualTo(json(first).get("tradeId").asText());
        // the saga may already have recorded the broker order: the retry answers the trade as it is now
        assertThat(json(again).get("version").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(placedEventCount(json(first).get("tradeId").asText())).isEqualTo(1);
    }

    @Test
    void theSameKeyFromTwoUsersMakesTwoTrades() {
        String a = json(placeTrade(user("alice"), "shared-key", ORDER)).get("tradeId").asText();
        String b = json(placeTrade(user("bob"), "shared-key", ORDER)).get("tradeId").asText();
        assertThat(a).isNotEqualTo(b);
    }
}
