package io.papertrading.migrations;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Prepares a database for the engine: its two runtime roles and the Flyway migrations, run with the owner's
 * credentials. The app and the tests share this one path, so what is tested is what runs.
 *
 * <p>The roles (both NOSUPERUSER NOBYPASSRLS, neither owns a table, so row-level security binds both):
 * <ul>
 *   <li>the <b>request role</b> ({@code appRole}, {@code PAPER_DB_USER}): what request handling reads and writes
 *   itself, always as one bound user: SELECT on the read model, SELECT/INSERT/UPDATE on {@code user_settings}.
 *   No event store, sagas, tokens, dead letters, deadlines, order desk, live-trade book, simulated exchange or
 *   reset functions (migration V33).</li>
 *   <li>the <b>engine role</b> ({@code engineRole}, {@code PAPER_DB_ENGINE_USER}): Axon (event store, tokens,
 *   sagas, dead letters), db-scheduler, the projections, the order desk, the price monitor and the simulated
 *   exchange.</li>
 * </ul>
 */
public final class DatabaseMigrator {

    /** The default name of the role the application's requests use (NOSUPERUSER NOBYPASSRLS, not the owner). */
    public static final String DEFAULT_APP_ROLE = "paper_app";
    /** The default name of the role the engine uses: command side, projections, sagas, desk, scheduler. */
    public static final String DEFAULT_ENGINE_ROLE = "paper_engine";
    /** Where the SQL migrations live on the classpath. */
    public static final String LOCATION = "classpath:db/migration";

    private static final Pattern ROLE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static final Pattern GENERATED_SECRET = Pattern.compile("[A-Za-z0-9_-]{16,128}");

    private DatabaseMigrator() {
    }

    /** The Flyway configuration every caller uses: location and the {@code appRole} and {@code engineRole} placeholders. */
    public static FluentConfiguration configure(DataSource owner, String appRole, String engineRole) {
        requireRoleName(appRole);
        requireRoleName(engineRole);
        if (appRole.equals(engineRole)) {
            throw new IllegalArgumentException("the request role and the engine role must be two different roles");
        }
        return Flyway.configure()
                .dataSource(owner)
                .locations(LOCATION)
                .placeholders(Map.of("appRole", appRole, "engineRole", engineRole));
    }

    /** Applies pending migrations as the owner. */
    public static void migrate(DataSource owner, String appRole, String engineRole) {
        configure(owner, appRole, engineRole).load().migrate();
    }

    /**
     * Creates (or resets) {@code role} as a login role that can neither bypass RLS nor act as a superuser.
     * Used where this process manages the server (embedded default, tests); an operator's own server keeps
     * the role the operator created.
     */
    public static void ensureLoginRole(Connection owner, String role, String password) throws SQLException {
        requireRoleName(role);
        if (!GENERATED_SECRET.matcher(password).matches()) {
            // the password is spliced into DDL (no bind parameters there), so only generated secrets are allowed
            throw new IllegalArgumentException("a generated role password must be 16-128 characters of [A-Za-z0-9_-]");
        }
        boolean exists;
        try (PreparedStatement ps = owner.prepareStatement("select 1 from pg_roles where rolname = ?")) {
            ps.setString(1, role);
            try (ResultSet rs = ps.executeQuery()) {
                exists = rs.next();
            }
        }
        try (Statement st = owner.createStatement()) {
            st.execute((exists ? "alter role " : "create role ") + role
                    + " login nosuperuser nobypassrls nocreatedb nocreaterole password '" + password + "'");
        }
    }

    /** Refuses anything but a plain lower-case role name: role names are spliced into DDL and migrations. */
    public static void requireRoleName(String role) {
        if (role == null || !ROLE_NAME.matcher(role).matches()) {
            throw new IllegalArgumentException("role names are 1-63 characters of [a-z0-9_], not starting with a digit");
        }
    }
}
