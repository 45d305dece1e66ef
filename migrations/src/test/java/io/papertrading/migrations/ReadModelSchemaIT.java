package io.papertrading.migrations;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static io.papertrading.migrations.ReadModelSql.asOwner;
import static io.papertrading.migrations.ReadModelSql.asEngine;
import static io.papertrading.migrations.ReadModelSql.count;
import static io.papertrading.migrations.ReadModelSql.insertSnapshot;
import static io.papertrading.migrations.ReadModelSql.insertTrade;
import static io.papertrading.migrations.ReadModelSql.insertTransition;
import static io.papertrading.migrations.ReadModelSql.uniqueUser;
import static io.papertrading.migrations.ReadModelSql.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The decision log's T-01 schema suite, on a real PostgreSQL, writing through the RLS-bound app role. */
class ReadModelSchemaIT {

    private static final String UNIQUE_VIOLATION = "23505";
    private static final String CHECK_VIOLATION = "23514";
    private static final String FOREIGN_KEY_VIOLATION = "23503";

    private final String user = uniqueUser("schema");

    @Test
    void t01_01_allFourTablesExistWithTheirColumns() throws SQLException {
        Map<String, Map<String, String>> columns = asOwner(c -> {
            Map<String, Map<String, String>> byTable = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    select table_name, column_name, data_type from information_schema.columns
                    where table_schema = 'public'
                      and table_name in ('paper_trades', 'state_transitions', 'price_snapshots', 'user_settings')""");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    byTable.computeIfAbsent(rs.getString(1), k -> new HashMap<>()).put(rs.getString(2), rs.getString(3));
                }
            }
            return byTable;
        });

        assertThat(columns.get("paper_trades")).containsKeys(
                "id", "username", "symbol", "option_symbol", "option_type", "strike", "expiry", "side", "quantity",
                "filled_quantity", "order_type", "limit_price", "entry_price", "exit_price", "stop_loss",
                "take_profit", "status", "close_reason", "realized_pnl", "unrealized_pnl", "last_price", "mfe", "mae",
                "strategy", "notes", "broker", "broker_order_id", "exit_order_id", "idempotency_key",
                "request_hash", "version", "trade_context", "created_at", "opened_at", "closed_at", "updated_at");
        assertThat(columns.get("paper_trades")).hasSizeGreaterThanOrEqualTo(35)
                .containsEntry("expiry", "date")
                .containsEntry("trade_context", "jsonb")
                .containsEntry("realized_pnl", "numeric")
                .containsEntry("created_at", "timestamp with time zone");
        assertThat(columns.get("state_transitions")).containsKeys(
                "id", "trade_id", "username", "from_status", "to_status", "reason", "actor", "occurred_at",
                "event_id", "version");
        assertThat(columns.get("price_snapshots")).containsKeys(
                "id", "trade_id", "username", "at", "bid", "ask", "last", "mark", "underlying_price", "iv", "delta",
                "unrealized_pnl");
        assertThat(columns.get("user_settings")).containsKeys(
                "username", "broker", "tradier_environment", "tradier_account_id", "tradier_token_encrypted",
                "max_open_trades", "max_position_cost", "default_stop_loss_pct", "default_take_profit_pct",
                "created_at", "updated_at");
    }

    @Test
    void t01_02_jsonbTradeContextStoresAndAnswersContainmentQueries() throws SQLException {
        String momentum = asEngine(user, c -> insertTrade(c, user, "AAPL", "OPEN"));
        String other = asEngine(user, c -> insertTrade(c, user, "MSFT", "OPEN"));
        asEngine(user, c -> {
            update(c, "update paper_trades set trade_context = ?::jsonb where id = ?",
                    "{\"strategy_type\": \"momentum\", \"mfe\": 1.5, \"tags\": [\"earnings\"]}", momentum);
            update(c, "update paper_trades set trade_context = ?::jsonb where id = ?",
                    "{\"strategy_type\": \"mean-reversion\"}", other);
            return null;
        });

        Set<String> found = asEngine(user, c -> {
            Set<String> ids = new HashSet<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "select id from paper_trades where trade_context @> ?::jsonb")) {
                ps.setString(1, "{\"strategy_type\": \"momentum\"}");
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getString(1));
                    }
                }
            }
            return ids;
        });
        String mfe = asEngine(user, c -> {
            try (PreparedStatement ps = c.prepareStatement("select trade_context ->> 'mfe' from paper_trades where id = ?")) {
                ps.setString(1, momentum);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getString(1);
                }
            }
        });

        assertThat(found).containsExactly(momentum);
        assertThat(mfe).isEqualTo("1.5");
    }

    @Test
    void t01_03_aDuplicateIdempotencyKeyOfTheSameUserIsRejected() throws SQLException {
        String first = asEngine(user, c -> insertTrade(c, user, "AAPL", "PENDING"));
        String second = asEngine(user, c -> insertTrade(c, user, "AAPL", "PENDING"));
        asEngine(user, c -> update(c, "update paper_trades set idempotency_key = 'key-1' where id = ?", first));

        assertThatThrownBy(() -> asEngine(user, c ->
                update(c, "update paper_trades set idempotency_key = 'key-1' where id = ?", second)))
                .isInstanceOf(SQLException.class)
                .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo(UNIQUE_VIOLATION);
    }

    @Test
    void theSameIdempotencyKeyMayBeUsedByAnotherUser() throws SQLException {
        String other = uniqueUser("schema-other");
        String mine = asEngine(user, c -> insertTrade(c, user, "AAPL", "PENDING"));
        String theirs = asEngine(other, c -> insertTrade(c, other, "AAPL", "PENDING"));
        asEngine(user, c -> update(c, "update paper_trades set idempotency_key = 'shared-key' where id = ?", mine));

        int updated = asEngine(other, c ->
                update(c, "update paper_trades set idempotency_key = 'shared-key' where id = ?", theirs));

        assertThat(updated).isEqualTo(1);
    }

    @Test
    void t01_04_versionDefaultsToOne() throws SQLException {
        String id = asEngine(user, c -> insertTrade(c, user, "AAPL", "PENDING"));

        long version = asEngine(user, c -> count(c, "select version from paper_trades where id = ?", id));

        assertThat(version).isEqualTo(1);
    }

    @Test
    void t01_05_theStatusCheckRejectsAnUnknownStatus() {
        assertThatThrownBy(() -> asEngine(user, c -> insertTrade(c, user, "AAPL", "FILLED")))
                .isInstanceOf(SQLException.class)
                .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo(CHECK_VIOLATION);
    }

    @Test
    void everyOneOfTheSevenStatesIsAccepted() throws SQLException {
        for (String status : new String[]{"PENDING", "OPEN", "PARTIALLY_FILLED", "CLOSING", "CLOSED", "EXPIRED", "CANCELED"}) {
            asEngine(user, c -> insertTrade(c, user, "AAPL", status));
        }

        long distinct = asEngine(user, c -> count(c, "select count(distinct status) from paper_trades"));

        assertThat(distinct).isEqualTo(7);
    }

    @Test
    void theCloseReasonCheckRejectsAnUnknownReason() throws SQLException {
        String id = asEngine(user, c -> insertTrade(c, user, "AAPL", "CLOSED"));

        assertThatThrownBy(() -> asEngine(user, c ->
                update(c, "update paper_trades set close_reason = 'BORED' where id = ?", id)))
                .isInstanceOf(SQLException.class)
                .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo(CHECK_VIOLATION);
    }

    @Test
    void t01_06_deletingATradeCascadesToItsTransitionsAndSnapshots() throws SQLException {
        String id = asEngine(user, c -> {
            String tradeId = insertTrade(c, user, "AAPL", "OPEN");
            insertTransition(c, tradeId, user, "PENDING");
            insertTransition(c, tradeId, user, "OPEN");
            insertSnapshot(c, tradeId, user);
            return tradeId;
        });
        long transitionsBefore = asEngine(user, c -> count(c, "select count(*) from state_transitions where trade_id = ?", id));

        asEngine(user, c -> update(c, "delete from paper_trades where id = ?", id));

        long transitionsAfter = asOwner(c -> count(c, "select count(*) from state_transitions where trade_id = ?", id));
        long snapshotsAfter = asOwner(c -> count(c, "select count(*) from price_snapshots where trade_id = ?", id));
        assertThat(transitionsBefore).isEqualTo(2);
        assertThat(transitionsAfter).isZero();
        assertThat(snapshotsAfter).isZero();
    }

    @Test
    void t01_07_theCompositeUsernameStatusIndexExists() throws SQLException {
        long indexes = asOwner(c -> count(c, """
                select count(*) from pg_indexes
                where tablename = 'paper_trades' and indexdef like '%(username, status)%'"""));
        long newestFirst = asOwner(c -> count(c, """
                select count(*) from pg_indexes
                where tablename = 'paper_trades' and indexdef like '%(username, created_at DESC%'"""));
        long gin = asOwner(c -> count(c, """
                select count(*) from pg_indexes
                where tablename = 'paper_trades' and indexdef like '%USING gin (trade_context)%'"""));

        assertThat(indexes).isEqualTo(1);
        assertThat(newestFirst).isEqualTo(1);
        assertThat(gin).isEqualTo(1);
    }

    @Test
    void rowsUpdatedInPlaceLeaveRoomOnTheirPagesLiveAndInTheRebuildTwins() throws SQLException {
        long roomy = asOwner(c -> count(c, """
                select count(*) from pg_class
                where relname in ('paper_trades', 'paper_trades_rebuild', 'analytics_trades', 'analytics_trades_rebuild',
                                  'desk_orders', 'saga_entry')
                  and 'fillfactor=80' = any(reloptions)"""));

        assertThat(roomy).isEqualTo(6);
    }

    @Test
    void t01_08_createdAtFillsItselfWithTheCurrentTime() throws SQLException {
        Instant before = asOwner(c -> {
            try (ResultSet rs = c.createStatement().executeQuery("select now()")) {
                rs.next();
                return rs.getTimestamp(1).toInstant();
            }
        });
        String id = asEngine(user, c -> insertTrade(c, user, "AAPL", "PENDING"));

        Timestamp createdAt = asEngine(user, c -> {
            try (PreparedStatement ps = c.prepareStatement("select created_at from paper_trades where id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getTimestamp(1);
                }
            }
        });

        assertThat(createdAt).isNotNull();
        assertThat(createdAt.toInstant()).isAfterOrEqualTo(before).isBefore(before.plusSeconds(60));
    }

    @Test
    void t01_09_paperTradesHasItsRowLevelSecurityPolicy() throws SQLException {
        long policies = asOwner(c -> count(c, """
                select count(*) from pg_policies
                where tablename = 'paper_trades' and qual like '%current_setting(''app.current_user''%'
                  and with_check like '%current_setting(''app.current_user''%'"""));

        assertThat(policies).isEqualTo(1);
    }

    @Test
    void t01_10_realizedPnlAcceptsNegativeValues() throws SQLException {
        String id = asEngine(user, c -> insertTrade(c, user, "AAPL", "CLOSED"));
        asEngine(user, c -> {
            try (PreparedStatement ps = c.prepareStatement("update paper_trades set realized_pnl = ? where id = ?")) {
                ps.setBigDecimal(1, new BigDecimal("-1234.5678"));
                ps.setString(2, id);
                return ps.executeUpdate();
            }
        });

        BigDecimal pnl = asEngine(user, c -> {
            try (PreparedStatement ps = c.prepareStatement("select realized_pnl from paper_trades where id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getBigDecimal(1);
                }
            }
        });

        assertThat(pnl).isEqualByComparingTo("-1234.5678");
    }

    @Test
    void aTransitionsEventIdIsUnique() throws SQLException {
        String id = asEngine(user, c -> insertTrade(c, user, "AAPL", "PENDING"));
        String insert = """
                insert into state_transitions (trade_id, username, to_status, occurred_at, event_id, version)
                values (?, ?, 'PENDING', now(), 'event-' || ?, 1)""";
        asEngine(user, c -> update(c, insert, id, user, id));

        assertThatThrownBy(() -> asEngine(user, c -> update(c, insert, id, user, id)))
                .isInstanceOf(SQLException.class)
                .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo(UNIQUE_VIOLATION);
    }

    @Test
    void aChildRowCannotNameAnotherUsersTrade() throws SQLException {
        String owner = uniqueUser("schema-owner");
        String tradeId = asEngine(owner, c -> insertTrade(c, owner, "AAPL", "OPEN"));

        // the foreign key is (trade_id, username): user's own username on owner's trade id does not exist
        assertThatThrownBy(() -> asEngine(user, c -> {
            insertTransition(c, tradeId, user, "OPEN");
            return null;
        })).isInstanceOf(SQLException.class)
                .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo(FOREIGN_KEY_VIOLATION);
        assertThatThrownBy(() -> asEngine(user, c -> {
            insertSnapshot(c, tradeId, user);
            return null;
        })).isInstanceOf(SQLException.class)
                .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo(FOREIGN_KEY_VIOLATION);
    }

    @Test
    void optionFieldsComeTogetherOrNotAtAll() {
        assertThatThrownBy(() -> asEngine(user, c -> update(c, """
                insert into paper_trades (id, username, symbol, option_symbol, side, quantity, order_type)
                values (gen_random_uuid()::text, ?, 'AAPL', 'AAPL260619C00260000', 'BUY', 1, 'MARKET')""", user)))
                .isInstanceOf(SQLException.class)
                .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo(CHECK_VIOLATION);
    }

    @Test
    void theProjectionsOwnerLookupIsReachableOnlyThroughItsFunction() throws SQLException {
        String id = asEngine(user, c -> insertTrade(c, user, "AAPL", "PENDING"));

        String owner = asEngine(null, c -> {
            try (PreparedStatement ps = c.prepareStatement("select paper_trade_owner(?)")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getString(1);
                }
            }
        });

        assertThat(owner).isEqualTo(user);
        assertThatThrownBy(() -> asEngine(user, c -> count(c, "select count(*) from paper_trade_owners")))
                .isInstanceOf(SQLException.class)
                .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("42501");
    }

    @Test
    void neitherRuntimeRoleOwnsATable() throws SQLException {
        long owned = asOwner(c -> count(c, """
                select count(*) from pg_tables
                where schemaname = current_schema() and tableowner in (?, ?)""",
                TestDatabase.get().appUser(), TestDatabase.get().engineUser()));

        assertThat(owned).isZero();
    }
}
