package io.papertrading.migrations;

import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static io.papertrading.migrations.ReadModelSql.asEngine;
import static io.papertrading.migrations.ReadModelSql.asOwner;
import static io.papertrading.migrations.ReadModelSql.asRequest;
import static io.papertrading.migrations.ReadModelSql.count;
import static io.papertrading.migrations.ReadModelSql.uniqueUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The two runtime roles of migration V33. The request role (what request handling connects as) reaches the read
 * model and the settings and nothing else: no event store, saga, token, dead-letter, scheduler, order desk,
 * live-trade book or simulated exchange table, no sequence, no reset or owner-lookup function, no TRUNCATE. The
 * engine role reaches all of those, and tables created by later migrations are the engine's, not the request
 * role's. (T-07 in {@link RowLevelSecurityIT} holds both roles to row-level security on the users' tables.)
 */
class DatabaseRolesIT {

    private static final String INSUFFICIENT_PRIVILEGE = "42501";

    /** What the request role may read; user_settings it may also insert and update. */
    static final List<String> REQUEST_TABLES = List.of("paper_trades", "state_transitions", "price_snapshots",
            "user_settings", "analytics_trades", "analytics_strategy_stats", "analytics_daily_pnl", "analytics_excursions");

    /** The engine's books, named so that a table dropped or renamed cannot make the tests below pass vacuously. */
    static final List<String> ENGINE_TABLES = List.of("domain_event_entry", "snapshot_event_entry", "token_entry",
            "saga_entry", "association_value_entry", "dead_letter_entry", "scheduled_tasks", "monitor_live_trades",
            "desk_orders", "sim_market", "sim_accounts", "sim_holdings", "sim_orders");

    private static final List<String> ENGINE_FUNCTIONS = List.of("paper_reset_trade_projection()",
            "analytics_reset_projection()", "paper_trade_owner('x')", "analytics_trade_owner('x')");

    private final String user = uniqueUser("roles");

    @Test
    void theRequestRoleCannotReadAnyTableBeyondTheReadModel() throws SQLException {
        List<String> others = asOwner(c -> strings(c, """
                select tablename from pg_tables where schemaname = current_schema()
                and tablename <> all (?::text[]) order by tablename""", REQUEST_TABLES.toArray(String[]::new)));

        assertThat(others).containsAll(ENGINE_TABLES)
                .contains("paper_trade_owners", "analytics_trade_owners", "flyway_schema_history");
        for (String table : others) {
            assertRefused(() -> asRequest(user, c -> count(c, "select count(*) from " + table)), table);
        }
    }

    @Test
    void theRequestRoleCannotWriteTheReadModelNorTruncateAnything() {
        for (String table : REQUEST_TABLES) {
            if (!table.equals("user_settings")) {
                assertRefused(() -> asRequest(user, c -> update(c, "delete from " + table)), "delete from " + table);
                assertRefused(() -> asRequest(user, c -> update(c, "update " + table + " set username = username")),
                        "update " + table);
            }
            // TRUNCATE is not subject to row-level security: it would empty every user's rows
            assertRefused(() -> asRequest(user, c -> update(c, "truncate " + table)), "truncate " + table);
        }
        assertRefused(() -> asRequest(user, c -> update(c, "delete from user_settings")), "delete from user_settings");
        assertRefused(() -> asRequest(user, c -> update(c, """
                insert into paper_trades (id, username, symbol, side, quantity, order_type)
                values ('x', ?, 'AAPL', 'BUY', 1, 'MARKET')""", user)), "insert into paper_trades");
    }

    @Test
    void theRequestRoleCannotCallTheResetOrOwnerLookupFunctionsNorUseASequence() {
        for (String call : ENGINE_FUNCTIONS) {
            assertRefused(() -> asRequest(user, c -> execute(c, "select " + call)), call);
        }
        for (String sequence : List.of("domain_event_global_index_seq", "association_value_entry_seq",
                "state_transitions_id_seq", "price_snapshots_id_seq", "sim_order_ids")) {
            assertRefused(() -> asRequest(user, c -> execute(c, "select nextval('" + sequence + "')")), sequence);
        }
    }

    @Test
    void theRequestRoleStillWritesItsOwnSettings() throws SQLException {
        asRequest(user, c -> update(c, "insert into user_settings (username, broker) values (?, 'SIMULATED')", user));
        int updated = asRequest(user, c -> update(c, "update user_settings set max_open_trades = 3 where username = ?", user));

        assertThat(updated).isEqualTo(1);
        long maxOpen = asRequest(user, c -> count(c, "select max_open_trades from user_settings"));
        assertThat(maxOpen).isEqualTo(3);
    }

    @Test
    void theEngineRoleReachesItsTablesAndTheResetFunctions() throws SQLException {
        for (String table : ENGINE_TABLES) {
            asEngine(null, c -> count(c, "select count(*) from " + table));
        }
        try (Connection c = TestDatabase.get().engine().getConnection()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                // TRUNCATE is transactional: rolled back, so the other suites' rows stay
                st.execute("select paper_reset_trade_projection()");
                st.execute("select analytics_reset_projection()");
            } finally {
                c.rollback();
            }
        }
        // the owner lookups stay behind their SECURITY DEFINER functions, for the engine too
        assertRefused(() -> asEngine(null, c -> count(c, "select count(*) from paper_trade_owners")), "paper_trade_owners");
    }

    @Test
    void tablesAndFunctionsOfLaterMigrationsAreTheEnginesAndNotTheRequestRoles() throws SQLException {
        TestDatabase db = TestDatabase.get();
        try (Connection c = db.owner().getConnection()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                // as a later migration would, run by the same owner
                st.execute("create table roles_probe_table (id bigserial primary key, note text)");
                st.execute("create function roles_probe_function() returns int language sql security definer as 'select 1'");
                assertThat(privileges(c, db.appUser())).containsExactly(false, false, false);
                assertThat(privileges(c, db.engineUser())).containsExactly(true, true, false);
            } finally {
                c.rollback();
            }
        }
    }

    /** SELECT on the probe table, USAGE on its sequence, EXECUTE on the probe function, for {@code role}. */
    private static List<Boolean> privileges(Connection c, String role) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                select has_table_privilege(?, 'roles_probe_table', 'SELECT'),
                       has_sequence_privilege(?, 'roles_probe_table_id_seq', 'USAGE'),
                       has_function_privilege(?, 'roles_probe_function()', 'EXECUTE')""")) {
            for (int i = 1; i <= 3; i++) {
                ps.setString(i, role);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return List.of(rs.getBoolean(1), rs.getBoolean(2), rs.getBoolean(3));
            }
        }
    }

    private static void assertRefused(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String what) {
        assertThatThrownBy(call).as(what).isInstanceOf(SQLException.class)
                .extracting(e -> ((SQLException) e).getSQLState()).as(what).isEqualTo(INSUFFICIENT_PRIVILEGE);
    }

    private static boolean execute(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            return st.execute(sql);
        }
    }

    private static int update(Connection c, String sql, String... params) throws SQLException {
        return ReadModelSql.update(c, sql, params);
    }

    private static List<String> strings(Connection c, String sql, Object param) throws SQLException {
        List<String> values = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, param);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    values.add(rs.getString(1));
                }
            }
        }
        return values;
    }
}
