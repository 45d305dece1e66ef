package io.papertrading.migrations;

import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

class TestDatabaseIT {

    @Test
    void neitherRuntimeRoleCanBypassRowLevelSecurityNorActAsSuperuser() throws Exception {
        for (javax.sql.DataSource role : java.util.List.of(TestDatabase.get().app(), TestDatabase.get().engine())) {
            try (Connection c = role.getConnection();
                 Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("select rolsuper, rolbypassrls from pg_roles where rolname = current_user")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getBoolean("rolsuper")).isFalse();
                assertThat(rs.getBoolean("rolbypassrls")).isFalse();
            }
        }
    }

    @Test
    void migrationsAreApplied() throws Exception {
        try (Connection c = TestDatabase.get().owner().getConnection();
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select count(*) from flyway_schema_history where success")) {
            rs.next();
            assertThat(rs.getInt(1)).isGreaterThanOrEqualTo(1);
        }
    }
}
