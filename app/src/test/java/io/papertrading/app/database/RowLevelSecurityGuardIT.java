package io.papertrading.app.database;

import io.papertrading.app.IntegrationTestBase;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The startup guard against the shared database, through the request role: it passes as migrated and refuses
 * once an operator (as the owner) weakens a users' table or grants the request role a privileged role.
 */
class RowLevelSecurityGuardIT extends IntegrationTestBase {

    @Test
    void passesOnTheMigratedDatabase() {
        assertThatCode(() -> new RowLevelSecurityGuard(appJdbc).afterPropertiesSet()).doesNotThrowAnyException();
    }

    @Test
    void refusesAUsersTableWhoseRowLevelSecurityWasDisabledOrNotForced() {
        try {
            ownerJdbc.execute("alter table analytics_daily_pnl disable row level security");
            assertThatThrownBy(() -> new RowLevelSecurityGuard(appJdbc).afterPropertiesSet())
                    .hasMessageContaining("analytics_daily_pnl");
            ownerJdbc.execute("alter table analytics_daily_pnl enable row level security");
            ownerJdbc.execute("alter table analytics_daily_pnl no force row level security");
            assertThatThrownBy(() -> new RowLevelSecurityGuard(appJdbc).afterPropertiesSet())
                    .hasMessageContaining("analytics_daily_pnl");
        } finally {
            ownerJdbc.execute("alter table analytics_daily_pnl enable row level security");
            ownerJdbc.execute("alter table analytics_daily_pnl force row level security");
        }
        assertThatCode(() -> new RowLevelSecurityGuard(appJdbc).afterPropertiesSet()).doesNotThrowAnyException();
    }

    @Test
    void refusesARequestRoleThatInheritsAPrivilegedRole() {
        String requestRole = appJdbc.queryForObject("select current_user", String.class);
        try {
            ownerJdbc.execute("create role guard_test_bypass nologin bypassrls");
            ownerJdbc.execute("grant guard_test_bypass to " + requestRole);
            assertThatThrownBy(() -> new RowLevelSecurityGuard(appJdbc).afterPropertiesSet())
                    .hasMessageContaining("guard_test_bypass");
        } finally {
            ownerJdbc.execute("drop role if exists guard_test_bypass");
        }
        assertThatCode(() -> new RowLevelSecurityGuard(appJdbc).afterPropertiesSet()).doesNotThrowAnyException();
    }
}
