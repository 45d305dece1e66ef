package io.papertrading.command.monitor;

import io.papertrading.broker.simulated.MutableClock;
import io.papertrading.broker.tradier.TradierBroker;
import io.papertrading.broker.tradier.TradierConfig;
import io.papertrading.broker.tradier.TradierTuning;
import io.papertrading.command.execution.BrokerAccount;
import io.papertrading.kernel.money.Money;
import io.papertrading.kernel.trade.Side;
import io.papertrading.kernel.trade.TradeId;
import io.papertrading.kernel.trade.TradeStatus;
import io.papertrading.kernel.trade.event.PriceObservedEvent;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 200 open trades of one Tradier account, a monitor ticking every second for three minutes: the quotes requests
 * a fake Tradier (MockWebServer) receives are batched (≤ 100 symbols each, 2 per tick instead of 200) and never
 * exceed Tradier's sandbox limit of 60 a minute (the monitor keeps to its own 50) in any sliding minute.
 */
class PriceMonitorRateLimitTest {

    private static final Instant T0 = Instant.parse("2026-03-02T15:00:00Z");

    private final MockWebServer server = new MockWebServer();
    private final MutableClock clock = new MutableClock(T0);
    private final List<Instant> requestTimes = new CopyOnWriteArrayList<>();
    private final List<Integer> symbolsPerRequest = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    @Test
    void twoHundredOpenTradesStayWithinSixtyQuotesRequestsAMinute() throws IOException {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                requestTimes.add(clock.instant());
                String[] symbols = request.getUrl().queryParameter("symbols").split(",");
                symbolsPerRequest.add(symbols.length);
                StringBuilder body = new StringBuilder("{\"quotes\":{\"quote\":[");
                for (int i = 0; i < symbols.length; i++) {
                    body.append(i == 0 ? "" : ",").append("{\"symbol\":\"").append(symbols[i])
                            .append("\",\"type\":\"stock\",\"bid\":99.5,\"ask\":100.5,\"last\":100.0}");
                }
                return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                        .body(body.append("]}}").toString()).build();
            }
        });
        server.start();
        // the broker's own limiter is set out of the way: the monitor's budget is what is under test
        TradierBroker tradier = new TradierBroker(new TradierConfig(server.url("/v1").toString(), "VA000001", "token",
                TradierTuning.defaults().withRateLimits(TradierTuning.RateLimits.perMinute(10_000))));
        InMemoryLiveTradeBook book = new InMemoryLiveTradeBook();
        Set<String> symbols = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            String symbol = "S" + (char) ('A' + i / 26 % 26) + (char) ('A' + i % 26);
            symbols.add(symbol);
            TradeId id = new TradeId("trade-" + i);
            book.placed(id, "user" + (i % 7), symbol, Side.BUY, null, null, 1);
            book.filled(id, TradeStatus.OPEN, 1, Money.of("100"), 2);
        }
        MonitorFixtures f = new MonitorFixtures();
        // seven users, one Tradier account: one batching key
        PriceMonitor monitor = new PriceMonitor(book, user -> new BrokerAccount("tradier:SANDBOX:VA000001", "TRADIER",
                tradier, false), f.events, f.commands, clock,
                new MonitorSettings(Duration.ofSeconds(1), 100, 50, Duration.ofSeconds(60)));

        for (int tick = 0; tick < 180; tick++) {
            monitor.tick();
            clock.advance(Duration.ofSeconds(1));
        }

        assertThat(server.getRequestCount()).isEqualTo(requestTimes.size()).isGreaterThanOrEqualTo(100);
        for (Instant start : requestTimes) {
            long inWindow = requestTimes.stream().filter(t -> !t.isBefore(start) && t.isBefore(start.plusSeconds(60))).count();
            assertThat(inWindow).as("requests in the minute from %s", start).isLessThanOrEqualTo(50);
        }
        assertThat(symbolsPerRequest).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(100));
        Set<Object> quoted = new HashSet<>();
        f.published.forEach(e -> quoted.add(((PriceObservedEvent) e).tradeId()));
        assertThat(quoted).hasSize(200);
        assertThat(f.published).hasSizeGreaterThanOrEqualTo(100 * 100);
        assertThat(symbols).hasSize(200);
    }
}
