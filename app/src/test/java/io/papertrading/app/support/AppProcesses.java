package io.papertrading.app.support;

import io.papertrading.migrations.TestDatabase;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * The app as separate processes, for tests and benchmarks that must kill or time a real JVM: each on a database
 * of its own on the test server (never the shared test database, whose context would otherwise take part),
 * all logging to one file. {@link #close()} kills every process and drops every database.
 */
public final class AppProcesses implements AutoCloseable {

    /** The HS256 secret the processes validate tokens with; their dev login signs with it. */
    public static final String JWT_SECRET = "app-process-secret-of-at-least-32-bytes-long";

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Path logs;
    private final List<Process> processes = new ArrayList<>();
    private final List<String> databases = new ArrayList<>();

    public AppProcesses(String name) throws IOException {
        this.logs = Files.createTempFile("paper-" + name, ".log");
    }

    /** Where every process of this instance logs. */
    public Path logs() {
        return logs;
    }

    /** A fresh, empty database on the test server; returns its JDBC URL. */
    public String createDatabase() throws SQLException {
        TestDatabase shared = TestDatabase.get(); // makes sure the server runs and the app's roles exist on it
        String name = "paper_proc_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12)
                .toLowerCase(Locale.ROOT);
        try (Connection admin = shared.adminConnection(); Statement st = admin.createStatement()) {
            st.execute("create database " + name);
        }
        databases.add(name);
        return shared.urlOf(name);
    }

    /** An owner connection (past row-level security) to a database this instance created. */
    public Connection ownerConnection(String dbUrl) throws SQLException {
        TestDatabase shared = TestDatabase.get();
        return DriverManager.getConnection(dbUrl, shared.ownerUser(), shared.ownerPassword());
    }

    /**
     * Starts the app on its embedded default (its own PostgreSQL under {@code dataDir}, generated secrets, dev
     * login on loopback), as a newcomer runs it, and waits until it reports healthy.
     */
    public Process startEmbedded(Path dataDir, int port) throws IOException {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx384m",
                "-cp", System.getProperty("java.class.path"), "-Daxoniq.update-checker.disabled=true",
                "-Dserver.port=" + port, "-Dpaper.data-dir=" + dataDir, "io.papertrading.app.PaperTradingApplication");
        return started(new ProcessBuilder(cmd), port);
    }

    /**
     * The packaged {@code jar} as a newcomer starts it: {@code java [jvmArgs] -jar}, none of the caller's
     * {@code PAPER_*}, {@code SPRING_*} or {@code SERVER_*} settings, this port and data directory, output appended
     * to {@code log}. Add settings to its environment before starting it.
     */
    public static ProcessBuilder packagedJar(Path jar, int port, Path dataDir, Path log, List<String> jvmArgs) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmArgs);
        cmd.add("-Daxoniq.update-checker.disabled=true");
        cmd.addAll(List.of("-jar", jar.toAbsolutePath().toString()));
        ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(k -> k.startsWith("PAPER_") || k.startsWith("SPRING_") || k.startsWith("SERVER_"));
        env.put("SERVER_PORT", Integer.toString(port));
        env.put("PAPER_DATA_DIR", dataDir.toString());
        env.put("AXONIQ_UPDATE_CHECKER_DISABLED", "true");
        return builder;
    }

    /**
     * The packaged {@code jar} started by the README's launcher ({@code ./paper-trading} at the repository root,
     * {@code script}): from its extracted layout with the class-data-sharing archive, {@code jvmArgs} as its
     * {@code JAVA_OPTS}; otherwise as {@link #packagedJar}. Its first run (per jar) records the archive when it
     * stops, and is the launcher's child until then: stop it with {@link #stop}, which ends the child too.
     */
    public static ProcessBuilder launcher(Path script, Path jar, int port, Path dataDir, Path log, List<String> jvmArgs) {
        ProcessBuilder builder = packagedJar(jar, port, dataDir, log, jvmArgs);
        builder.command("sh", script.toAbsolutePath().toString());
        Map<String, String> env = builder.environment();
        env.put("PAPER_JAR", jar.toAbsolutePath().toString());
        env.put("JAVA_OPTS", String.join(" ", jvmArgs));
        env.put("JAVA_HOME", System.getProperty("java.home")); // the launcher runs the JDK this JVM runs on
        return builder;
    }

    /** SIGTERM and a wait for the graceful shutdown; killed after {@code grace}, with any child (a launcher's JVM). */
    public static void stop(Process process, Duration grace) {
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(process);
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill(process);
        }
    }

    /** SIGKILL to the process and its descendants: a launcher killed alone would leave its JVM running. */
    public static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /** Starts the app on {@code dbUrl} and {@code port} and waits until it reports healthy (at most 90 s). */
    public Process start(String dbUrl, int port, String... extraProperties) throws IOException {
        TestDatabase shared = TestDatabase.get(); // only for the credentials of the roles it created
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m",
                "-cp", System.getProperty("java.class.path"),
                "-Daxoniq.update-checker.disabled=true",
                "-Dserver.port=" + port,
                "-Dpaper.db.url=" + dbUrl,
                "-Dpaper.db.user=" + shared.appUser(),
                "-Dpaper.db.password=" + shared.appPassword(),
                "-Dpaper.db.engine-user=" + shared.engineUser(),
                "-Dpaper.db.engine-password=" + shared.enginePassword(),
                "-Dpaper.db.owner-user=" + shared.ownerUser(),
                "-Dpaper.db.owner-password=" + shared.ownerPassword(),
                "-Dpaper.auth.jwt-secret=" + JWT_SECRET,
                "-Dpaper.dev-login=true",
                "-Dpaper.dev-mode=true",
                "-Dpaper.encryption-key=cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=",
                "-Dpaper.data-dir=" + Files.createTempDirectory("paper-process-data")));
        cmd.addAll(List.of(extraProperties));
        cmd.add("io.papertrading.app.PaperTradingApplication");
        return started(new ProcessBuilder(cmd), port);
    }

    private Process started(ProcessBuilder builder, int port) throws IOException {
        Process process = builder.redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logs.toFile())).start();
        processes.add(process);
        try {
            awaitHealthy(process, port, Duration.ofSeconds(90), logs);
        } catch (RuntimeException | Error e) {
            process.destroyForcibly();
            throw new AssertionError("the app did not start; its log: " + logs + "\n" + tail(), e);
        }
        return process;
    }

    /** Waits until the app {@code process} on {@code port} reports healthy; fails at once if it exits. */
    public static void awaitHealthy(Process process, int port, Duration limit, Path log) {
        await().atMost(limit).pollInterval(Duration.ofMillis(100)).until(() -> {
            if (!process.isAlive()) {
                throw new AssertionError("the app exited (" + process.exitValue() + "); see " + log);
            }
            try {
                return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/health"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException e) {
                return false;
            }
        });
    }

    /** The last lines of the log. */
    public String tail() {
        try {
            List<String> lines = Files.readAllLines(logs);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(unreadable)";
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        for (Process p : processes) {
            p.destroyForcibly().waitFor();
        }
        try (Connection admin = TestDatabase.get().adminConnection(); Statement st = admin.createStatement()) {
            for (String name : databases) {
                st.execute("drop database if exists " + name + " with (force)");
            }
        }
    }
}
