package io.papertrading.migrations;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One migrated PostgreSQL database per test JVM, shared by every test in it: a fresh database on the server
 * named by {@code PAPER_TEST_DB_URL} (as CI has), else on a Testcontainers PostgreSQL when a Docker-compatible
 * engine answers ({@link ContainerPostgres}), else on an embedded server in a temporary directory. The
 * database (or the container) goes away when the JVM ends.
 */
public final class TestDatabase {

    /** The password tests give the request (app) role; the role is RLS-bound so this grants nothing special. */
    public static final String APP_PASSWORD = "paper-app-test-password";
    /** The password tests give the engine role (RLS-bound too, but it reads the engine's tables). */
    public static final String ENGINE_PASSWORD = "paper-engine-test-password";

    private static TestDatabase instance;

    private final String ownerUrl;
    private final String ownerUser;
    private final String ownerPassword;
    private final String adminUrl;
    private final String dbName;
    /** The shared pools by role, made on first use. */
    private final Map<String, DataSource> pools = new ConcurrentHashMap<>();

    private TestDatabase(String ownerUrl, String ownerUser, String ownerPassword, String adminUrl, String dbName) {
        this.ownerUrl = ownerUrl;
        this.ownerUser = ownerUser;
        this.ownerPassword = ownerPassword;
        this.adminUrl = adminUrl;
        this.dbName = dbName;
    }

    /** The shared database, created and migrated on first use. */
    public static synchronized TestDatabase get() {
        if (instance == null) {
            instance = create();
        }
        return instance;
    }

