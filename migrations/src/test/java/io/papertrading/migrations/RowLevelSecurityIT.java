package io.papertrading.migrations;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.papertrading.migrations.ReadModelSql.asOwner;
import static io.papertrading.migrations.ReadModelSql.asRequest;
import static io.papertrading.migrations.ReadModelSql.asEngine;
import static io.papertrading.migrations.ReadModelSql.bind;
import static io.papertrading.migrations.ReadModelSql.count;
import static io.papertrading.migrations.ReadModelSql.insertSettings;
import static io.papertrading.migrations.ReadModelSql.insertSnapshot;
import static io.papertrading.migrations.ReadModelSql.insertTrade;
import static io.papertrading.migrations.ReadModelSql.insertTransition;
import static io.papertrading.migrations.ReadModelSql.uniqueUser;
import static io.papertrading.migrations.ReadModelSql.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The decision log's T-07 isolation suite (alice vs bob) on a real PostgreSQL, with each user bound per
 * transaction by {@code set_config} as a bind parameter, through the two NOSUPERUSER NOBYPASSRLS roles the app
 * uses: reads and settings writes as the request role (as the query and settings APIs do), read-model writes as
 * the engine role (as the projections do). What the request role cannot reach at all is {@link DatabaseRolesIT}.
 */
class RowLevelSecurityIT {

    private static final String INSUFFICIENT_PRIVILEGE = "42501";
    private static final List<String> TABLES = List.of("paper_trades", "state_transitions", "price_snapshots", "user_settings");

    private static final String ALICE = uniqueUser("alice");
    private static final String BOB = uniqueUser("bob");
    private static final List<String> aliceTrades = new ArrayList<>();
    private static final List<String> bobTrades = new ArrayList<>();

    @BeforeAll
    static void aliceAndBobHaveData() throws SQLException {
        asEngine(ALICE, c -> {
            for (int i = 0; i < 5; i++) {
                String id = insertTrade(c, ALICE, "AAPL", "OPEN");
                insertTransition(c, id, ALICE, "PENDING");
                insertSnapshot(c, id, ALICE);
                aliceTrades.add(id);
            }
            return null;
        });
        asRequest(ALICE, c -> {
            insertSettings(c, ALICE);
            return null;
        });
        asEngine(BOB, c -> {
            for (int i = 0; i < 3; i++) {
                String id = insertTrade(c, BOB, "MSFT", "PENDING");
                insertTransition(c, id, BOB, "PENDING");
                bobTrades.add(id);
            }
            return null;
        });
        asRequest(BOB, c -> {
            insertSettings(c, BOB);
            return null;
        });
    }

    @Test
    void t07_01_aliceSeesOnlyHerFiveTrades() throws SQLException {
        List<String> seen = asRequest(ALICE, c -> strings(c, "select username from paper_trades"));
        List<String> seenByTheEngine = asEngine(ALICE, c -> strings(c, "select username from paper_trades"));

        assertThat(seen).hasSize(5).containsOnly(ALICE);
        assertThat(seenByTheEngine).hasSize(5).containsOnly(ALICE);
    }

    @Test
    void t07_02_bobCannotSeeAlicesTrades() throws SQLException {
        long alicesSeenByBob = asRequest(BOB, c -> count(c, "select count(*) from paper_trades where username = ?", ALICE));
        long byId = asRequest(BOB, c -> count(c, "select count(*) from paper_trades where id = ?", aliceTrades.get(0)));
        long bobsOwn = asRequest(BOB, c -> count(c, "select count(*) from paper_trades"));

        assertThat(alicesSeenByBob).isZero();
        assertThat(byId).isZero();
        assertThat(bobsOwn).isEqualTo(3);
    }

    @Test
    void t07_03_bobCannotInsertATradeAsAlice() {
        assertThatThrownBy(() -> asEngine(BOB, c -> insertTrade(c, ALICE, "AAPL", "OPEN")))
                .isInstanceOf(SQLException.class)
                .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo(INSUFFICIENT_PRIVILEGE);
    }

