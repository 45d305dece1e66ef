package io.papertrading.broker.simulated;

import io.papertrading.broker.BrokerProvider;
import io.papertrading.broker.BrokerUnavailableException;
import io.papertrading.broker.OrderRequest;
import io.papertrading.broker.OrderSide;
import io.papertrading.broker.OrderState;
import io.papertrading.broker.OrderStatusReport;
import io.papertrading.broker.TimeInForce;
import io.papertrading.kernel.instrument.Instrument;
import io.papertrading.kernel.money.Money;
import io.papertrading.migrations.TestDatabase;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Every behaviour of {@link SimulatedBrokerTest} again on books in PostgreSQL, as the engine role sees them, plus
 * what only shared books promise: a restart or a second node finds the same account, two nodes never spend the
 * same cash twice, and row-level security confines each operation to its own account.
 */
class SimulatedBrokerOnPostgresIT extends SimulatedBrokerTest {

    private static final JdbcSimulatedBooks NODE_A = SimulatedBooks.postgres(TestDatabase.get().pooledEngine());
    private static final JdbcSimulatedBooks NODE_B = SimulatedBooks.postgres(TestDatabase.get().pooledEngine());
    private static final Instrument AAPL = Instrument.stock("AAPL");

    @Override
    SimulatedBooks newBooks() {
        return NODE_A;
    }

    private SimulatedBroker onNodeB(String name) {
        return new SimulatedBroker(market, name + "-" + run, settings, NODE_B);
    }

    @Test
    void aRestartedOrSecondNodeFindsTheAccountItsWorkingOrderAndItsCash() {
        buyAndFill(AAPL, 10);
        String resting = broker.placeOrder(OrderRequest.limit("rest-1", AAPL, OrderSide.BUY_TO_OPEN, 5,
                market.quote("AAPL").ask().times(new BigDecimal("0.5")), TimeInForce.GTC)).orderId();
        Money cash = broker.getBalance().cash();

        SimulatedBroker elsewhere = onNodeB("alice");

        assertThat(elsewhere.getBalance().cash()).isEqualTo(cash);
        assertThat(elsewhere.getPositions()).singleElement()
                .satisfies(p -> assertThat(p.quantity()).isEqualByComparingTo("10"));
        assertThat(elsewhere.getOrder(resting).state()).isEqualTo(OrderState.OPEN);
        assertThat(elsewhere.findOrderByTag("rest-1")).get().extracting(OrderStatusReport::orderId).isEqualTo(resting);

        elsewhere.cancelOrder(resting);

        assertThat(broker.getOrder(resting).state()).isEqualTo(OrderState.CANCELED);
        assertThat(broker.getBalance().buyingPower(false)).isEqualTo(cash);
    }

    @Test
    void eachFillKeepsTheOtherHoldingsAsTheyWereAndASecondNodeSeesTheSameBook() {
        Instrument spy = Instrument.stock("SPY");
        SimulatedBroker instant = account("dana", settings.withFillLatency(Duration.ZERO));
        instant.placeOrder(OrderRequest.market("h-1", AAPL, OrderSide.BUY_TO_OPEN, 10));
        instant.placeOrder(OrderRequest.market("h-2", spy, OrderSide.BUY_TO_OPEN, 5));
        List<io.papertrading.broker.Position> before = instant.getPositions();

        instant.placeOrder(OrderRequest.market("h-3", AAPL, OrderSide.SELL_TO_CLOSE, 4));
        instant.placeOrder(OrderRequest.market("h-4", spy, OrderSide.SELL_TO_CLOSE, 5));
        instant.placeOrder(OrderRequest.market("h-5", spy, OrderSide.BUY_TO_OPEN, 2));

        SimulatedBroker elsewhere = new SimulatedBroker(market, "dana-" + run, settings, NODE_B);
        io.papertrading.broker.Position aapl = before.stream().filter(p -> p.symbol().equals("AAPL")).findFirst()
                .orElseThrow();
        assertThat(elsewhere.getPositions()).hasSize(2).anySatisfy(p -> {
            assertThat(p.symbol()).isEqualTo("AAPL");
            assertThat(p.quantity()).isEqualByComparingTo("6");
            assertThat(p.costBasis().amount()).as("the average cost of what remains")
                    .isEqualByComparingTo(aapl.costBasis().amount().multiply(new BigDecimal("0.6"))
                            .setScale(2, java.math.RoundingMode.HALF_EVEN));
            assertThat(p.acquiredAt()).isEqualTo(aapl.acquiredAt());
        }).anySatisfy(p -> {
            assertThat(p.symbol()).isEqualTo("SPY");
            assertThat(p.quantity()).as("closed, then bought again").isEqualByComparingTo("2");
        });
        assertThat(elsewhere.getBalance().cash()).isEqualTo(instant.getBalance().cash());
    }

