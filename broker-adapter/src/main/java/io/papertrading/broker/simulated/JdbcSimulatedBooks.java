package io.papertrading.broker.simulated;

import io.papertrading.broker.BrokerException;
import io.papertrading.broker.BrokerTimeoutException;
import io.papertrading.broker.BrokerUnavailableException;
import io.papertrading.broker.OrderRequest;
import io.papertrading.broker.OrderSide;
import io.papertrading.broker.OrderState;
import io.papertrading.broker.PriceType;
import io.papertrading.broker.TimeInForce;
import io.papertrading.kernel.instrument.Instrument;
import io.papertrading.kernel.instrument.OptionSymbol;
import io.papertrading.kernel.money.Money;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.math.BigDecimal;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Books in PostgreSQL ({@code sim_accounts}, {@code sim_holdings}, {@code sim_orders}, migration V30): the
 * simulated exchange outlives the process and is shared by every node on the database. Each operation is one
 * transaction that locks the account's row, so two nodes never interleave on one account, and binds the account
 * as {@code app.current_user} so row-level security confines it to that account's rows.
 *
 * <p>The exchange is outside the engine, as a real broker is: its transactions are its own, never the caller's.
 * Give it a connection pool of its own, so a caller holding a connection of the main pool never waits for a
 * second one from that same pool. A database failure surfaces as {@link BrokerUnavailableException}, or as
 * {@link BrokerTimeoutException} when it struck at commit and the outcome is unknown. No SQL reaches the message.
 */
public final class JdbcSimulatedBooks implements SimulatedBooks {

    private static final Logger log = LoggerFactory.getLogger(JdbcSimulatedBooks.class);

    private static final String WORKING = "('PENDING', 'OPEN', 'PARTIALLY_FILLED', 'PENDING_CANCEL', 'UNKNOWN')";
    private static final String ORDER_COLUMNS = "order_id, parent_id, tag, symbol, option_symbol, side, quantity,"
            + " price_type, limit_price, stop_price, duration, created_at, deadline, state, filled, fill_value,"
            + " last_fill_price, last_fill_at, reason, stop_triggered, changed_at";
    /** Row-level security's binding: every statement after it in the transaction sees this account's rows only. */
    private static final String BIND = "select set_config('app.current_user', ?, true)";
    private static final String READ_ACCOUNT = BIND + "; select cash from sim_accounts where account_id = ?%s;"
            + " select symbol, option_symbol, quantity, cost_basis, acquired_at from sim_holdings where account_id = ?"
            + " order by acquired_at, traded_symbol;"
            + " select " + ORDER_COLUMNS + " from sim_orders where account_id = ? and state in " + WORKING
            + " order by order_id";
    private static final String READ_LOCKED = READ_ACCOUNT.formatted(" for update");
    private static final String READ_SNAPSHOT = READ_ACCOUNT.formatted("");

    private final DataSource dataSource;
    private final OrderIdBlocks orderIds = new OrderIdBlocks("sim_order_ids");

