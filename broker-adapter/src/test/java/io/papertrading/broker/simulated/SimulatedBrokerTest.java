package io.papertrading.broker.simulated;

import io.papertrading.broker.Balance;
import io.papertrading.broker.BrokerException;
import io.papertrading.broker.BrokerInsufficientFundsException;
import io.papertrading.broker.OcoRequest;
import io.papertrading.broker.OptionQuote;
import io.papertrading.broker.OrderRequest;
import io.papertrading.broker.OrderSide;
import io.papertrading.broker.OrderState;
import io.papertrading.broker.OrderStatusReport;
import io.papertrading.broker.PlacedOrder;
import io.papertrading.broker.Position;
import io.papertrading.broker.Quote;
import io.papertrading.broker.TimeInForce;
import io.papertrading.kernel.instrument.Instrument;
import io.papertrading.kernel.instrument.OptionType;
import io.papertrading.kernel.money.Money;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The simulated broker's behaviour on in-memory books. {@code SimulatedBrokerOnPostgresIT} runs every test here
 * again on books in PostgreSQL.
 */
class SimulatedBrokerTest {

    /** Monday 2025-03-03 10:00 New York, on a minute boundary. */
    private static final Instant MONDAY_MORNING = Instant.parse("2025-03-03T15:00:00Z");
    private static final Instrument AAPL = Instrument.stock("AAPL");

    final MutableClock clock = new MutableClock(MONDAY_MORNING);
    final SimulatedMarket market = new SimulatedMarket(42L, clock);
    final SimulationSettings settings = SimulationSettings.defaults().withFillLatency(Duration.ofSeconds(1));
    /** Distinguishes this test's accounts from other tests' on shared books. */
    final String run = java.util.UUID.randomUUID().toString().substring(0, 8);
    final SimulatedBooks books = newBooks();
    final SimulatedBroker broker = account("alice", settings);

    /** The books this test's accounts keep; called once per test. */
    SimulatedBooks newBooks() {
        return SimulatedBooks.inMemory();
    }

    SimulatedBroker account(String name, SimulationSettings accountSettings) {
        return new SimulatedBroker(market, name + "-" + run, accountSettings, books);
    }

    @Test
    void thePlacementsAnswerCarriesTheOrderFilledAtOnceWithoutALatency() {
        SimulatedBroker instant = account("bob", settings.withFillLatency(Duration.ZERO));
        Quote quote = market.quote("AAPL");

        PlacedOrder placed = instant.placeOrder(OrderRequest.market("t-0", AAPL, OrderSide.BUY_TO_OPEN, 10));

        assertThat(placed.report()).isNotNull();
        assertThat(placed.report().state()).isEqualTo(OrderState.FILLED);
        assertThat(placed.report().avgFillPrice()).isEqualTo(quote.ask());
        assertThat(instant.getOrder(placed.orderId())).isEqualTo(placed.report());
        assertThat(broker.placeOrder(OrderRequest.market("t-1", AAPL, OrderSide.BUY_TO_OPEN, 10)).report().state())
                .as("with a latency it works first").isEqualTo(OrderState.OPEN);
    }

    @Test
    void anOrderIsFoundByItsTagOnlyInTheAccountThatTookIt() {
        assertThat(broker.findOrderByTag("never-placed")).isEmpty();
        String id = broker.placeOrder(OrderRequest.market("tagged-1", AAPL, OrderSide.BUY_TO_OPEN, 1)).orderId();

        assertThat(broker.findOrderByTag("tagged-1")).get().extracting(OrderStatusReport::orderId).isEqualTo(id);
        assertThat(account("carol", settings).findOrderByTag("tagged-1")).as("another account").isEmpty();
    }

    @Test
    void marketBuyFillsAtTheAskOnceTheLatencyHasElapsed() {
        String id = broker.placeOrder(OrderRequest.market("t-1", AAPL, OrderSide.BUY_TO_OPEN, 10)).orderId();
        assertThat(broker.getOrder(id).state()).isEqualTo(OrderState.OPEN);

        clock.advance(Duration.ofSeconds(1));
        Quote quote = market.quote("AAPL");
        OrderStatusReport filled = broker.getOrder(id);

        assertThat(filled.state()).isEqualTo(OrderState.FILLED);
        assertThat(filled.avgFillPrice()).isEqualTo(quote.ask());
        assertThat(filled.tag()).isEqualTo("t-1");
        assertThat(broker.getPositions()).singleElement().satisfies(p -> {
            assertThat(p.symbol()).isEqualTo("AAPL");
            assertThat(p.quantity()).isEqualByComparingTo("10");
        });
        assertThat(broker.getBalance().cash())
                .isEqualTo(Money.of("100000").minus(quote.ask().times(BigDecimal.TEN)));
    }

