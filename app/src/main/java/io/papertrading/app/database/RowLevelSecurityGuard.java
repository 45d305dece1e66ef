package io.papertrading.app.database;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.DependsOn;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Refuses to start when the database roles could see or touch more than they should. The earlier
 * implementation's costliest lesson was a superuser silently reading everyone's trades while every policy looked
 * right; issue 12's was a request role that could read every user's events and empty the read models.
 * <ul>
 *   <li>Neither runtime role (the request role {@code PAPER_DB_USER}, the engine role {@code PAPER_DB_ENGINE_USER})
 *   is a superuser, has BYPASSRLS, owns a table, or is a member of a role that does; they are two roles.</li>
 *   <li>Every users' table enables and forces row-level security and has a policy.</li>
 *   <li>The request role, and every role it is a member of (it could {@code SET ROLE} to any), holds exactly what
 *   request handling needs: SELECT on the read model, SELECT/INSERT/UPDATE on {@code user_settings}. Any other
 *   privilege on a table, view or sequence of the schema (the event store, sagas, tokens, dead letters,
 *   deadlines, the order desk, the live-trade book, the simulated exchange; TRUNCATE, which row-level security does
 *   not filter) or EXECUTE on a SECURITY DEFINER function (the resets, the owner lookups) is refused, naming it.</li>
 * </ul>
 */
@Component
@DependsOn("flywayInitializer")
class RowLevelSecurityGuard implements InitializingBean {

    private static final Logger log = LoggerFactory.getLogger(RowLevelSecurityGuard.class);

    /** Tables holding users' rows: each must enable and force row-level security and have a policy. */
    static final List<String> USER_TABLES = List.of("paper_trades", "state_transitions", "price_snapshots",
            "user_settings", "analytics_trades", "analytics_strategy_stats", "analytics_daily_pnl",
            "analytics_excursions", "sim_accounts", "sim_holdings", "sim_orders");

    private static final Set<String> READ = Set.of("SELECT");
    /** Everything the request role may hold (migration V33 grants exactly this). */
    static final Map<String, Set<String>> REQUEST_PRIVILEGES = Map.of(
            "paper_trades", READ, "state_transitions", READ, "price_snapshots", READ,
            "analytics_trades", READ, "analytics_strategy_stats", READ, "analytics_daily_pnl", READ,
            "analytics_excursions", READ,
            "user_settings", Set.of("SELECT", "INSERT", "UPDATE"));

    /** {@code granted(roleid)}: the connected role and every role it is a member of, directly or not. */
    private static final String CURRENT_ROLE_AND_ITS_ROLES = """
            with recursive granted(roleid) as (
                select oid from pg_roles where rolname = current_user
                union
                select m.roleid from pg_auth_members m join granted g on m.member = g.roleid)
            """;

    private final JdbcTemplate request;
    private final JdbcTemplate engine;

    @Autowired
    RowLevelSecurityGuard(RequestDatabase requests, JdbcTemplate engine) {
        this(requests.jdbc(), engine);
    }

    RowLevelSecurityGuard(JdbcTemplate request, JdbcTemplate engine) {
        this.request = request;
        this.engine = engine;
    }

    @Override
    public void afterPropertiesSet() {
        String requestRole = requireBoundByRowLevelSecurity(request, "PAPER_DB_USER");
        String engineRole = requireBoundByRowLevelSecurity(engine, "PAPER_DB_ENGINE_USER");
        if (requestRole.equals(engineRole)) {
            throw new UnsafeDatabaseRoleException("requests and the engine both connect as '" + requestRole
                    + "'; the request role (PAPER_DB_USER) must be a role of its own without the engine's tables");
        }
        requireUsersTablesProtected();
        requireRequestRoleConfined(requestRole);
        log.info("Database roles: requests as '{}' (the read model and settings, under row-level security), "
                + "the engine as '{}' (row-level security on users' tables)", requestRole, engineRole);
    }