    @Test
    void t07_04_bobsUpdateOfAlicesTradesTouchesNothing() throws SQLException {
        int updated = asEngine(BOB, c -> update(c,
                "update paper_trades set status = 'CANCELED', notes = 'hacked' where username = ?", ALICE));
        int updatedById = asEngine(BOB, c -> update(c,
                "update paper_trades set status = 'CANCELED' where id = ?", aliceTrades.get(1)));

        assertThat(updated).isZero();
        assertThat(updatedById).isZero();
    }

    @Test
    void t07_05_bobsDeleteOfAlicesTradesTouchesNothing() throws SQLException {
        int deleted = asEngine(BOB, c -> update(c, "delete from paper_trades where username = ?", ALICE));
        int deletedAll = asEngine(BOB, c -> update(c, "delete from paper_trades where id = ?", aliceTrades.get(2)));

        assertThat(deleted).isZero();
        assertThat(deletedAll).isZero();
    }

    @Test
    void t07_06_alicesDataSurvivesBobsAttempts() throws SQLException {
        asEngine(BOB, c -> update(c, "update paper_trades set status = 'CANCELED' where username = ?", ALICE));
        asEngine(BOB, c -> update(c, "delete from paper_trades where username = ?", ALICE));
        asEngine(BOB, c -> update(c, "delete from state_transitions where username = ?", ALICE));
        asRequest(BOB, c -> update(c, "update user_settings set max_open_trades = 99 where username = ?", ALICE));

        List<String> statuses = asOwner(c -> strings(c, "select status from paper_trades where username = ?", ALICE));
        long transitions = asOwner(c -> count(c, "select count(*) from state_transitions where username = ?", ALICE));
        long maxOpen = asOwner(c -> count(c, "select max_open_trades from user_settings where username = ?", ALICE));

        assertThat(statuses).hasSize(5).containsOnly("OPEN");
        assertThat(transitions).isEqualTo(5);
        assertThat(maxOpen).isEqualTo(5);
    }

    @Test
    void t07_07_withNoUserBoundNoRowIsVisible() throws SQLException {
        Map<String, Long> unbound = asRequest(null, c -> countAll(c));
        Map<String, Long> empty = asRequest("", c -> countAll(c));
        Map<String, Long> unboundEngine = asEngine(null, c -> countAll(c));

        assertThat(unbound).containsOnlyKeys(TABLES).allSatisfy((table, n) -> assertThat(n).as(table).isZero());
        assertThat(empty).allSatisfy((table, n) -> assertThat(n).as(table).isZero());
        assertThat(unboundEngine).as("the engine role, nobody bound")
                .containsOnlyKeys(TABLES).allSatisfy((table, n) -> assertThat(n).as(table).isZero());
    }

    @Test
    void t07_08_bobCannotSeeAlicesTransitionsSnapshotsOrSettings() throws SQLException {
        long transitions = asRequest(BOB, c -> count(c, "select count(*) from state_transitions where trade_id = ?", aliceTrades.get(0)));
        long snapshots = asRequest(BOB, c -> count(c, "select count(*) from price_snapshots where trade_id = ?", aliceTrades.get(0)));
        long settings = asRequest(BOB, c -> count(c, "select count(*) from user_settings where username = ?", ALICE));
        long ownTransitions = asRequest(BOB, c -> count(c, "select count(*) from state_transitions"));
        long ownSettings = asRequest(BOB, c -> count(c, "select count(*) from user_settings"));
        long settingsSeenByTheEngine = asEngine(BOB, c -> count(c, "select count(*) from user_settings where username = ?", ALICE));

        assertThat(transitions).isZero();
        assertThat(snapshots).isZero();
        assertThat(settings).isZero();
        assertThat(ownTransitions).isEqualTo(3);
        assertThat(ownSettings).isEqualTo(1);
        assertThat(settingsSeenByTheEngine).isZero();
    }

    @Test
    void t07_09_forceRowLevelSecurityIsOnForAllFourTables() throws SQLException {
        List<String> forced = asOwner(c -> strings(c, """
                select relname from pg_class
                where relname in ('paper_trades', 'state_transitions', 'price_snapshots', 'user_settings')
                  and relrowsecurity and relforcerowsecurity"""));

        assertThat(forced).containsExactlyInAnyOrderElementsOf(TABLES);
    }