    @Test
    void marketSellToCloseFillsAtTheBid() {
        buyAndFill(AAPL, 10);

        String id = broker.placeOrder(OrderRequest.market("t-2", AAPL, OrderSide.SELL_TO_CLOSE, 10)).orderId();
        clock.advance(Duration.ofSeconds(1));

        assertThat(broker.getOrder(id).avgFillPrice()).isEqualTo(market.quote("AAPL").bid());
        assertThat(broker.getPositions()).isEmpty();
    }

    @Test
    void limitBuyFillsOnlyWhenTheAskIsAtOrBelowTheLimit() {
        Money ask = market.quote("AAPL").ask();
        String resting = broker.placeOrder(OrderRequest.limit("t-rest", AAPL, OrderSide.BUY_TO_OPEN, 1,
                ask.times(new BigDecimal("0.5")), TimeInForce.GTC)).orderId();
        String marketable = broker.placeOrder(OrderRequest.limit("t-fill", AAPL, OrderSide.BUY_TO_OPEN, 1,
                ask.times(new BigDecimal("1.5")), TimeInForce.GTC)).orderId();

        clock.advance(Duration.ofMinutes(5));

        assertThat(broker.getOrder(resting).state()).isEqualTo(OrderState.OPEN);
        OrderStatusReport filled = broker.getOrder(marketable);
        assertThat(filled.state()).isEqualTo(OrderState.FILLED);
        assertThat(filled.avgFillPrice()).isEqualTo(market.quote("AAPL").ask());
    }

    @Test
    void orderLargerThanTheDisplayedSizeFillsPartiallyThenCompletely() {
        SimulatedBroker rich = account("rich",
                settings.withStartingCash(Money.of("100000000")));
        long size = market.quote("AAPL").askSize();
        int quantity = (int) (2 * size + 50);
        String id = rich.placeOrder(OrderRequest.market("big", AAPL, OrderSide.BUY_TO_OPEN, quantity)).orderId();

        clock.advance(Duration.ofSeconds(1));
        OrderStatusReport first = rich.getOrder(id);
        OrderStatusReport sameInstant = rich.getOrder(id);
        clock.advance(Duration.ofSeconds(1));
        OrderStatusReport second = rich.getOrder(id);
        clock.advance(Duration.ofSeconds(1));
        OrderStatusReport last = rich.getOrder(id);

        assertThat(first.state()).isEqualTo(OrderState.PARTIALLY_FILLED);
        assertThat(first.execQuantity()).isEqualByComparingTo(BigDecimal.valueOf(size));
        assertThat(first.remainingQuantity()).isEqualByComparingTo(BigDecimal.valueOf(quantity - size));
        assertThat(sameInstant.execQuantity()).isEqualByComparingTo(first.execQuantity());
        assertThat(second.execQuantity()).isEqualByComparingTo(BigDecimal.valueOf(2 * size));
        assertThat(last.state()).isEqualTo(OrderState.FILLED);
        assertThat(rich.getPositions().get(0).quantity()).isEqualByComparingTo(BigDecimal.valueOf(quantity));
    }

    @Test
    void orderBeyondBuyingPowerIsRejectedWithAReason() {
        OrderRequest tooBig = OrderRequest.market("t", Instrument.stock("SPY"), OrderSide.BUY_TO_OPEN, 1000);

        OrderStatusReport report = broker.getOrder(broker.placeOrder(tooBig).orderId());

        assertThat(report.state()).isEqualTo(OrderState.REJECTED);
        assertThat(report.reasonDescription()).contains("insufficient buying power");
        assertThatThrownBy(() -> broker.placeOrderAndConfirm(tooBig))
                .isInstanceOf(BrokerInsufficientFundsException.class);
        assertThat(broker.getBalance().cash()).isEqualTo(Money.of("100000"));
    }

    @Test
    void sellToCloseWithoutAPositionIsRejected() {
        OrderStatusReport report = broker.getOrder(broker.placeOrder(
                OrderRequest.market("t", AAPL, OrderSide.SELL_TO_CLOSE, 1)).orderId());

        assertThat(report.state()).isEqualTo(OrderState.REJECTED);
        assertThat(report.reasonDescription()).contains("no position");
    }

    @Test
    void ocoTakeProfitFillCancelsTheStopLeg() {
        buyAndFill(AAPL, 10);
        Money bid = market.quote("AAPL").bid();
        String group = broker.placeOco(new OcoRequest("t", AAPL, OrderSide.SELL_TO_CLOSE, 10,
                bid.minus(Money.of("1")), bid.times(new BigDecimal("0.5")), TimeInForce.GTC)).orderId();

        clock.advance(Duration.ofSeconds(1));
        OrderStatusReport report = broker.getOrder(group);

        assertThat(report.state()).isEqualTo(OrderState.FILLED);
        assertThat(report.legs()).extracting(OrderStatusReport::state)
                .containsExactly(OrderState.FILLED, OrderState.CANCELED);
        assertThat(broker.getPositions()).isEmpty();
        assertThat(broker.listOrders()).extracting(OrderStatusReport::orderId).contains(group);
    }

