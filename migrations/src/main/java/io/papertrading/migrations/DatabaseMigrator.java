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
 * Prepares a database for the engine: the RLS-bound application role and the Flyway migrations, run with the
 * owner's credentials. The app and the tests share this one path, so what is tested is what runs.
 */
public final class DatabaseMigrator {

    /** The default name of the role the application's requests use (NOSUPERUSER NOBYPASSRLS, not the owner). */
    public static final String DEFAULT_APP_ROLE = "paper_app";
    /** Where the SQL migrations live on the classpath. */
    public static final String LOCATION = "classpath:db/migration";

    private static final Pattern ROLE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static final Pattern GENERATED_SECRET = Pattern.compile("[A-Za-z0-9_-]{16,128}");

    private DatabaseMigrator() {
    }

    /** The Flyway configuration every caller uses: location and the {@code appRole} placeholder. */
    public static FluentConfiguration configure(DataSource owner, String appRole) {
        requireRoleName(appRole);
        return Flyway.configure()
                .dataSource(owner)
                .locations(LOCATION)
                .placeholders(Map.of("appRole", appRole));
    }

    /** Applies pending migrations as the owner. */
    public static void migrate(DataSource owner, String appRole) {
        configure(owner, appRole).load().migrate();
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
            throw new IllegalArgumentException("the app role password must be 16-128 characters of [A-Za-z0-9_-]");
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

    private static void requireRoleName(String role) {
        if (role == null || !ROLE_NAME.matcher(role).matches()) {
            throw new IllegalArgumentException("role names are 1-63 characters of [a-z0-9_], not starting with a digit");
        }
    }
}