    @Test
    void theSimulatedExchangesAccountTablesForceRowLevelSecurityPerAccount() throws SQLException {
        List<String> accountTables = asOwner(c -> strings(c, """
                select table_name from information_schema.columns
                where table_schema = current_schema() and column_name = 'account_id'"""));
        List<String> isolated = asOwner(c -> strings(c, """
                select p.tablename from pg_policies p join pg_class t on t.relname = p.tablename
                where t.relrowsecurity and t.relforcerowsecurity and p.qual = p.with_check
                  and p.qual like '%account_id%current_setting(''app.current_user''%true)%'"""));

        assertThat(accountTables).containsExactlyInAnyOrder("sim_accounts", "sim_holdings", "sim_orders");
        assertThat(isolated).containsExactlyInAnyOrderElementsOf(accountTables);
    }

    @Test
    void t07_10_everyTableHasItsUserIsolationPolicy() throws SQLException {
        List<String> withPolicy = asOwner(c -> strings(c, """
                select tablename from pg_policies
                where qual = with_check and qual like '%username%current_setting(''app.current_user''%true)%'"""));

        assertThat(withPolicy).containsAll(TABLES);
    }

    @Test
    void bobCannotWriteAlicesSnapshotsOrSettings() {
        assertThatThrownBy(() -> asRequest(BOB, c -> {
            insertSettings(c, ALICE + "-x");
            return null;
        })).isInstanceOf(SQLException.class)
                .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo(INSUFFICIENT_PRIVILEGE);
        assertThatThrownBy(() -> asEngine(BOB, c -> {
            insertSnapshot(c, aliceTrades.get(0), ALICE);
            return null;
        })).isInstanceOf(SQLException.class)
                .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo(INSUFFICIENT_PRIVILEGE);
    }

    @Test
    void bobCannotMoveHisOwnRowToAlice() throws SQLException {
        assertThatThrownBy(() -> asEngine(BOB, c ->
                update(c, "update paper_trades set username = ? where id = ?", ALICE, bobTrades.get(0))))
                .isInstanceOf(SQLException.class)
                .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo(INSUFFICIENT_PRIVILEGE);
        long bobsRows = asOwner(c -> count(c, "select count(*) from paper_trades where username = ?", BOB));
        assertThat(bobsRows).isEqualTo(3);
    }

    @Test
    void theBindingLastsOnlyForItsTransaction() throws SQLException {
        try (Connection c = TestDatabase.get().app().getConnection()) { // the request role, as the query API
            c.setAutoCommit(false);
            bind(c, ALICE);
            long during = count(c, "select count(*) from paper_trades");
            c.commit();
            long after = count(c, "select count(*) from paper_trades");
            c.commit();

            assertThat(during).isEqualTo(5);
            assertThat(after).isZero();
        }
    }

    @Test
    void aHostileUsernameIsBoundAsDataAndNeverReachesSql() throws SQLException {
        String[] hostile = {
                "x'; drop table paper_trades; --",
                "' or '1'='1",
                ALICE + "' or username like '%",
                "\"; reset all; select '",
                "\\'; set role postgres; --",
        };
        for (String name : hostile) {
            long visible = asRequest(name, c -> count(c, "select count(*) from paper_trades"));
            assertThat(visible).as(name).isZero();
        }
        String hostileUser = hostile[0] + uniqueUser("").substring(1);
        String id = asEngine(hostileUser, c -> insertTrade(c, hostileUser, "AAPL", "OPEN"));
        List<String> stored = asRequest(hostileUser, c -> strings(c, "select username from paper_trades where id = ?", id));
        long aliceStillThere = asOwner(c -> count(c, "select count(*) from paper_trades where username = ?", ALICE));

        assertThat(stored).containsExactly(hostileUser);
        assertThat(aliceStillThere).isEqualTo(5);
    }

    private static Map<String, Long> countAll(Connection c) throws SQLException {
        Map<String, Long> counts = new HashMap<>();
        for (String table : TABLES) {
            counts.put(table, count(c, "select count(*) from " + table));
        }
        return counts;
    }

    private static List<String> strings(Connection c, String sql, String... params) throws SQLException {
        List<String> values = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setString(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    values.add(rs.getString(1));
                }
            }
        }
        return values;
    }
}