    @Test
    void ocoStopFillCancelsTheTakeProfitLeg() {
        buyAndFill(AAPL, 10);
        Money bid = market.quote("AAPL").bid();
        String group = broker.placeOco(new OcoRequest("t", AAPL, OrderSide.SELL_TO_CLOSE, 10,
                bid.times(new BigDecimal("2")), bid.plus(Money.of("1")), TimeInForce.GTC)).orderId();

        clock.advance(Duration.ofSeconds(1));
        OrderStatusReport report = broker.getOrder(group);

        assertThat(report.legs()).extracting(OrderStatusReport::state)
                .containsExactly(OrderState.CANCELED, OrderState.FILLED);
        assertThat(report.avgFillPrice()).isEqualTo(market.quote("AAPL").bid());
    }

    @Test
    void cancelStopsAWorkingOrderAndRefusesATerminalOne() {
        String id = broker.placeOrder(OrderRequest.limit("t", AAPL, OrderSide.BUY_TO_OPEN, 1, Money.of("1"),
                TimeInForce.GTC)).orderId();

        broker.cancelOrder(id);

        assertThat(broker.getOrder(id).state()).isEqualTo(OrderState.CANCELED);
        assertThatThrownBy(() -> broker.cancelOrder(id)).isInstanceOf(BrokerException.class)
                .hasMessageContaining("CANCELED");
        assertThatThrownBy(() -> broker.getOrder("nope")).isInstanceOf(BrokerException.class);
    }

    @Test
    void dayOrderExpiresAtTheEndOfItsDay() {
        String id = broker.placeOrder(OrderRequest.limit("t", AAPL, OrderSide.BUY_TO_OPEN, 1, Money.of("1"),
                TimeInForce.DAY)).orderId();

        clock.advance(Duration.ofDays(1));

        assertThat(broker.getOrder(id).state()).isEqualTo(OrderState.EXPIRED);
    }

    @Test
    void regularHoursHoldFillsUntilTheOpen() {
        Instant saturday = Instant.parse("2025-03-01T15:00:00Z");
        clock.set(saturday);
        SimulatedBroker regular = account("bob", settings.withMarketHours(MarketHours.REGULAR_US));
        String id = regular.placeOrder(new OrderRequest("t", AAPL, OrderSide.BUY_TO_OPEN, 1,
                io.papertrading.broker.PriceType.MARKET, null, null, TimeInForce.GTC)).orderId();

        clock.advance(Duration.ofHours(1));
        OrderState weekend = regular.getOrder(id).state();
        clock.set(MONDAY_MORNING);

        assertThat(weekend).isEqualTo(OrderState.OPEN);
        assertThat(regular.getOrder(id).state()).isEqualTo(OrderState.FILLED);
    }

    @Test
    void optionExpiryExpiresWorkingOrdersAndSettlesPositionsAtIntrinsicValue() {
        LocalDate nearest = market.expirations("AAPL").get(0);
        List<OptionQuote> chain = market.chain("AAPL", nearest, true);
        OptionQuote call = atTheMoney(chain, OptionType.CALL);
        buyAndFill(Instrument.option(call.contract()), 1);
        // Deep in the money: its ask never falls to the limit, so the order is still working at expiry.
        Instrument deep = Instrument.option(chain.get(0).contract());
        String resting = broker.placeOrder(OrderRequest.limit("t", deep, OrderSide.BUY_TO_OPEN, 1,
                Money.of("0.01"), TimeInForce.GTC)).orderId();
        BigDecimal cashBefore = broker.getBalance().cash().amount();

        clock.set(SimulatedMarket.expiryInstant(call.contract()).plus(Duration.ofHours(1)));

        BigDecimal settlement = call.contract().intrinsicValue(
                market.price("AAPL", SimulatedMarket.expiryInstant(call.contract()))).multiply(BigDecimal.valueOf(100));
        assertThat(broker.getPositions()).isEmpty();
        assertThat(broker.getOrder(resting).state()).isEqualTo(OrderState.EXPIRED);
        assertThat(broker.getBalance().cash().amount()).isEqualByComparingTo(cashBefore.add(settlement));
    }

