package io.papertrading.command.execution;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.papertrading.broker.tradier.TradierBroker;
import io.papertrading.broker.tradier.TradierConfig;
import io.papertrading.broker.tradier.TradierTuning;
import io.papertrading.kernel.instrument.Instrument;
import io.papertrading.kernel.money.Money;
import io.papertrading.kernel.trade.Actor;
import io.papertrading.kernel.trade.CloseReason;
import io.papertrading.kernel.trade.OrderType;
import io.papertrading.kernel.trade.Side;
import io.papertrading.kernel.trade.TradeId;
import io.papertrading.kernel.trade.TradeOrder;
import io.papertrading.kernel.trade.TradeStatus;
import io.papertrading.kernel.trade.command.CancelTradeCommand;
import io.papertrading.kernel.trade.command.PlaceTradeCommand;
import io.papertrading.kernel.trade.command.RequestCloseCommand;
import io.papertrading.kernel.trade.event.CancelRequestedEvent;
import io.papertrading.kernel.trade.event.CloseRequestedEvent;
import io.papertrading.kernel.trade.event.EntryFilledWhileClosingEvent;
import io.papertrading.kernel.trade.event.EntryPartiallyFilledEvent;
import io.papertrading.kernel.trade.event.TradeClosedEvent;
import io.papertrading.kernel.trade.event.TradeOpenedEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 200 trades across 10 Tradier accounts through entry, brackets and exits, while each account's Tradier (a
 * MockWebServer, {@link FaultyTradier}) answers with every fault a real one and its network produce, at random and
 * reproducibly from a seed ({@code -Dfaultmix.seed=…}), and one account goes down for half a minute. The saga, the
 * real {@link io.papertrading.command.trade.Trade} aggregate and the real {@link TradierBroker} run together on
 * virtual time ({@link ExecutionSeam}); HTTP is real, on loopback.
 *
 * <p>Meanwhile users close open and partly filled trades and cancel trades whose entry still works (the
 * broker's word then decides how each ends). Then faults stop, every working order fills, users close what is
 * open, and the broker's books are held
 * against the trades: no tag was ever used for two orders; every trade has ended, and ended as its orders say (an
 * entry that filled nothing: CANCELED; one that filled: CLOSED, with everything bought sold again and the realized
 * P&amp;L the broker's fills make); no order of an ended trade still works; and the outage opened that account's
 * circuit breaker.
 */
class BrokerFaultMixTest {

    private static final long SEED = Long.getLong("faultmix.seed", 20261130L);
    private static final int ACCOUNTS = 10;
    private static final int TRADES = 200;
    private static final Instant START = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private static final Duration CLIENT_TIMEOUT = Duration.ofMillis(250);

    private final List<FaultyTradier> tradiers = new ArrayList<>();
    private ExecutionSeam seam;

    @AfterEach
    void tearDown() {
        tradiers.forEach(FaultyTradier::close);
        if (seam != null) {
            seam.close();
        }
    }

    @Test
    void twoHundredTradesThroughBrokerFaultsEndAsTheBrokersBooksSay() {
        CircuitBreakerRegistry breakers = CircuitBreakerRegistry.ofDefaults();
        TradierTuning tuning = TradierTuning.defaults()
                .withTimeout(CLIENT_TIMEOUT)
                .withRetries(new TradierTuning.Retries(1, Duration.ofMillis(1)))
                .withBreaker(new TradierTuning.Breaker(10, 5, 50f, Duration.ofMillis(200)))
                .withRateLimits(TradierTuning.RateLimits.perMinute(1_000_000))
                .withConfirmDelay(Duration.ZERO)
                .withSleeper(wait -> { });
        Map<String, BrokerAccount> accounts = new ConcurrentHashMap<>();
        for (int i = 0; i < ACCOUNTS; i++) {
            FaultyTradier tradier = new FaultyTradier("VA%06d".formatted(i), SEED + i, CLIENT_TIMEOUT.toMillis() + 150);
            tradier.faultBefore = 0.04;
            tradier.faultAfter = 0.04;
            tradier.rejectAfterAccept = 0.03;
            tradiers.add(tradier);
            accounts.put("trader" + i, new BrokerAccount("tradier:" + tradier.account, "TRADIER",
                    new TradierBroker(new TradierConfig(tradier.baseUrl(), tradier.account, "token-" + i, tuning),
                            breakers), true));
        }
        seam = new ExecutionSeam(START, new ExecutionSettings(Duration.ofSeconds(1), 1.5, Duration.ofSeconds(5),
                Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(1), 60),
                user -> accounts.get(user));
        Random market = new Random(SEED);
        Map<TradeId, Integer> trades = new LinkedHashMap<>();
        CircuitBreaker downAccount = breakers.circuitBreaker("tradier:" + tradiers.get(0).account);
        boolean breakerOpened = false;

        // chaos: a trade placed every second for 200 s, the market moving, users closing, one outage
        for (int second = 0; second < 320; second++) {
            if (second < TRADES) {
                int account = second % ACCOUNTS;
                trades.put(place(account, second, market), account);
            }
            tradiers.get(0).down = second >= 120 && second < 150;
            moveMarket(market, false);
            closeSome(trades, market, 0.02);
            cancelSome(trades, market, 0.01);
            seam.advance(Duration.ofSeconds(1));
            breakerOpened |= tradiers.get(0).down && downAccount.getState() == CircuitBreaker.State.OPEN;
        }

        // settle: no more faults, every working entry and exit fills, users close what is open
        tradiers.forEach(t -> {
            t.faultBefore = 0;
            t.faultAfter = 0;
            t.rejectAfterAccept = 0;
        });
        for (int second = 0; second < 1200 && trades.keySet().stream().anyMatch(this::live); second++) {
            moveMarket(market, true);
            if (second % 10 == 0) {
                closeSome(trades, market, 1.0);
            }
            seam.advance(Duration.ofSeconds(1));
        }

        Map<String, Integer> faults = new TreeMap<>();
        tradiers.forEach(t -> t.faultsServed.forEach((k, v) -> faults.merge(k, v, Integer::sum)));
        long cancels = trades.keySet().stream().filter(id -> !seam.events(id, CancelRequestedEvent.class).isEmpty()).count();
        long partlyClosed = trades.keySet().stream().filter(this::closedWhilePartlyFilled).count();
        System.out.printf("fault mix (seed %d): %s; users' cancels: %d; closes of partly filled trades: %d; "
                + "saga commands refused: %d%n", SEED, faults, cancels, partlyClosed, seam.refusals.size());
        assertThat(faults).as("every kind of fault was served").hasSizeGreaterThanOrEqualTo(10);
        assertThat(cancels).as("users canceled trades whose entry worked").isPositive();
        assertThat(partlyClosed).as("users closed partly filled trades").isPositive();
        assertThat(breakerOpened).as("the outage opened the account's circuit breaker").isTrue();

        List<String> violations = new ArrayList<>();
        for (FaultyTradier tradier : tradiers) {
            Map<String, Long> byTag = new TreeMap<>();
            tradier.orders.values().forEach(o -> byTag.merge(String.valueOf(o.tag), 1L, Long::sum));
            byTag.forEach((tag, n) -> {
                if (n > 1) {
                    violations.add(tradier.account + ": " + n + " orders tagged " + tag);
                }
            });
        }
        trades.forEach((id, account) -> check(id, tradiers.get(account), violations));
        assertThat(violations).as("trades whose state the broker's books contradict").isEmpty();
    }

    private TradeId place(int account, int n, Random market) {
        String user = "trader" + account;
        String key = "mix-" + n;
        boolean limit = market.nextDouble() < 0.4;
        boolean brackets = market.nextDouble() < 0.5;
        int quantity = 1 + market.nextInt(5);
        TradeOrder order = new TradeOrder(Instrument.stock("AAPL"), Side.BUY, quantity,
                limit ? OrderType.LIMIT : OrderType.MARKET, limit ? Money.of("100.50") : null,
                brackets ? Money.of("90.00") : null, brackets ? Money.of("115.00") : null, null, null);
        TradeId id = TradeId.forSubmission(user, key);
        seam.send(new PlaceTradeCommand(id, user, order, key));
        return id;
    }

    /**
     * One second of the market at every account: entries and exits open, fill (at one price per order, so
     * averages stay exact), fill in part, or are canceled or expired by the broker; OCO legs fill, sometimes in
     * part. Settling, every working entry and exit fills and nothing else happens.
     */
    private void moveMarket(Random market, boolean settling) {
        for (FaultyTradier tradier : tradiers) {
            synchronized (tradier) {
                for (FaultyTradier.Order o : tradier.orders.values()) {
                    if (!o.isWorking() || o.tag == null) {
                        continue;
                    }
                    double r = market.nextDouble();
                    if (!o.legs.isEmpty()) {
                        if (!settling) {
                            moveBracket(o, r, market);
                        }
                    } else if (settling) {
                        o.fill(o.quantity, price(o));
                    } else if (o.status.equals("pending")) {
                        if (r < 0.7) {
                            o.status = "open";
                        }
                    } else if (o.tag.matches(".*-x\\d+")) {
                        moveOrder(o, r, 0.6, 0.1, 0.05, 0);
                    } else if (o.type.equals("market")) {
                        moveOrder(o, r, 0.5, 0.1, 0.03, 0.02);
                    } else {
                        moveOrder(o, r, 0.1, 0.03, 0.02, 0.02);
                    }
                }
            }
        }
    }

    private static void moveOrder(FaultyTradier.Order o, double r, double fill, double part, double cancel, double expire) {
        if (r < fill) {
            o.fill(o.quantity, price(o));
        } else if (r < fill + part) {
            o.fill(Math.max(1, (o.quantity - o.exec) / 2), price(o));
        } else if (r < fill + part + cancel) {
            o.end("canceled", "halted");
        } else if (r < fill + part + cancel + expire) {
            o.end("expired", null);
        }
    }

    /** A leg fills, or fills in part; once one leg has filled in part, only it can fill further (one cancels other). */
    private static void moveBracket(FaultyTradier.Order oco, double r, Random market) {
        FaultyTradier.Order leg = oco.legs.stream().filter(l -> l.exec > 0).findFirst()
                .orElse(oco.legs.get(market.nextInt(2)));
        if (r < 0.02) {
            leg.fill(leg.quantity, leg.price);
        } else if (r < 0.04 && leg.quantity > 1 && leg.exec == 0) {
            leg.fill(1, leg.price);
        } else {
            return;
        }
        oco.status = leg.status;
        oco.exec = leg.exec;
        oco.avgFillPrice = leg.avgFillPrice;
        if (leg.status.equals("filled")) {
            oco.legs.stream().filter(l -> l != leg).forEach(l -> l.end("canceled", "other leg executed"));
        }
    }

    /** Entries fill near 100, exits between 95 and 110: whole cents, one price per order. */
    private static double price(FaultyTradier.Order o) {
        boolean exit = o.tag.matches(".*-x\\d+");
        return exit ? 95 + (o.id % 150) / 10.0 : 100 + (o.id % 50) / 100.0;
    }

    private void closeSome(Map<TradeId, Integer> trades, Random market, double chance) {
        trades.forEach((id, account) -> {
            TradeStatus status = seam.status(id);
            // a partly filled entry rarely lasts long: its close is tried more often, so the mix has some
            double p = status == TradeStatus.PARTIALLY_FILLED ? Math.max(chance, 0.25) : chance;
            if ((status == TradeStatus.OPEN || status == TradeStatus.PARTIALLY_FILLED) && market.nextDouble() < p) {
                try {
                    seam.send(new RequestCloseCommand(id, CloseReason.MANUAL, Actor.user("trader" + account), null));
                } catch (RuntimeException refused) {
                    // the trade moved on meanwhile (a bracket filled): the user sees it and closes nothing
                }
            }
        });
    }

    /** Users cancel some trades whose entry still works: the broker's word decides how each ends. */
    private void cancelSome(Map<TradeId, Integer> trades, Random market, double chance) {
        trades.forEach((id, account) -> {
            TradeStatus status = seam.status(id);
            if ((status == TradeStatus.PENDING || status == TradeStatus.PARTIALLY_FILLED) && market.nextDouble() < chance) {
                try {
                    seam.send(new CancelTradeCommand(id, CloseReason.CANCELED, "canceled by user",
                            Actor.user("trader" + account), null));
                } catch (RuntimeException refused) {
                    // the entry filled meanwhile: the trade is open and there is nothing to cancel
                }
            }
        });
    }

    /** A close was asked while the entry was partly filled (the close came before any TradeOpened). */
    private boolean closedWhilePartlyFilled(TradeId id) {
        for (Object e : seam.events(id)) {
            if (e instanceof TradeOpenedEvent) {
                return false;
            }
            if (e instanceof CloseRequestedEvent) {
                return true;
            }
        }
        return false;
    }

    private boolean live(TradeId id) {
        return !seam.status(id).isTerminal();
    }

    /** Holds one trade against its account's books. */
    private void check(TradeId id, FaultyTradier tradier, List<String> violations) {
        TradeStatus status = seam.status(id);
        String entryTag = id.value();
        List<FaultyTradier.Order> entry = tradier.tagged(entryTag);
        List<FaultyTradier.Order> sells = new ArrayList<>();
        List<FaultyTradier.Order> all = new ArrayList<>(entry);
        synchronized (tradier) {
            for (FaultyTradier.Order o : tradier.orders.values()) {
                if (o.tag != null && o.tag.startsWith(entryTag + "-")) {
                    all.add(o);
                    sells.addAll(o.legs.isEmpty() ? List.of(o) : o.legs);
                }
            }
        }
        int bought = entry.stream().mapToInt(o -> o.exec).sum();
        int sold = sells.stream().mapToInt(o -> o.exec).sum();
        String where = id + " (" + status + ", bought " + bought + ", sold " + sold + "; orders "
                + all.stream().map(o -> o.tag.substring(Math.min(o.tag.length(), 36)) + ":" + o.status + " " + o.exec + "/"
                        + o.quantity + (o.legs.isEmpty() ? "" : o.legs.stream().map(l -> l.type + ":" + l.status + " "
                        + l.exec).toList().toString())).toList()
                + "; events " + seam.events(id).stream().map(e -> e.getClass().getSimpleName().replace("Event", ""))
                        .toList() + ")";
        if (status.isTerminal() && all.stream().anyMatch(o -> o.isWorking() && o.legs.stream().allMatch(FaultyTradier.Order::isWorking))) {
            violations.add(where + ": ended with an order still working at the broker");
        }
        if (!status.isTerminal()) {
            violations.add(where + ": still live after every order was final");
            return;
        }
        // what the trade holds from its entry: opened with, or (closed while partly filled) filled by the close
        int opened = seam.events(id).stream().mapToInt(e -> e instanceof TradeOpenedEvent o ? o.filledQuantity()
                        : e instanceof EntryPartiallyFilledEvent p ? p.filledQuantity()
                        : e instanceof EntryFilledWhileClosingEvent c ? c.filledQuantity() : 0)
                .max().orElse(0);
        if (opened != bought) {
            violations.add(where + ": the trade holds " + opened + " from its entry but the broker filled " + bought);
        }
        if (bought == 0) {
            if (status != TradeStatus.CANCELED || sold != 0) {
                violations.add(where + ": nothing was bought, so it should be CANCELED with nothing sold");
            }
            return;
        }
        if (status != TradeStatus.CLOSED || sold != bought) {
            violations.add(where + ": everything bought should have been sold and the trade CLOSED");
            return;
        }
        BigDecimal entryPrice = BigDecimal.valueOf(entry.get(0).avgFillPrice);
        BigDecimal expected = sells.stream()
                .map(o -> BigDecimal.valueOf(o.avgFillPrice).subtract(entryPrice).multiply(BigDecimal.valueOf(o.exec)))
                .reduce(BigDecimal.ZERO, BigDecimal::add);
        Money realized = seam.events(id, TradeClosedEvent.class).get(0).realizedPnl();
        if (realized.amount().compareTo(expected) != 0) {
            violations.add(where + ": realized " + realized + " but the broker's fills make " + expected);
        }
    }
}