    @Test
    void aBalanceIsReadWithoutWaitingForAnOperationThatHoldsTheAccount() throws Exception {
        buyAndFill(AAPL, 10);
        Money cash = broker.getBalance().cash();
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> holder = pool.submit(() -> NODE_B.withAccount("alice-" + run, settings.startingCash(), book -> {
                held.countDown();
                await(release);
                return null;
            }));
            assertThat(held.await(30, TimeUnit.SECONDS)).isTrue();

            // a locking read would wait for the holder, which waits for this read: it would time out here
            Future<Money> read = pool.submit(() -> onNodeB("alice").getBalance().cash());
            assertThat(read.get(10, TimeUnit.SECONDS)).isEqualTo(cash);

            release.countDown();
            holder.get(30, TimeUnit.SECONDS);
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void aBalanceOfAnAccountNeverUsedShowsTheStartingCashAndWritesNothing() throws Exception {
        String account = "fresh-" + run;
        SimulatedBroker fresh = new SimulatedBroker(market, account, settings, NODE_A);

        assertThat(fresh.getBalance().cash()).isEqualTo(settings.startingCash());
        try (Connection c = TestDatabase.get().owner().getConnection();
             PreparedStatement ps = c.prepareStatement("select count(*) from sim_accounts where account_id = ?")) {
            ps.setString(1, account);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getInt(1)).isZero();
            }
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("not released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void twoNodesPlacingAtOnceNeverSpendTheSameCashTwice() throws Exception {
        // $10,000 buys 4 lots of 10 AAPL near $230 and not a fifth; 12 orders race from two nodes
        SimulationSettings small = settings.withStartingCash(Money.of("10000")).withFillLatency(Duration.ZERO);
        List<SimulatedBroker> nodes = List.of(
                new SimulatedBroker(market, "race-" + run, small, NODE_A),
                new SimulatedBroker(market, "race-" + run, small, NODE_B));
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<String>> placed = new ArrayList<>();
        try {
            for (int i = 0; i < 12; i++) {
                BrokerProvider node = nodes.get(i % 2);
                String tag = "race-" + i;
                placed.add(pool.submit(() -> node.placeOrder(OrderRequest.market(tag, AAPL,
                        OrderSide.BUY_TO_OPEN, 10)).orderId()));
            }
            List<String> ids = new ArrayList<>();
            for (Future<String> f : placed) {
                ids.add(f.get(30, TimeUnit.SECONDS));
            }
            clock.advance(Duration.ofSeconds(1));
            List<OrderStatusReport> reports = ids.stream().map(id -> nodes.get(0).getOrder(id)).toList();

            long filled = reports.stream().filter(r -> r.state() == OrderState.FILLED).count();
            assertThat(ids).doesNotHaveDuplicates();
            assertThat(filled).isEqualTo(4);
            assertThat(reports).filteredOn(r -> r.state() != OrderState.FILLED)
                    .allSatisfy(r -> assertThat(r.state()).isEqualTo(OrderState.REJECTED));
            assertThat(nodes.get(1).getPositions()).singleElement()
                    .satisfies(p -> assertThat(p.quantity()).isEqualByComparingTo("40"));
            assertThat(nodes.get(1).getBalance().cash().amount()).isPositive();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void twoNodesPlacingOneTagAtOncePlaceOneOrder() throws Exception {
        List<SimulatedBroker> nodes = List.of(broker, onNodeB("alice"));
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<String>> placed = new ArrayList<>();
        try {
            for (int i = 0; i < 12; i++) {
                BrokerProvider node = nodes.get(i % 2);
                placed.add(pool.submit(() -> node.placeOrder(OrderRequest.market("one-leg", AAPL,
                        OrderSide.BUY_TO_OPEN, 10)).orderId()));
            }
            List<String> ids = new ArrayList<>();
            for (Future<String> f : placed) {
                ids.add(f.get(30, TimeUnit.SECONDS));
            }
            assertThat(ids).containsOnly(ids.get(0));
            assertThat(nodes.get(1).listOrders()).singleElement()
                    .satisfies(r -> assertThat(r.tag()).isEqualTo("one-leg"));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void finishedOrdersLeaveTheListAfterADayButStayReadableByIdAndTag() {
        String canceled = broker.placeOrder(OrderRequest.limit("old-1", AAPL, OrderSide.BUY_TO_OPEN, 1,
                Money.of("1"), TimeInForce.GTC)).orderId();
        broker.cancelOrder(canceled);
        String working = broker.placeOrder(OrderRequest.limit("old-2", AAPL, OrderSide.BUY_TO_OPEN, 1,
                Money.of("1"), TimeInForce.GTC)).orderId();

        clock.advance(SimulatedBroker.LIST_WINDOW.plusMinutes(1));

        assertThat(broker.listOrders()).extracting(OrderStatusReport::orderId).containsExactly(working);
        assertThat(broker.getOrder(canceled).state()).isEqualTo(OrderState.CANCELED);
        assertThat(broker.findOrderByTag("old-1")).get().extracting(OrderStatusReport::orderId).isEqualTo(canceled);
    }

    @Test
    void aSnapshotThatQueriesAfterItsFirstReadStillSeesItsAccount() {
        buyAndFill(AAPL, 10); // filled: not among the working orders the snapshot reads first

        // the look-ups after the snapshot's first read still see the bound account's orders
        List<String> seen = NODE_B.readAccount("alice-" + run, settings.startingCash(), book -> {
            String byTag = book.listedIdByTag("setup");
            SimOrder byId = byTag == null ? null : book.find(byTag);
            return byId == null ? List.of() : List.of(byTag, byId.request.tag());
        });

        assertThat(seen).hasSize(2).endsWith("setup");
        assertThat(broker.getBalance().cash().amount()).isLessThan(settings.startingCash().amount());
    }

    @Test
    void rowLevelSecurityShowsTheEngineRoleOnlyTheBoundAccount() throws SQLException {
        broker.placeOrder(OrderRequest.limit("mine", AAPL, OrderSide.BUY_TO_OPEN, 1, Money.of("1"), TimeInForce.GTC));
        onNodeB("mallory").placeOrder(OrderRequest.limit("theirs", AAPL, OrderSide.BUY_TO_OPEN, 1, Money.of("1"),
                TimeInForce.GTC));

        try (Connection c = TestDatabase.get().engine().getConnection()) {
            c.setAutoCommit(false);
            assertThat(count(c, "select count(*) from sim_orders")).as("nobody bound").isZero();
            assertThat(count(c, "select count(*) from sim_accounts")).isZero();
            try (PreparedStatement ps = c.prepareStatement("select set_config('app.current_user', ?, true)")) {
                ps.setString(1, "alice-" + run);
                ps.execute();
            }
            assertThat(count(c, "select count(*) from sim_orders")).isEqualTo(1);
            assertThat(count(c, "select count(*) from sim_orders where tag = 'theirs'")).isZero();
            assertThat(count(c, "select count(*) from sim_accounts")).isEqualTo(1);
            c.rollback();
        }
    }

    @Test
    void theMarketSeedIsChosenOnceAndSharedUnlessConfigured() {
        long first = NODE_A.marketSeed(OptionalLong.empty());

        assertThat(NODE_B.marketSeed(OptionalLong.empty())).isEqualTo(first);
        assertThat(NODE_B.marketSeed(OptionalLong.of(first + 1))).isEqualTo(first + 1);
        assertThat(NODE_A.marketSeed(OptionalLong.empty())).isEqualTo(first + 1);
    }

    @Test
    void anUnreachableDatabaseIsAnUnavailableBrokerWithNoDetailInTheMessage() {
        PGSimpleDataSource nowhere = new PGSimpleDataSource();
        nowhere.setURL("jdbc:postgresql://127.0.0.1:1/nowhere?connectTimeout=2");
        nowhere.setUser("app_user");
        SimulatedBroker cut = new SimulatedBroker(market, "cut-" + run, settings, SimulatedBooks.postgres(nowhere));

        BrokerUnavailableException e = catchThrowableOfType(BrokerUnavailableException.class, cut::getBalance);

        assertThat(e.getMessage()).isEqualTo("the simulated exchange is unavailable; try again shortly");
        assertThat(e.getCause()).isNull();
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