    JdbcSimulatedBooks(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /**
     * The seed of the market every node shares: the configured one when given (and stored for nodes that have
     * none), else the stored one, else a random seed stored by whichever node asks first.
     */
    public long marketSeed(OptionalLong configured) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            if (configured.isPresent()) {
                try (PreparedStatement ps = c.prepareStatement("insert into sim_market (seed) values (?)"
                        + " on conflict (id) do update set seed = excluded.seed")) {
                    ps.setLong(1, configured.getAsLong());
                    ps.executeUpdate();
                }
                return configured.getAsLong();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "insert into sim_market (seed) values (?) on conflict (id) do nothing")) {
                ps.setLong(1, new SecureRandom().nextLong());
                ps.executeUpdate();
            }
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select seed from sim_market")) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    @Override
    public <T> T withAccount(String accountId, Money startingCash, Function<AccountBook, T> work) {
        Objects.requireNonNull(accountId, "accountId");
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            T result = null;
            BrokerException refusal = null;
            try {
                StoredAccount account = StoredAccount.open(c, accountId, startingCash, orderIds);
                try {
                    result = work.apply(account);
                } catch (BrokerException e) {
                    refusal = e; // a refusal keeps what the operation advanced on its way
                }
                account.flush();
            } catch (StoreFailure e) {
                rollback(c);
                throw unavailable(e.getCause());
            } catch (SQLException e) {
                rollback(c);
                throw unavailable(e);
            } catch (RuntimeException | Error e) {
                rollback(c);
                throw e;
            }
            try {
                c.commit();
            } catch (SQLException e) {
                log.warn("simulated exchange: commit for account {} failed (SQL state {})", accountId, e.getSQLState());
                throw new BrokerTimeoutException("the simulated exchange did not confirm the operation", null);
            }
            if (refusal != null) {
                throw refusal;
            }
            return result;
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    @Override
    public <T> T readAccount(String accountId, Money startingCash, Function<AccountBook, T> work) {
        Objects.requireNonNull(accountId, "accountId");
        return readOnly(c -> work.apply(StoredAccount.snapshot(c, accountId, startingCash, orderIds)));
    }

    @Override
    public boolean hasOrderTagged(String accountId, String tag) {
        Objects.requireNonNull(accountId, "accountId");
        return readOnly(c -> {
            try (PreparedStatement ps = c.prepareStatement(BIND
                    + "; select exists (select 1 from sim_orders where account_id = ? and tag = ?)")) {
                ps.setString(1, accountId);
                ps.setString(2, accountId);
                ps.setString(3, tag);
                ps.execute();
                try (ResultSet rs = StoredAccount.nextResult(ps)) {
                    rs.next();
                    return rs.getBoolean(1);
                }
            }
        });
    }

    /** Reads in a read-only transaction of its own, rolled back (nothing it did is kept). */
    private <T> T readOnly(Read<T> read) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            c.setReadOnly(true);
            try {
                return read.on(c);
            } catch (StoreFailure e) {
                throw unavailable(e.getCause());
            } finally {
                rollback(c);
                c.setReadOnly(false);
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    @FunctionalInterface
    private interface Read<T> {
        T on(Connection c) throws SQLException;
    }

    private static void rollback(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is closed next; PostgreSQL rolls back what was not committed
        }
    }

    private static BrokerUnavailableException unavailable(SQLException e) {
        log.warn("simulated exchange: database failure (SQL state {})", e.getSQLState());
        return new BrokerUnavailableException("the simulated exchange is unavailable; try again shortly");
    }

    /** A database failure inside the work, carried out of the functional interface. */
    private static final class StoreFailure extends RuntimeException {
        StoreFailure(SQLException cause) {
            super(cause);
        }

        @Override
        public synchronized SQLException getCause() {
            return (SQLException) super.getCause();
        }
    }

    /** One account opened in a transaction; an identity map of the orders it has read. */
    private static final class StoredAccount implements AccountBook {

        private final Connection c;
        private final String accountId;
        private final Ledger ledger;
        /** Every order and leg read or added, by id; one object per order. */
        private final Map<String, SimOrder> orders = new LinkedHashMap<>();
        private final Set<String> unsaved = new LinkedHashSet<>();
        /** OCO groups whose legs are all in the identity map: their reports need no further query. */
        private final Set<String> completeGroups = new HashSet<>();

        /** A snapshot ({@link #readAccount}): nothing is written, not even the orders a query would flush first. */
        private final boolean snapshot;
        /** Where new orders get their ids. */
        private final OrderIdBlocks orderIds;

        private StoredAccount(Connection c, String accountId, BigDecimal cash, List<Ledger.Holding> holdings,
                              boolean snapshot, OrderIdBlocks orderIds) {
            this.c = c;
            this.orderIds = orderIds;
            this.accountId = accountId;
            this.ledger = new Ledger(cash, holdings);
            this.snapshot = snapshot;
        }

        static StoredAccount open(Connection c, String accountId, Money startingCash, OrderIdBlocks orderIds)
                throws SQLException {
            StoredAccount account = read(c, accountId, true, null, orderIds);
            if (account != null) {
                return account;
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "insert into sim_accounts (account_id, cash) values (?, ?) on conflict do nothing")) {
                ps.setString(1, accountId);
                ps.setBigDecimal(2, startingCash.amount());
                ps.executeUpdate();
            }
            // read again holding the row: another node may have opened the account, and ordered, meanwhile
            account = read(c, accountId, true, null, orderIds);
            if (account == null) {
                throw new SQLException("the simulated account " + accountId + " vanished as it was opened");
            }
            return account;
        }

        /** The account as last committed, unlocked; an account never used has its starting cash and nothing else. */
        static StoredAccount snapshot(Connection c, String accountId, Money startingCash, OrderIdBlocks orderIds) {
            try {
                return read(c, accountId, false, startingCash.amount(), orderIds);
            } catch (SQLException e) {
                throw new StoreFailure(e);
            }
        }

        /**
         * Binds the account and reads its cash (locking its row, or as committed), holdings and working orders in
         * one round trip: the statements run one after the other, so each read sees the binding, and those after
         * the lock see what the lock's previous holder committed. Null when the account has no row and
         * {@code absentCash} is null.
         */
        private static StoredAccount read(Connection c, String accountId, boolean lock, BigDecimal absentCash,
                                          OrderIdBlocks orderIds) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement(lock ? READ_LOCKED : READ_SNAPSHOT)) {
                for (int i = 1; i <= 4; i++) {
                    ps.setString(i, accountId);
                }
                ps.execute(); // the binding's own result
                BigDecimal cash = absentCash;
                try (ResultSet rs = nextResult(ps)) {
                    if (rs.next()) {
                        cash = rs.getBigDecimal(1);
                    }
                }
                if (cash == null) {
                    return null;
                }
                List<Ledger.Holding> holdings = new ArrayList<>();
                try (ResultSet rs = nextResult(ps)) {
                    while (rs.next()) {
                        holdings.add(new Ledger.Holding(instrument(rs.getString(1), rs.getString(2)),
                                rs.getBigDecimal(3), rs.getBigDecimal(4), instant(rs, 5)));
                    }
                }
                StoredAccount account = new StoredAccount(c, accountId, cash, holdings, absentCash != null, orderIds);
                try (ResultSet rs = nextResult(ps)) {
                    account.keep(rs);
                }
                return account;
            }
        }

        private static ResultSet nextResult(PreparedStatement ps) throws SQLException {
            if (!ps.getMoreResults()) {
                throw new SQLException("the account's reads returned fewer results than they ask for");
            }
            return ps.getResultSet();
        }

        @Override
        public Ledger ledger() {
            return ledger;
        }

        @Override
        public String nextOrderId() {
            try {
                return Long.toString(orderIds.next(c));
            } catch (SQLException e) {
                throw new StoreFailure(e);
            }
        }

        @Override
        public Collection<SimOrder> working() {
            return orders.values().stream().filter(SimOrder::isWorking).toList();
        }

        @Override
        public SimOrder find(String orderId) {
            SimOrder known = orders.get(orderId);
            if (known != null || completeGroups.contains(orderId)) {
                return known;
            }
            Long id = numeric(orderId);
            if (id == null) {
                return null;
            }
            // one query answers both an order and a group: a group's report then needs its legs, read here
            noteGroups(query("(order_id = ? or parent_id = ?)", ps -> {
                ps.setLong(2, id);
                ps.setLong(3, id);
            }));
            return orders.get(orderId);
        }

        @Override
        public List<SimOrder> legs(String groupId) {
            if (!completeGroups.contains(groupId)) {
                Long id = numeric(groupId);
                if (id == null) {
                    return List.of();
                }
                noteGroups(query("parent_id = ?", ps -> ps.setLong(2, id)));
            }
            return orders.values().stream().filter(o -> groupId.equals(o.parentId)).toList();
        }

        /** Rows read by a query that returns whole groups: those groups are complete in the identity map. */
        private void noteGroups(List<SimOrder> rows) {
            rows.stream().filter(o -> o.parentId != null).forEach(o -> completeGroups.add(o.parentId));
        }

        @Override
        public List<String> listed(Instant since) {
            flushQuietly();
            List<SimOrder> rows = query("coalesce(parent_id, order_id) in (select coalesce(parent_id, order_id)"
                    + " from sim_orders where account_id = ? and (state in " + WORKING + " or changed_at >= ?))",
                    ps -> {
                        ps.setString(2, accountId);
                        ps.setObject(3, timestamp(since));
                    });
            noteGroups(rows);
            TreeMap<Long, String> ids = new TreeMap<>();
            rows.forEach(o -> ids.put(Long.parseLong(o.listedId()), o.listedId()));
            return List.copyOf(ids.values());
        }

        @Override
        public String listedIdByTag(String tag) {
            flushQuietly();
            List<SimOrder> rows = query("order_id = (select min(order_id) from sim_orders where account_id = ?"
                    + " and tag = ?)", ps -> {
                        ps.setString(2, accountId);
                        ps.setString(3, tag);
                    });
            return rows.isEmpty() ? null : rows.get(0).listedId();
        }

        @Override
        public void add(SimOrder order) {
            orders.put(order.id, order);
            unsaved.add(order.id);
        }

        /** Writes what changed: new orders, changed orders, cash and holdings. */
        void flush() throws SQLException {
            flushOrders();
            if (ledger.changed()) {
                saveLedger();
            }
        }

        /** Before a query that must see this operation's own orders. */
        private void flushQuietly() {
            if (snapshot) {
                return; // a snapshot writes nothing: its queries see only what was committed before it
            }
            try {
                flushOrders();
            } catch (SQLException e) {
                throw new StoreFailure(e);
            }
        }

        private void flushOrders() throws SQLException {
            insertNewOrders();
            updateChangedOrders();
        }

        private void insertNewOrders() throws SQLException {
            if (unsaved.isEmpty()) {
                return;
            }
            try (PreparedStatement ps = c.prepareStatement("insert into sim_orders (account_id, " + ORDER_COLUMNS
                    + ") values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                for (String id : unsaved) {
                    SimOrder o = orders.get(id);
                    OrderRequest r = o.request;
                    Instrument instrument = r.instrument();
                    ps.setString(1, accountId);
                    ps.setLong(2, Long.parseLong(o.id));
                    setLong(ps, 3, o.parentId == null ? null : Long.parseLong(o.parentId));
                    ps.setString(4, r.tag());
                    ps.setString(5, instrument.symbol());
                    ps.setString(6, instrument.isOption() ? instrument.optionSymbol().occ() : null);
                    ps.setString(7, r.side().name());
                    ps.setInt(8, r.quantity());
                    ps.setString(9, r.type().name());
                    ps.setBigDecimal(10, r.limitPrice() == null ? null : r.limitPrice().amount());
                    ps.setBigDecimal(11, r.stopPrice() == null ? null : r.stopPrice().amount());
                    ps.setString(12, r.duration().name());
                    ps.setObject(13, timestamp(o.createdAt));
                    ps.setObject(14, timestamp(o.deadline));
                    setProgress(ps, 15, o);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            unsaved.forEach(id -> orders.get(id).saved());
            unsaved.clear();
        }

        private void updateChangedOrders() throws SQLException {
            List<SimOrder> changed = orders.values().stream().filter(SimOrder::changed).toList();
            if (changed.isEmpty()) {
                return;
            }
            try (PreparedStatement ps = c.prepareStatement("update sim_orders set state = ?, filled = ?,"
                    + " fill_value = ?, last_fill_price = ?, last_fill_at = ?, reason = ?, stop_triggered = ?,"
                    + " changed_at = ? where order_id = ? and account_id = ?")) {
                for (SimOrder o : changed) {
                    setProgress(ps, 1, o);
                    ps.setLong(9, Long.parseLong(o.id));
                    ps.setString(10, accountId);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            changed.forEach(SimOrder::saved);
        }

        /** The eight columns from {@code state} to {@code changed_at}, from {@code first} on. */
        private static void setProgress(PreparedStatement ps, int first, SimOrder o) throws SQLException {
            ps.setString(first, o.state().name());
            ps.setInt(first + 1, o.filled());
            ps.setBigDecimal(first + 2, o.fillValue());
            ps.setBigDecimal(first + 3, o.lastFillPrice());
            ps.setObject(first + 4, timestamp(o.lastFillAt()));
            ps.setString(first + 5, o.reason());
            ps.setBoolean(first + 6, o.stopTriggered());
            ps.setObject(first + 7, timestamp(o.changedAt()));
        }

        /** Cash, and only the holdings that changed: each one upserted, or deleted when it went. */
        private void saveLedger() throws SQLException {
            try (PreparedStatement ps = c.prepareStatement("update sim_accounts set cash = ? where account_id = ?")) {
                ps.setBigDecimal(1, ledger.cash());
                ps.setString(2, accountId);
                ps.executeUpdate();
            }
            List<Ledger.Holding> kept = new ArrayList<>();
            List<String> gone = new ArrayList<>();
            for (String symbol : ledger.touched()) {
                Ledger.Holding h = ledger.holding(symbol);
                if (h == null) {
                    gone.add(symbol);
                } else {
                    kept.add(h);
                }
            }
            if (!gone.isEmpty()) {
                try (PreparedStatement ps = c.prepareStatement(
                        "delete from sim_holdings where account_id = ? and traded_symbol = any (?)")) {
                    ps.setString(1, accountId);
                    ps.setArray(2, c.createArrayOf("varchar", gone.toArray()));
                    ps.executeUpdate();
                }
            }
            if (kept.isEmpty()) {
                return;
            }
            try (PreparedStatement ps = c.prepareStatement("insert into sim_holdings (account_id, symbol,"
                    + " option_symbol, quantity, cost_basis, acquired_at) values (?, ?, ?, ?, ?, ?)"
                    + " on conflict (account_id, traded_symbol) do update set quantity = excluded.quantity,"
                    + " cost_basis = excluded.cost_basis, acquired_at = excluded.acquired_at")) {
                for (Ledger.Holding h : kept) {
                    ps.setString(1, accountId);
                    ps.setString(2, h.instrument().symbol());
                    ps.setString(3, h.instrument().isOption() ? h.instrument().optionSymbol().occ() : null);
                    ps.setBigDecimal(4, h.quantity());
                    ps.setBigDecimal(5, h.costBasis());
                    ps.setObject(6, timestamp(h.acquiredAt()));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }

        private interface Binder {
            void bind(PreparedStatement ps) throws SQLException;
        }

        /** Reads this account's orders matching {@code condition} (parameters from 2 on) into the identity map. */
        private List<SimOrder> query(String condition, Binder binder) {
            try {
                return load(condition, binder);
            } catch (SQLException e) {
                throw new StoreFailure(e);
            }
        }

        private List<SimOrder> load(String condition, Binder binder) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement("select " + ORDER_COLUMNS
                    + " from sim_orders where account_id = ? and " + condition + " order by order_id")) {
                ps.setString(1, accountId);
                binder.bind(ps);
                try (ResultSet rs = ps.executeQuery()) {
                    return keep(rs);
                }
            }
        }

        /** Puts the orders of {@code rs} into the identity map; the orders, in the rows' order. */
        private List<SimOrder> keep(ResultSet rs) throws SQLException {
            List<SimOrder> out = new ArrayList<>();
            while (rs.next()) {
                // Keep the object already in hand: it may carry changes not yet written.
                out.add(orders.computeIfAbsent(Long.toString(rs.getLong(1)), id -> read(rs)));
            }
            return out;
        }

        private static SimOrder read(ResultSet rs) {
            try {
                long parent = rs.getLong(2);
                String parentId = rs.wasNull() ? null : Long.toString(parent);
                OrderRequest request = new OrderRequest(rs.getString(3), instrument(rs.getString(4), rs.getString(5)),
                        OrderSide.valueOf(rs.getString(6)), rs.getInt(7), PriceType.valueOf(rs.getString(8)),
                        Money.of(rs.getBigDecimal(9)), Money.of(rs.getBigDecimal(10)),
                        TimeInForce.valueOf(rs.getString(11)));
                return new SimOrder(Long.toString(rs.getLong(1)), request, instant(rs, 12), instant(rs, 13), parentId,
                        OrderState.valueOf(rs.getString(14)), rs.getInt(15), rs.getBigDecimal(16),
                        rs.getBigDecimal(17), instant(rs, 18), rs.getString(19), rs.getBoolean(20), instant(rs, 21));
            } catch (SQLException e) {
                throw new StoreFailure(e);
            }
        }
    }

    private static Instrument instrument(String symbol, String occ) {
        return occ == null ? Instrument.stock(symbol) : Instrument.option(OptionSymbol.parse(occ));
    }

    private static Long numeric(String id) {
        try {
            return Long.parseLong(id);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static void setLong(PreparedStatement ps, int index, Long value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.BIGINT);
        } else {
            ps.setLong(index, value);
        }
    }

    private static OffsetDateTime timestamp(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }
}