    private static TestDatabase create() {
        String dbName = "paper_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT);
        Server server = server();
        String adminUrl = server.adminUrl();
        String user = server.user();
        String password = server.password();
        String baseUrl = sibling(adminUrl, dbName);
        try (Connection admin = DriverManager.getConnection(adminUrl, user, password);
             Statement st = admin.createStatement()) {
            st.execute("create database " + dbName);
            // roles are cluster-wide: another test JVM on the same server may have created them already
            DatabaseMigrator.ensureLoginRole(admin, DatabaseMigrator.DEFAULT_APP_ROLE, APP_PASSWORD);
            DatabaseMigrator.ensureLoginRole(admin, DatabaseMigrator.DEFAULT_ENGINE_ROLE, ENGINE_PASSWORD);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the test database: " + e.getMessage(), e);
        }
        if (server.dropOnExit() || server.stopOnExit() != null) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                awaitNoConnections(adminUrl, user, password, dbName);
                if (server.dropOnExit()) {
                    drop(adminUrl, user, password, dbName);
                }
                if (server.stopOnExit() != null) {
                    server.stopOnExit().run();
                }
            }));
        }
        TestDatabase db = new TestDatabase(baseUrl, user, password, adminUrl, dbName);
        DatabaseMigrator.migrate(db.owner(), DatabaseMigrator.DEFAULT_APP_ROLE, DatabaseMigrator.DEFAULT_ENGINE_ROLE);
        return db;
    }

    /**
     * A server the test database is created on, with a superuser's JDBC URL and credentials. At JVM exit, once
     * this JVM's connections are gone, the database is dropped (a shared server) or the server stopped (a
     * container); the embedded server stops itself.
     */
    private record Server(String adminUrl, String user, String password, boolean dropOnExit, Runnable stopOnExit) {
    }

    /**
     * The README's order: {@code PAPER_TEST_DB_URL}; else a Testcontainers PostgreSQL when a Docker-compatible
     * engine answers; else the embedded server. The choice is printed, so a run says what it tested against.
     */
    private static Server server() {
        String external = System.getenv("PAPER_TEST_DB_URL");
        if (external != null && !external.isBlank()) {
            announce("PAPER_TEST_DB_URL " + external);
            String user = envOr("PAPER_TEST_DB_USER", "postgres");
            String password = envOr("PAPER_TEST_DB_PASSWORD", "");
            return new Server(external, user, password, true, null);
        }
        ContainerPostgres.Mode mode = ContainerPostgres.mode();
        if (mode != ContainerPostgres.Mode.OFF) {
            if (ContainerPostgres.engineAnswers()) {
                var container = ContainerPostgres.start();
                announce("Testcontainers, image " + container.getDockerImageName() + ", at " + container.getJdbcUrl());
                // stopped once this JVM's connections are gone (Ryuk, where it runs, would remove it anyway)
                return new Server(container.getJdbcUrl(), container.getUsername(), container.getPassword(), false, container::stop);
            }
            if (mode == ContainerPostgres.Mode.REQUIRED) {
                throw new IllegalStateException("PAPER_TEST_CONTAINERS=required but no Docker-compatible engine answers "
                        + "(set DOCKER_HOST, e.g. unix:///run/podman/podman.sock)");
            }
        }
        announce("embedded PostgreSQL (no PAPER_TEST_DB_URL; " + (mode == ContainerPostgres.Mode.OFF
                ? "PAPER_TEST_CONTAINERS=off" : "no Docker-compatible engine answered for Testcontainers") + ")");
        EmbeddedPostgresServer embedded = startEmbedded();
        return new Server(embedded.jdbcUrl("postgres"), EmbeddedPostgresServer.SUPERUSER, "", false, null);
    }

    private static void announce(String source) {
        // stdout, not a logger: the build log must say which server the suite ran on, whatever the log levels
        System.out.println("[TestDatabase] tests use " + source);
    }

    /** The URL of another database on the server of {@code url}, keeping its query parameters. */
    private static String sibling(String url, String database) {
        int q = url.indexOf('?');
        String noQuery = q < 0 ? url : url.substring(0, q);
        return noQuery.substring(0, noQuery.lastIndexOf('/') + 1) + database + (q < 0 ? "" : url.substring(q));
    }

    private static EmbeddedPostgresServer startEmbedded() {
        try {
            Path dir = Files.createTempDirectory("paper-test-pg");
            EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dir.resolve("data"), null);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.close();
                try (var paths = Files.walk(dir)) {
                    paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                } catch (Exception ignored) {
                    // a leftover temp directory is harmless
                }
            }));
            return server;
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot create a directory for the embedded PostgreSQL", e);
        }
    }

    /**
     * Spring closes its test contexts from another shutdown hook: give their pools a moment to let go, so the
     * database's drop (or the container's stop) does not cut a scheduler mid-query (harmless, but it prints a
     * stack trace).
     */
    private static void awaitNoConnections(String adminUrl, String user, String password, String dbName) {
        try (Connection admin = DriverManager.getConnection(adminUrl, user, password)) {
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline && connections(admin, dbName) > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(100));
            }
        } catch (SQLException ignored) {
            // the server is going away anyway
        }
    }

    private static void drop(String adminUrl, String user, String password, String dbName) {
        try (Connection admin = DriverManager.getConnection(adminUrl, user, password);
             Statement st = admin.createStatement()) {
            st.execute("drop database if exists " + dbName + " with (force)");
        } catch (SQLException ignored) {
            // the database is uniquely named, so a leftover one never disturbs a later run
        }
    }

    private static int connections(Connection admin, String dbName) throws SQLException {
        try (var ps = admin.prepareStatement("select count(*) from pg_stat_activity where datname = ?")) {
            ps.setString(1, dbName);
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private static String envOr(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    /**
     * Connects as the owner to the server's maintenance database, for tests that need databases of their own
     * (e.g. a separate app process that must not share this JVM's database).
     */
    public Connection adminConnection() throws SQLException {
        return DriverManager.getConnection(adminUrl, ownerUser, ownerPassword);
    }

    /** JDBC URL of another database on the same server. */
    public String urlOf(String database) {
        return ownerUrl.replace("/" + dbName, "/" + database);
    }

    /** JDBC URL of the test database (without credentials). */
    public String url() {
        return ownerUrl;
    }

    public String ownerUser() {
        return ownerUser;
    }

    public String ownerPassword() {
        return ownerPassword;
    }

    public String appUser() {
        return DatabaseMigrator.DEFAULT_APP_ROLE;
    }

    public String appPassword() {
        return APP_PASSWORD;
    }

    public String engineUser() {
        return DatabaseMigrator.DEFAULT_ENGINE_ROLE;
    }

    public String enginePassword() {
        return ENGINE_PASSWORD;
    }

    /** Connections as the schema owner (a superuser here): bypasses RLS, for setup and inspection only. */
    public DataSource owner() {
        return dataSource(ownerUser, ownerPassword);
    }

    /** Connections as the RLS-bound request (app) role, as request handling uses: the read model and settings only. */
    public DataSource app() {
        return dataSource(appUser(), APP_PASSWORD);
    }

    /**
     * Connections as the engine role, as the command side, projections, sagas, order desk and simulated exchange
     * use: RLS-bound on users' tables too, but with the engine's tables and the reset functions.
     */
    public DataSource engine() {
        return dataSource(engineUser(), ENGINE_PASSWORD);
    }

    /**
     * The owner's connections from a small pool shared by the whole JVM: a new connection costs ~25 ms on a 2-core
     * machine, and harnesses that store and project thousands of events opened two per event. Only for tests that
     * leave no session state behind (transaction-local settings only), as the application's own pool is used.
     */
    public DataSource pooledOwner() {
        return pooled("owner", ownerUser, ownerPassword);
    }

    /** The request role's connections from a shared pool; see {@link #pooledOwner()}. */
    public DataSource pooledApp() {
        return pooled("app", appUser(), APP_PASSWORD);
    }

    /** The engine role's connections from a shared pool; see {@link #pooledOwner()}. */
    public DataSource pooledEngine() {
        return pooled("engine", engineUser(), ENGINE_PASSWORD);
    }

    private DataSource pooled(String name, String user, String password) {
        return pools.computeIfAbsent(name, n -> {
            HikariConfig config = new HikariConfig();
            config.setDataSource(dataSource(user, password));
            config.setPoolName("test-" + n);
            config.setMaximumPoolSize(16);
            config.setIdleTimeout(10_000);
            config.setMinimumIdle(0);
            return new HikariDataSource(config);
        });
    }

    private DataSource dataSource(String user, String password) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(ownerUrl);
        ds.setUser(user);
        ds.setPassword(password);
        return ds;
    }
}
