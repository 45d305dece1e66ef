package io.papertrading.command.monitor;

import io.papertrading.broker.simulated.MutableClock;
import io.papertrading.command.execution.BrokerAccount;
import io.papertrading.kernel.money.Money;
import io.papertrading.kernel.trade.Actor;
import io.papertrading.kernel.trade.CloseReason;
import io.papertrading.kernel.trade.Side;
import io.papertrading.kernel.trade.TradeId;
import io.papertrading.kernel.trade.TradeStatus;
import io.papertrading.kernel.trade.command.RequestCloseCommand;
import io.papertrading.kernel.trade.event.PriceObservedEvent;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static io.papertrading.command.monitor.MonitorFixtures.quote;
import static io.papertrading.command.monitor.MonitorFixtures.quotesOnly;
import static org.assertj.core.api.Assertions.assertThat;

class PriceMonitorTest {

    private static final Instant T0 = Instant.parse("2026-03-02T15:00:00Z");

    private final MonitorFixtures f = new MonitorFixtures();
    private final MutableClock clock = new MutableClock(T0);
    private final InMemoryLiveTradeBook book = new InMemoryLiveTradeBook();
    private final AtomicReference<String> price = new AtomicReference<>("100");
    private final List<List<String>> requests = new ArrayList<>();
    private boolean oco;

    private PriceMonitor monitor() {
        return new PriceMonitor(book, user -> new BrokerAccount("sim:" + user, "SIMULATED", quotesOnly(symbols -> {
            requests.add(symbols);
            return symbols.stream().map(s -> quote(s, price.get())).toList();
        }), oco), f.events, f.commands, clock, MonitorSettings.defaults());
    }

    private TradeId open(String user, String symbol, Side side, String entry, String stop, String target) {
        TradeId id = new TradeId(java.util.UUID.randomUUID().toString());
        book.placed(id, user, symbol, side, stop == null ? null : Money.of(stop), target == null ? null : Money.of(target), 1);
        book.filled(id, TradeStatus.OPEN, 10, Money.of(entry), 2);
        return id;
    }

    private void tickAt(String mid) {
        price.set(mid);
        clock.advance(Duration.ofSeconds(15));
        monitor.tick();
    }

    private PriceMonitor monitor;

    @Test
    void aStopLossCrossedOnAScriptedPathRequestsTheCloseExactlyOnce() {
        monitor = monitor();
        TradeId id = open("alice", "AAPL", Side.BUY, "100", "95", "110");

        for (String mid : List.of("101", "97", "95", "93", "94.5", "90")) {
            tickAt(mid);
        }

        assertThat(f.closeRequests).containsExactly(new RequestCloseCommand(id, CloseReason.STOP_LOSS, Actor.Engine.PRICE_MONITOR, null));
        assertThat(f.published).hasSize(6).allSatisfy(e -> assertThat(e).isInstanceOf(PriceObservedEvent.class));
        PriceObservedEvent last = (PriceObservedEvent) f.published.get(5);
        assertThat(last.tradeId()).isEqualTo(id);
        assertThat(last.username()).isEqualTo("alice");
        assertThat(last.mark()).isEqualTo(Money.of("90"));
        assertThat(last.occurredAt()).isEqualTo(T0.plusSeconds(90));
    }

    @Test
    void aShortsTakeProfitFiresBelowTheTargetAndNewBracketsReArmTheTrigger() {
        monitor = monitor();
        TradeId id = open("bob", "TSLA", Side.SELL, "50", "55", "45");

        tickAt("47");
        tickAt("44.90");
        tickAt("44");
        assertThat(f.closeRequests).extracting(RequestCloseCommand::reason).containsExactly(CloseReason.TAKE_PROFIT);

        book.brackets(id, Money.of("48"), Money.of("40"), 5); // the user moved both: armed again
        tickAt("48.5");
        assertThat(f.closeRequests).extracting(RequestCloseCommand::reason)
                .containsExactly(CloseReason.TAKE_PROFIT, CloseReason.STOP_LOSS);
    }

    @Test
    void aClosingTradeIsQuotedButNeverTriggered() {
        monitor = monitor();
        TradeId id = open("carol", "MSFT", Side.BUY, "200", "190", null);
        book.status(id, TradeStatus.CLOSING, 3);

        tickAt("150");

        assertThat(f.published).hasSize(1);
        assertThat(f.closeRequests).isEmpty();
    }

    @Test
    void withNativeOcoTheMonitorStepsInOnlyAfterTheGracePeriod() {
        oco = true;
        monitor = monitor();
        open("dave", "SPY", Side.BUY, "500", "490", null);

        tickAt("489");          // crossed: the broker's OCO should act
        tickAt("488");          // 15 s
        tickAt("495");          // back inside: the grace restarts
        tickAt("489");
        for (int i = 0; i < 3; i++) {
            tickAt("488");      // 15, 30, 45 s crossed
        }
        assertThat(f.closeRequests).isEmpty();
        tickAt("488");          // 60 s crossed
        assertThat(f.closeRequests).extracting(RequestCloseCommand::reason).containsExactly(CloseReason.STOP_LOSS);
    }

    @Test
    void aFailedCloseRequestIsRetriedOnTheNextTick() {
        monitor = monitor();
        TradeId id = open("erin", "AAPL", Side.BUY, "100", "95", null);
        f.commandBus.subscribe(RequestCloseCommand.class.getName(), m -> {
            throw new IllegalStateException("database down");
        });

        tickAt("94");
        assertThat(book.monitored()).singleElement().extracting(LiveTrade::triggerReason).isNull();

        f.commandBus.subscribe(RequestCloseCommand.class.getName(), m -> {
            f.closeRequests.add((RequestCloseCommand) m.getPayload());
            return null;
        });
        tickAt("94");
        tickAt("93");
        assertThat(f.closeRequests).extracting(RequestCloseCommand::tradeId).containsExactly(id);
    }

    @Test
    void oneQuotesRequestPerAccountCarriesEveryDistinctSymbol() {
        monitor = monitor();
        open("frank", "AAPL", Side.BUY, "100", null, null);
        open("frank", "AAPL", Side.SELL, "100", null, null);
        open("frank", "AAPL260619C00260000", Side.BUY, "2", null, null);
        open("grace", "MSFT", Side.BUY, "100", null, null);

        PriceMonitor.TickReport report = monitor.tick();

        assertThat(report.requests()).isEqualTo(2);
        assertThat(report.observed()).isEqualTo(4);
        assertThat(requests).containsExactlyInAnyOrder(List.of("AAPL", "AAPL260619C00260000"), List.of("MSFT"));
    }
}
