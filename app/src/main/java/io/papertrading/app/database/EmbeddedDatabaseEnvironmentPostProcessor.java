package io.papertrading.app.database;

import io.papertrading.migrations.DatabaseMigrator;
import io.papertrading.migrations.EmbeddedPostgresServer;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.beans.factory.support.DefaultSingletonBeanRegistry;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

/**
 * Decides where the database is before anything connects. With {@code PAPER_DB_URL} the app uses that server with
 * three roles: the request role ({@code PAPER_DB_USER}) for what request handling reads and writes itself, the
 * engine role ({@code PAPER_DB_ENGINE_USER}) for everything else (Axon, db-scheduler, projections, the order
 * desk, the simulated exchange) and the owner ({@code PAPER_DB_OWNER_USER}) for Flyway. Without it, it starts the
 * embedded PostgreSQL under {@code PAPER_DATA_DIR}, creates the request and engine roles, and generates its
 * secrets once into the data directory so restarts keep the same tokens and keys.
 *
 * <p>The engine's connections are Spring's {@code spring.datasource.*} (so JPA, Axon, db-scheduler and every
 * {@code JdbcTemplate} use them); the request role's are {@code paper.request-datasource.*}, a pool of its own
 * ({@link RequestDatabase}).
 */
public class EmbeddedDatabaseEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

    static final String DATABASE = "paper";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment env, SpringApplication application) {
        Map<String, Object> props = new HashMap<>();
        String url = env.getProperty("paper.db.url");
        if (url != null && !url.isBlank()) {
            String appUser = required(env, "paper.db.user", "PAPER_DB_USER");
            String engineUser = required(env, "paper.db.engine-user", "PAPER_DB_ENGINE_USER");
            String ownerUser = required(env, "paper.db.owner-user", "PAPER_DB_OWNER_USER");
            requireTwoRoles(appUser, engineUser);
            props.put("spring.datasource.url", url);
            props.put("spring.datasource.username", engineUser);
            props.put("spring.datasource.password", env.getProperty("paper.db.engine-password", ""));
            props.put(RequestDatabase.URL, url);
            props.put(RequestDatabase.USERNAME, appUser);
            props.put(RequestDatabase.PASSWORD, env.getProperty("paper.db.password", ""));
            props.put("spring.flyway.url", url);
            props.put("spring.flyway.user", ownerUser);
            props.put("spring.flyway.password", env.getProperty("paper.db.owner-password", ""));
            props.put("spring.flyway.placeholders.appRole", appUser);
            props.put("spring.flyway.placeholders.engineRole", engineUser);
            props.put("paper.embedded", "false");
        } else {
            startEmbedded(env, application, props);
        }
        env.getPropertySources().addFirst(new MapPropertySource("paperDatabase", props));
    }

    private void startEmbedded(ConfigurableEnvironment env, SpringApplication application, Map<String, Object> props) {
        Path dataDir = Path.of(env.getProperty("paper.data-dir", "./data")).toAbsolutePath().normalize();
        LocalSecrets secrets = LocalSecrets.loadOrCreate(dataDir);
        EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir.resolve("postgres"), secrets.dbOwnerPassword());
        String appRole = DatabaseMigrator.DEFAULT_APP_ROLE;
        String engineRole = DatabaseMigrator.DEFAULT_ENGINE_ROLE;
        try (Connection admin = DriverManager.getConnection(server.jdbcUrl("postgres"), EmbeddedPostgresServer.SUPERUSER,
                secrets.dbOwnerPassword())) {
            createDatabaseIfMissing(admin);
            DatabaseMigrator.ensureLoginRole(admin, appRole, secrets.dbAppPassword());
            DatabaseMigrator.ensureLoginRole(admin, engineRole, secrets.dbEnginePassword());
        } catch (SQLException e) {
            server.close();
            throw new IllegalStateException("the embedded PostgreSQL started but could not be prepared: " + e.getMessage());
        }
        // Stopped after everything else, not when the context starts closing: graceful shutdown first drains
        // requests in flight and stops the processors, and they still need the database for that. Registered
        // before any bean exists, so it is the last disposable bean to be destroyed.
        application.addInitializers(context -> {
            if (context.getBeanFactory() instanceof DefaultSingletonBeanRegistry registry) {
                registry.registerDisposableBean("embeddedPostgreSQL", server::close);
            } else {
                context.addApplicationListener(event -> {
                    if (event instanceof ContextClosedEvent) {
                        server.close();
                    }
                });
            }
        });
        String jdbcUrl = server.jdbcUrl(DATABASE);
        props.put("spring.datasource.url", jdbcUrl);
        props.put("spring.datasource.username", engineRole);
        props.put("spring.datasource.password", secrets.dbEnginePassword());
        props.put(RequestDatabase.URL, jdbcUrl);
        props.put(RequestDatabase.USERNAME, appRole);
        props.put(RequestDatabase.PASSWORD, secrets.dbAppPassword());
        props.put("spring.flyway.url", jdbcUrl);
        props.put("spring.flyway.user", EmbeddedPostgresServer.SUPERUSER);
        props.put("spring.flyway.password", secrets.dbOwnerPassword());
        props.put("spring.flyway.placeholders.appRole", appRole);
        props.put("spring.flyway.placeholders.engineRole", engineRole);
        props.put("paper.embedded", "true");
        if (env.getProperty("paper.auth.jwt-secret") == null && env.getProperty("paper.auth.issuer-uri") == null) {
            props.put("paper.auth.jwt-secret", secrets.jwtSecret());
        }
        if (env.getProperty("paper.encryption-key") == null) {
            props.put("paper.encryption-key", secrets.encryptionKey());
        }
        if (env.getProperty("paper.dev-login") == null) {
            props.put("paper.dev-login", "true");
        }
        if (env.getProperty("server.address") == null) {
            // the embedded default is a trial on this machine (with a dev login): not reachable from others
            props.put("server.address", "127.0.0.1");
        }
    }

    private static void createDatabaseIfMissing(Connection admin) throws SQLException {
        try (PreparedStatement ps = admin.prepareStatement("select 1 from pg_database where datname = ?")) {
            ps.setString(1, DATABASE);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return;
                }
            }
        }
        try (Statement st = admin.createStatement()) {
            st.execute("create database " + DATABASE);
        }
    }

    private static String required(ConfigurableEnvironment env, String property, String variable) {
        String value = env.getProperty(property);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(variable + " must be set when PAPER_DB_URL is set"
                    + ("PAPER_DB_ENGINE_USER".equals(variable) ? ENGINE_ROLE_HINT : ""));
        }
        return value;
    }

    /**
     * Why there is no fallback to {@code PAPER_DB_USER} for the engine: migration V33 takes the engine's tables
     * away from the request role, so the one-role setup cannot work any more, and running requests with the
     * engine's reach is what the separation exists to prevent.
     */
    static final String ENGINE_ROLE_HINT = ": the engine (event store, sagas, projections, order desk, scheduler) "
            + "connects as its own role; PAPER_DB_USER only reaches the read model and the settings. Create it "
            + "as the owner, e.g. CREATE ROLE paper_engine LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD '...', and set "
            + "PAPER_DB_ENGINE_USER and PAPER_DB_ENGINE_PASSWORD (the migrations grant it what it needs)";

    /**
     * The request role and the engine role are two different, plainly named roles: the names reach the migrations'
     * GRANT statements, and one role in both places would give requests the engine's reach. (That neither is a
     * superuser, the owner or able to bypass row-level security is {@link RowLevelSecurityGuard}'s to check.)
     */
    private static void requireTwoRoles(String appUser, String engineUser) {
        try {
            DatabaseMigrator.requireRoleName(appUser);
            DatabaseMigrator.requireRoleName(engineUser);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("PAPER_DB_USER and PAPER_DB_ENGINE_USER: " + e.getMessage());
        }
        if (appUser.equals(engineUser)) {
            throw new IllegalStateException("PAPER_DB_USER and PAPER_DB_ENGINE_USER name the same role '" + appUser
                    + "'; requests must not connect with the engine's reach" + ENGINE_ROLE_HINT);
        }
    }

    @Override
    public int getOrder() {
        // after the config files and environment variables are loaded, so PAPER_* settings are visible
        return Ordered.LOWEST_PRECEDENCE;
    }
}
