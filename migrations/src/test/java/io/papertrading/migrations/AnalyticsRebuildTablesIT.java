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
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The analytics projection's rebuild tables (V38) through the engine role, as a bulk rebuild drives them: emptied and
 * stripped, indexed like the live tables, then equal to them in everything the switch compares; a twin that differs
 * is refused at the switch, which then changes nothing. (The switch itself, with rows, is AnalyticsRebuildIT's.)
 */
class AnalyticsRebuildTablesIT {

    private static final List<String> TABLES = List.of("analytics_trades", "analytics_strategy_stats",
            "analytics_daily_pnl", "analytics_excursions");

    @Test
    void aLoadedShadowIsIndexedLikeItsLiveTable() throws SQLException {
        prepare();
        assertThat(differences()).containsOnlyNulls();
        assertThat(owner("""
                select relname from pg_class where relname like 'analytics%\\_rebuild' and relkind = 'r'
                  and (relrowsecurity or relforcerowsecurity)""")).isEmpty();
        assertThat(owner("""
                select tgname from pg_trigger where tgrelid in ('analytics_trades_rebuild'::regclass,
                  'analytics_strategy_stats_rebuild'::regclass) and not tgisinternal and tgenabled = 'O' order by tgname"""))
                .as("the triggers are on for the catch-up")
                .containsExactly("analytics_strategy_stats_changed", "analytics_trades_register_owner");
        asEngine(null, c -> execute(c, "select analytics_rebuild_begin()"));
        assertThat(owner("select indexname from pg_indexes where tablename like 'analytics%\\_rebuild'"))
                .as("a shadow loads without indexes").isEmpty();
        assertThat(owner("""
                select tgname from pg_trigger where tgrelid = 'analytics_trades_rebuild'::regclass and not tgisinternal
                  and tgenabled = 'O'""")).as("nor triggers").isEmpty();
    }

    @Test
    void aShadowThatDiffersFromItsLiveTableIsNotSwitchedIn() throws SQLException {
        prepare();
        asOwner(c -> execute(c, "alter table analytics_daily_pnl_rebuild add column surplus integer"));
        try {
            assertThatThrownBy(() -> asEngine(null, c -> execute(c, "select analytics_rebuild_switch()")))
                    .hasMessageContaining("cannot be switched in").hasMessageContaining("surplus");
            assertThat(owner("select relname from pg_class where relname = 'analytics_daily_pnl_rebuild'")).hasSize(1);
        } finally {
            asOwner(c -> execute(c, "alter table analytics_daily_pnl_rebuild drop column surplus"));
            asEngine(null, c -> execute(c, "select analytics_rebuild_begin()"));
        }
    }

    @Test
    void onlyTheProjectionsTablesCanBeIndexed() {
        assertThatThrownBy(() -> asEngine(null, c -> execute(c, "select analytics_rebuild_index('paper_trades', 0)")))
                .hasMessageContaining("not a table of the analytics projection");
    }

    /** Through the engine role: the shadows emptied, indexed and finished, as after a bulk load. */
    private static void prepare() throws SQLException {
        asEngine(null, c -> {
            execute(c, "select analytics_rebuild_begin()");
            for (String table : TABLES) {
                for (int item = 0; item < 10; item++) {
                    execute(c, "select analytics_rebuild_index('" + table + "', " + item + ")");
                }
            }
            execute(c, "select analytics_rebuild_owners()");
            return execute(c, "select analytics_rebuild_loaded()");
        });
    }

    private static List<String> differences() throws SQLException {
        return asOwner(c -> {
            List<String> found = new ArrayList<>();
            for (String table : TABLES) {
                try (PreparedStatement ps = c.prepareStatement("select paper_rebuild_difference(?::regclass, ?::regclass)")) {
                    ps.setString(1, table);
                    ps.setString(2, table + "_rebuild");
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        found.add(rs.getString(1));
                    }
                }
            }
            return found;
        });
    }

    private static List<String> owner(String sql) throws SQLException {
        return asOwner(c -> strings(c, sql));
    }

    private static Void execute(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
        return null;
    }

    private static List<String> strings(Connection c, String sql) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }
}