    @Test
    void optionBuyCostsPremiumTimesOneHundred() {
        LocalDate expiry = market.expirations("MSFT").get(3);
        OptionQuote put = atTheMoney(market.chain("MSFT", expiry, false), OptionType.PUT);

        String id = broker.placeOrder(OrderRequest.market("t", Instrument.option(put.contract()),
                OrderSide.BUY_TO_OPEN, 2)).orderId();
        clock.advance(Duration.ofSeconds(1));
        Money paid = broker.getOrder(id).avgFillPrice();

        assertThat(broker.getBalance().cash()).isEqualTo(Money.of("100000").minus(paid.times(BigDecimal.valueOf(200))));
        assertThat(broker.getPositions()).extracting(Position::symbol).containsExactly(put.contract().occ());
    }

    @Test
    void balanceEquityIsCashPlusMarketValue() {
        assertThat(broker.getBalance().totalEquity()).isEqualTo(Money.of("100000"));
        buyAndFill(AAPL, 100);

        Balance balance = broker.getBalance();
        BigDecimal value = market.quote("AAPL").mark().amount().multiply(BigDecimal.valueOf(100));

        assertThat(balance.totalEquity().amount()).isEqualByComparingTo(balance.cash().amount().add(value));
        assertThat(balance.stockBuyingPower()).isEqualTo(balance.cash());
    }

    @Test
    void aPlacementWithATagTheAccountAlreadyHoldsIsAnsweredWithThatOrder() {
        assertThat(broker.placesOncePerTag()).isTrue();
        PlacedOrder first = broker.placeOrder(OrderRequest.limit("leg-1", AAPL, OrderSide.BUY_TO_OPEN, 1,
                Money.of("1"), TimeInForce.GTC));
        buyAndFill(AAPL, 10);
        Money bid = market.quote("AAPL").bid();
        OcoRequest bracket = new OcoRequest("leg-2", AAPL, OrderSide.SELL_TO_CLOSE, 10, bid.plus(Money.of("50")),
                bid.times(new BigDecimal("0.5")), TimeInForce.GTC);
        PlacedOrder oco = broker.placeOco(bracket);

        PlacedOrder again = broker.placeOrder(OrderRequest.market("leg-1", AAPL, OrderSide.BUY_TO_OPEN, 5));
        PlacedOrder ocoAgain = broker.placeOco(bracket);

        assertThat(again.orderId()).isEqualTo(first.orderId());
        assertThat(again.report().quantity()).as("the first order, not the second request")
                .isEqualByComparingTo("1");
        assertThat(ocoAgain.orderId()).isEqualTo(oco.orderId());
        assertThat(ocoAgain.report().legs()).hasSize(2);
        assertThat(broker.listOrders()).extracting(OrderStatusReport::tag)
                .containsExactlyInAnyOrder("leg-1", "setup", "leg-2");
    }

    @Test
    void concurrentPlacementsOfOneTagPlaceOneOrder() throws Exception {
        Set<String> ids = ConcurrentHashMap.newKeySet();
        onEightThreads(() -> ids.add(broker.placeOrder(OrderRequest.limit("only-once", AAPL, OrderSide.BUY_TO_OPEN, 1,
                Money.of("1"), TimeInForce.GTC)).orderId()));
        assertThat(ids).hasSize(1);
        assertThat(broker.listOrders()).hasSize(1);
    }

    @Test
    void concurrentPlacementsAreAllRecordedWithDistinctIds() throws Exception {
        Set<String> ids = ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicInteger tags = new java.util.concurrent.atomic.AtomicInteger();
        onEightThreads(() -> {
            for (int i = 0; i < 25; i++) {
                ids.add(broker.placeOrder(OrderRequest.limit("t-" + tags.incrementAndGet(), AAPL, OrderSide.BUY_TO_OPEN,
                        1, Money.of("1"), TimeInForce.GTC)).orderId());
                broker.listOrders();
            }
        });

        assertThat(ids).hasSize(200);
        assertThat(broker.listOrders()).hasSize(200);
    }

    /** Runs {@code work} on eight threads at once and waits for all of them. */
    static void onEightThreads(Runnable work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> running = new java.util.ArrayList<>();
            for (int t = 0; t < 8; t++) {
                running.add(pool.submit(work));
            }
            for (Future<?> f : running) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    void buyAndFill(Instrument instrument, int quantity) {
        String id = broker.placeOrder(OrderRequest.market("setup", instrument, OrderSide.BUY_TO_OPEN, quantity))
                .orderId();
        clock.advance(Duration.ofSeconds(1));
        assertThat(broker.getOrder(id).state()).isEqualTo(OrderState.FILLED);
    }

    static OptionQuote atTheMoney(List<OptionQuote> chain, OptionType type) {
        BigDecimal spot = chain.get(0).quote().underlyingPrice().amount();
        return chain.stream().filter(o -> o.contract().type() == type)
                .min((a, b) -> a.contract().strike().subtract(spot).abs()
                        .compareTo(b.contract().strike().subtract(spot).abs()))
                .orElseThrow();
    }
}