    /** The connected role cannot bypass row-level security by any route; returns its name. */
    private static String requireBoundByRowLevelSecurity(JdbcTemplate jdbc, String variable) {
        var role = jdbc.queryForMap("select current_user as name, rolsuper, rolbypassrls from pg_roles where rolname = current_user");
        List<String> owned = jdbc.queryForList(
                "select tablename from pg_tables where schemaname = current_schema() and tableowner = current_user", String.class);
        String name = (String) role.get("name");
        if (Boolean.TRUE.equals(role.get("rolsuper"))) {
            throw new UnsafeDatabaseRoleException("the database role '" + name + "' (" + variable + ") is a superuser, "
                    + "which bypasses row-level security; connect with a NOSUPERUSER NOBYPASSRLS role that does not own the tables");
        }
        if (Boolean.TRUE.equals(role.get("rolbypassrls"))) {
            throw new UnsafeDatabaseRoleException("the database role '" + name + "' (" + variable + ") has BYPASSRLS; "
                    + "connect with a NOBYPASSRLS role");
        }
        if (!owned.isEmpty()) {
            throw new UnsafeDatabaseRoleException("the database role '" + name + "' (" + variable + ") owns " + owned
                    + "; owners skip row-level security: run migrations as PAPER_DB_OWNER_USER and connect as another role");
        }
        List<String> privileged = jdbc.queryForList(CURRENT_ROLE_AND_ITS_ROLES + """
                select r.rolname from granted g join pg_roles r on r.oid = g.roleid
                where r.rolname <> current_user and (r.rolsuper or r.rolbypassrls
                   or exists (select 1 from pg_tables t where t.schemaname = current_schema() and t.tableowner = r.rolname))
                order by r.rolname""", String.class);
        if (!privileged.isEmpty()) {
            throw new UnsafeDatabaseRoleException("the database role '" + name + "' (" + variable + ") is a member of "
                    + privileged + ", which can bypass row-level security (superuser, BYPASSRLS or a table owner): a "
                    + "member may SET ROLE to it. Revoke the membership");
        }
        return name;
    }

    private void requireUsersTablesProtected() {
        List<String> unprotected = request.queryForList("""
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
    }

    /**
     * Privileges of the request role and of every role it belongs to (directly or not, inherited or not: a member
     * can SET ROLE) on the schema's relations and SECURITY DEFINER functions, PUBLIC's included.
     */
    private void requireRequestRoleConfined(String requestRole) {
        List<Map<String, Object>> held = request.queryForList(CURRENT_ROLE_AND_ITS_ROLES + """
                select r.rolname as role, c.relname as relation, c.relkind::text as kind, p.privilege
                from granted g join pg_roles r on r.oid = g.roleid
                cross join pg_class c
                cross join unnest(array['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER',
                                        'USAGE']) as p(privilege)
                where c.relnamespace = current_schema()::regnamespace and c.relkind in ('r', 'p', 'v', 'm', 'f', 'S')
                  and case when c.relkind = 'S' then p.privilege in ('SELECT', 'UPDATE', 'USAGE')
                               and has_sequence_privilege(g.roleid, c.oid, p.privilege)
                           when p.privilege = 'USAGE' then false
                           when p.privilege in ('SELECT', 'INSERT', 'UPDATE', 'REFERENCES')
                               then has_any_column_privilege(g.roleid, c.oid, p.privilege)
                           else has_table_privilege(g.roleid, c.oid, p.privilege) end
                order by c.relname, p.privilege""");
        Set<String> excess = new TreeSet<>();
        for (Map<String, Object> row : held) {
            String relation = (String) row.get("relation");
            String privilege = (String) row.get("privilege");
            boolean allowed = !"S".equals(row.get("kind"))
                    && REQUEST_PRIVILEGES.getOrDefault(relation, Set.of()).contains(privilege);
            if (!allowed) {
                excess.add(privilege + " on " + relation + via(row.get("role"), requestRole));
            }
        }
        List<Map<String, Object>> functions = request.queryForList(CURRENT_ROLE_AND_ITS_ROLES + """
                select r.rolname as role, p.oid::regprocedure::text as function
                from granted g join pg_roles r on r.oid = g.roleid
                cross join pg_proc p
                where p.pronamespace = current_schema()::regnamespace and p.prosecdef
                  and p.prorettype <> 'trigger'::regtype and has_function_privilege(g.roleid, p.oid, 'EXECUTE')
                order by 2""");
        for (Map<String, Object> row : functions) {
            excess.add("EXECUTE on " + row.get("function") + via(row.get("role"), requestRole));
        }
        if (!excess.isEmpty()) {
            List<String> listed = new ArrayList<>(excess);
            throw new UnsafeDatabaseRoleException("the request role '" + requestRole + "' (PAPER_DB_USER) can reach "
                    + "more than the read model and the settings: " + listed + ". It must not read the engine's tables "
                    + "(events, sagas, tokens, dead letters, deadlines, order desk, live trades, simulated exchange) nor "
                    + "call the reset functions: re-run the migrations as the owner, or revoke these (and any "
                    + "membership that grants them); the engine connects as PAPER_DB_ENGINE_USER");
        }
    }

    private static String via(Object role, String requestRole) {
        return requestRole.equals(role) ? "" : " (through role " + role + ")";
    }

    /** A configured database role could bypass row-level security or reach more than it may. */
    static final class UnsafeDatabaseRoleException extends IllegalStateException {
        UnsafeDatabaseRoleException(String message) {
            super(message);
        }
    }
}
