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
 * BYPASSRLS, or the owner of any table. The earlier implementation's costliest lesson was a superuser
 * silently reading everyone's trades while every policy looked right.
 */
@Component
@DependsOn("flywayInitializer")
class RowLevelSecurityGuard implements InitializingBean {

    private static final Logger log = LoggerFactory.getLogger(RowLevelSecurityGuard.class);

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
        log.info("Database role '{}' is bound by row-level security", name);
    }

    /** The configured request role could bypass row-level security. */
    static final class UnsafeDatabaseRoleException extends IllegalStateException {
        UnsafeDatabaseRoleException(String message) {
            super(message);
        }
    }
}
