package io.papertrading.app.database;

import io.papertrading.app.IntegrationTestBase;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The startup guard against the shared database, through the app's two roles: it passes as migrated and refuses
 * once an operator (as the owner) weakens a users' table, grants a runtime role a privileged role, or gives the
 * request role anything of the engine's (a table, a column, a sequence, a reset function, TRUNCATE, the engine
 * role itself).
 */
class RowLevelSecurityGuardIT extends IntegrationTestBase {

    @Autowired
    private RequestDatabase requests;

    private RowLevelSecurityGuard guard() {
        return new RowLevelSecurityGuard(requests, engineJdbc);
    }

    private String requestRole() {
        return requests.jdbc().queryForObject("select current_user", String.class);
    }

    /** Roles are cluster-wide: a name of this run's own, so that another run on the same server never collides. */
    private static String uniqueRole(String base) {
        return base + "_" + Long.toHexString(System.nanoTime()).toLowerCase(Locale.ROOT);
    }

    @Test
    void passesOnTheMigratedDatabase() {
        assertThatCode(() -> guard().afterPropertiesSet()).doesNotThrowAnyException();
    }

    @Test
    void refusesAUsersTableWhoseRowLevelSecurityWasDisabledOrNotForced() {
        try {
            ownerJdbc.execute("alter table analytics_daily_pnl disable row level security");
            assertThatThrownBy(() -> guard().afterPropertiesSet())
                    .hasMessageContaining("analytics_daily_pnl");
            ownerJdbc.execute("alter table analytics_daily_pnl enable row level security");
            ownerJdbc.execute("alter table analytics_daily_pnl no force row level security");
            assertThatThrownBy(() -> guard().afterPropertiesSet())
                    .hasMessageContaining("analytics_daily_pnl");
        } finally {
            ownerJdbc.execute("alter table analytics_daily_pnl enable row level security");
            ownerJdbc.execute("alter table analytics_daily_pnl force row level security");
        }
        assertThatCode(() -> guard().afterPropertiesSet()).doesNotThrowAnyException();
    }

    @Test
    void refusesARuntimeRoleThatInheritsAPrivilegedRole() {
        String bypass = uniqueRole("guard_test_bypass");
        String engineRole = engineJdbc.queryForObject("select current_user", String.class);
        try {
            ownerJdbc.execute("create role " + bypass + " nologin bypassrls");
            ownerJdbc.execute("grant " + bypass + " to " + requestRole());
            assertThatThrownBy(() -> guard().afterPropertiesSet())
                    .hasMessageContaining(bypass).hasMessageContaining("PAPER_DB_USER");
            ownerJdbc.execute("revoke " + bypass + " from " + requestRole());
            ownerJdbc.execute("grant " + bypass + " to " + engineRole);
            assertThatThrownBy(() -> guard().afterPropertiesSet())
                    .hasMessageContaining(bypass).hasMessageContaining("PAPER_DB_ENGINE_USER");
        } finally {
            ownerJdbc.execute("drop role if exists " + bypass);
        }
        assertThatCode(() -> guard().afterPropertiesSet()).doesNotThrowAnyException();
    }

    @Test
    void refusesARequestRoleThatCanReachAnEngineTableEvenOneColumnOfIt() {
        try {
            ownerJdbc.execute("grant select on domain_event_entry to " + requestRole());
            assertThatThrownBy(() -> guard().afterPropertiesSet())
                    .hasMessageContaining("SELECT on domain_event_entry").hasMessageContaining("PAPER_DB_USER");
            ownerJdbc.execute("revoke select on domain_event_entry from " + requestRole());
            ownerJdbc.execute("grant select (payload) on dead_letter_entry to " + requestRole());
            assertThatThrownBy(() -> guard().afterPropertiesSet()).hasMessageContaining("SELECT on dead_letter_entry");
            ownerJdbc.execute("revoke select (payload) on dead_letter_entry from " + requestRole());
            ownerJdbc.execute("grant insert on desk_orders to public");
            assertThatThrownBy(() -> guard().afterPropertiesSet()).hasMessageContaining("INSERT on desk_orders");
        } finally {
            ownerJdbc.execute("revoke select on domain_event_entry from " + requestRole());
            ownerJdbc.execute("revoke select (payload) on dead_letter_entry from " + requestRole());
            ownerJdbc.execute("revoke insert on desk_orders from public");
        }
        assertThatCode(() -> guard().afterPropertiesSet()).doesNotThrowAnyException();
    }

    @Test
    void refusesARequestRoleThatCanTruncateWriteTheReadModelOrUseASequence() {
        try {
            ownerJdbc.execute("grant truncate on paper_trades to " + requestRole());
            assertThatThrownBy(() -> guard().afterPropertiesSet()).hasMessageContaining("TRUNCATE on paper_trades");
            ownerJdbc.execute("revoke truncate on paper_trades from " + requestRole());
            ownerJdbc.execute("grant delete on state_transitions to " + requestRole());
            assertThatThrownBy(() -> guard().afterPropertiesSet()).hasMessageContaining("DELETE on state_transitions");
            ownerJdbc.execute("revoke delete on state_transitions from " + requestRole());
            ownerJdbc.execute("grant usage on sequence domain_event_global_index_seq to " + requestRole());
            assertThatThrownBy(() -> guard().afterPropertiesSet())
                    .hasMessageContaining("USAGE on domain_event_global_index_seq");
        } finally {
            ownerJdbc.execute("revoke truncate on paper_trades from " + requestRole());
            ownerJdbc.execute("revoke delete on state_transitions from " + requestRole());
            ownerJdbc.execute("revoke usage on sequence domain_event_global_index_seq from " + requestRole());
        }
        assertThatCode(() -> guard().afterPropertiesSet()).doesNotThrowAnyException();
    }

    @Test
    void refusesARequestRoleThatCanCallAResetFunction() {
        try {
            ownerJdbc.execute("grant execute on function paper_reset_trade_projection() to " + requestRole());
            assertThatThrownBy(() -> guard().afterPropertiesSet())
                    .hasMessageContaining("EXECUTE on paper_reset_trade_projection()");
        } finally {
            ownerJdbc.execute("revoke execute on function paper_reset_trade_projection() from " + requestRole());
        }
        assertThatCode(() -> guard().afterPropertiesSet()).doesNotThrowAnyException();
    }

    @Test
    void refusesARequestRoleThatIsAMemberOfARoleWithTheEnginesReach() {
        // as "grant paper_engine to paper_app" would, without touching the engine role other databases share
        String engineLike = uniqueRole("guard_test_engine");
        try {
            ownerJdbc.execute("create role " + engineLike + " nologin");
            ownerJdbc.execute("grant select on saga_entry to " + engineLike);
            ownerJdbc.execute("grant " + engineLike + " to " + requestRole());
            // named through the role that holds it: a membership without inheritance still allows SET ROLE
            assertThatThrownBy(() -> guard().afterPropertiesSet())
                    .hasMessageContaining("SELECT on saga_entry (through role " + engineLike + ")");
        } finally {
            ownerJdbc.execute("drop owned by " + engineLike);
            ownerJdbc.execute("drop role if exists " + engineLike);
        }
        assertThatCode(() -> guard().afterPropertiesSet()).doesNotThrowAnyException();
    }
}
