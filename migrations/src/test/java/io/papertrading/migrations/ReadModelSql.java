package io.papertrading.migrations;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;
import java.util.UUID;

/** Plain-JDBC helpers for the read-model tests: transactions bound to a user, and rows to work with. */
final class ReadModelSql {

    @FunctionalInterface
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private ReadModelSql() {
    }

    /** A username no other test uses, so tests sharing the database never see each other's rows. */
    static String uniqueUser(String base) {
        return base + "-" + UUID.randomUUID().toString().substring(0, 8).toLowerCase(Locale.ROOT);
    }

    /**
     * Runs {@code work} in one transaction of the engine role with {@code user} bound (null: nobody), as the
     * projections write the read model: RLS-bound like the request role, with write access to the read model.
     */
    static <T> T asEngine(String user, Work<T> work) throws SQLException {
        return inTransaction(TestDatabase.get().engine(), user, work);
    }

    /**
     * Runs {@code work} in one transaction of the request role with {@code user} bound (null: nobody), as the query
     * API reads and the settings API writes: SELECT on the read model, SELECT/INSERT/UPDATE on user_settings.
     */
    static <T> T asRequest(String user, Work<T> work) throws SQLException {
        return inTransaction(TestDatabase.get().app(), user, work);
    }

    /** Runs {@code work} in one transaction as the owner, which bypasses RLS: setup and inspection only. */
    static <T> T asOwner(Work<T> work) throws SQLException {
        return inTransaction(TestDatabase.get().owner(), null, work);
    }

    private static <T> T inTransaction(DataSource ds, String user, Work<T> work) throws SQLException {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                if (user != null) {
                    bind(c, user);
                }
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** Binds {@code user} for the rest of the current transaction, as a bind parameter. */
    static void bind(Connection c, String user) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select set_config('app.current_user', ?, true)")) {
            ps.setString(1, user);
            ps.executeQuery().close();
        }
    }

    /** Inserts a minimal stock trade and returns its id. */
    static String insertTrade(Connection c, String user, String symbol, String status) throws SQLException {
        String id = UUID.randomUUID().toString();
        try (PreparedStatement ps = c.prepareStatement("""
                insert into paper_trades (id, username, symbol, side, quantity, order_type, status)
                values (?, ?, ?, 'BUY', 10, 'MARKET', ?)""")) {
            ps.setString(1, id);
            ps.setString(2, user);
            ps.setString(3, symbol);
            ps.setString(4, status);
            ps.executeUpdate();
        }
        return id;
    }

    static void insertTransition(Connection c, String tradeId, String user, String to) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                insert into state_transitions (trade_id, username, from_status, to_status, reason, actor, occurred_at, event_id, version)
                values (?, ?, null, ?, 'placed', ?, now(), ?, 1)""")) {
            ps.setString(1, tradeId);
            ps.setString(2, user);
            ps.setString(3, to);
            ps.setString(4, user);
            ps.setString(5, UUID.randomUUID().toString());
            ps.executeUpdate();
        }
    }

    static void insertSnapshot(Connection c, String tradeId, String user) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                insert into price_snapshots (trade_id, username, at, bid, ask, last, mark)
                values (?, ?, now(), 1.10, 1.20, 1.15, 1.15)""")) {
            ps.setString(1, tradeId);
            ps.setString(2, user);
            ps.executeUpdate();
        }
    }

    static void insertSettings(Connection c, String user) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "insert into user_settings (username, broker, max_open_trades) values (?, 'SIMULATED', 5)")) {
            ps.setString(1, user);
            ps.executeUpdate();
        }
    }

    /** {@code select count(*)} of a query with string parameters. */
    static long count(Connection c, String sql, String... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setString(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    static int update(Connection c, String sql, String... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setString(i + 1, params[i]);
            }
            return ps.executeUpdate();
        }
    }
}
