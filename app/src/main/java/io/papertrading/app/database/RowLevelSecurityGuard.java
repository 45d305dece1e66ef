package io.papertrading.app.database;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.context.annotation.DependsOn;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import java.util.List;

/**
 * Refuses to start when the role serving requests could see other users' rows: a superuser, a role with
 * BYPASSRLS, the owner of any table, a member of such a role, or any users' table whose row-level security
 * was switched off (or not forced, or left without a policy) after the migrations ran. The earlier implementation's costliest lesson was a superuser
 * silently reading everyone's trades while every policy looked right.
 */
@Component
@DependsOn("flywayInitializer")
class RowLevelSecurityGuard implements InitializingBean {

    private static final Logger log = LoggerFactory.getLogger(RowLevelSecurityGuard.class);

    /** Tables holding users' rows: each must enable and force row-level security and have a policy. */
    static final List<String> USER_TABLES = List.of("paper_trades", "state_transitions", "price_snapshots",
            "user_settings", "analytics_trades", "analytics_strategy_stats", "analytics_daily_pnl",
            "analytics_excursions", "sim_accounts", "sim_holdings", "sim_orders");

    private final JdbcTemplate jdbc;

    RowLevelSecurityGuard(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void afterPropertiesSet() {
        var role = jdbc.queryForMap("select current_user as name, rolsuper, rolbypassrls from pg_roles where rolname = current_user");
        List<String> owned = jdbc.queryForList(
                "select tablename from pg_tables where schemaname = current_schema() and tableowner = current_user", String.class);
        String name = (String) role.get("name");
        if (Boolean.TRUE.equals(role.get("rolsuper"))) {
            throw new UnsafeDatabaseRoleException("the database role '" + name + "' is a superuser, which bypasses "
                    + "row-level security; connect with a NOSUPERUSER NOBYPASSRLS role (PAPER_DB_USER) that does not own the tables");
        }
        if (Boolean.TRUE.equals(role.get("rolbypassrls"))) {
            throw new UnsafeDatabaseRoleException("the database role '" + name + "' has BYPASSRLS; "
                    + "connect with a NOBYPASSRLS role (PAPER_DB_USER)");
        }
        if (!owned.isEmpty()) {
            throw new UnsafeDatabaseRoleException("the database role '" + name + "' owns " + owned
                    + "; owners skip row-level security: run migrations as PAPER_DB_OWNER_USER and serve requests as another role");
        }
        List<String> unprotected = jdbc.queryForList("""
                select t.name from unnest(?::text[]) as t(name)
                left join pg_class c on c.relname = t.name and c.relnamespace = current_schema()::regnamespace
                where c.oid is null or not (c.relrowsecurity and c.relforcerowsecurity)
                   or not exists (select 1 from pg_policy p where p.polrelid = c.oid)
                order by t.name""", String.class, (Object) USER_TABLES.toArray(String[]::new));
        if (!unprotected.isEmpty()) {
            throw new UnsafeDatabaseRoleException("row-level security is not enabled and forced, with a policy, on "
                    + unprotected + "; every user's rows there would be visible to every user: re-run the migrations "
                    + "or restore the tables' security (ALTER TABLE ... ENABLE / FORCE ROW LEVEL SECURITY)");
        }
        List<String> privileged = jdbc.queryForList("""
                with recursive granted(roleid) as (
                    select roleid from pg_auth_members where member = (select oid from pg_roles where rolname = current_user)
                    union
                    select m.roleid from pg_auth_members m join granted g on m.member = g.roleid)
                select r.rolname from granted g join pg_roles r on r.oid = g.roleid
                where r.rolsuper or r.rolbypassrls
                   or exists (select 1 from pg_tables t where t.schemaname = current_schema() and t.tableowner = r.rolname)
                order by r.rolname""", String.class);
        if (!privileged.isEmpty()) {
            throw new UnsafeDatabaseRoleException("the database role '" + name + "' is a member of " + privileged
                    + ", which can bypass row-level security (superuser, BYPASSRLS or a table owner): a member may "
                    + "SET ROLE to it. Revoke the membership");
        }
        log.info("Database role '{}' is bound by row-level security", name);
    }

    /** The configured request role could bypass row-level security. */
    static final class UnsafeDatabaseRoleException extends IllegalStateException {
        UnsafeDatabaseRoleException(String message) {
            super(message);
        }
    }
}
