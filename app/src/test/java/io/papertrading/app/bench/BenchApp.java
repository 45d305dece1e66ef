package io.papertrading.app.bench;

import io.papertrading.app.support.AppProcesses;
import io.papertrading.migrations.TestDatabase;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The packaged jar ({@code app/target/paper-trading.jar}) as its own process, as an operator runs it (through the
 * README's launcher, or plain {@code java -jar} where a figure says so): on an external
 * PostgreSQL (the benchmark's database) or on the embedded default in a data directory. Knows how long it took to
 * become healthy, and reads its resident memory and CPU time from {@code /proc}.
 */
final class BenchApp implements AutoCloseable {

    /** Fresh per harness run (a Fernet key is 32 random bytes, URL-safe Base64), so no published sample is used. */
    private static final String FERNET_KEY = randomKey(32);
    private static final String JWT_SECRET = randomKey(48);

    private final Process process;
    private final int port;
    private final Duration startup;

    private BenchApp(Process process, int port, Duration startup) {
        this.process = process;
        this.port = port;
        this.startup = startup;
    }

    /** How the app is started: the README's launcher (the default) or plain {@code java -jar}. */
    enum Launch { LAUNCHER, JAR }

    /** The README's launcher at the repository root (the harness runs in {@code app/}). */
    static Path launcher() {
        Path script = Path.of("..", "paper-trading");
        if (!Files.isRegularFile(script)) {
            throw new IllegalStateException(script.toAbsolutePath() + " is missing");
        }
        return script;
    }

    static Path jar() {
        Path jar = Path.of("target", "paper-trading.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar.toAbsolutePath() + " is missing: run the benchmark with "
                    + "`./mvnw -Pbench -pl app verify` (it packages the jar first)");
        }
        return jar;
    }

    /**
     * Whether the launcher has recorded a class-data-sharing archive for the current jar (one written after the jar),
     * so its next start maps it instead of recording one.
     */
    static boolean archiveRecorded() throws IOException {
        Path dir = Path.of("target", "paper-trading-cds");
        if (!Files.isDirectory(dir)) {
            return false;
        }
        java.nio.file.attribute.FileTime built = Files.getLastModifiedTime(jar());
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(f -> f.getFileName().toString().matches("app-\\d+\\.jsa")
                    && lastModified(f).compareTo(built) > 0);
        }
    }

    private static java.nio.file.attribute.FileTime lastModified(Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            return java.nio.file.attribute.FileTime.fromMillis(0);
        }
    }

    /** The app on an external PostgreSQL database (migrations run by the app itself on its first start). */
    static BenchApp external(String dbUrl, Path log, List<String> jvmArgs, Map<String, String> properties)
            throws IOException {
        TestDatabase db = TestDatabase.get(); // the roles and their test passwords
        List<String> props = new ArrayList<>(List.of(
                "-Dpaper.db.url=" + dbUrl,
                "-Dpaper.db.user=" + db.appUser(),
                "-Dpaper.db.password=" + db.appPassword(),
                "-Dpaper.db.engine-user=" + db.engineUser(),
                "-Dpaper.db.engine-password=" + db.enginePassword(),
                "-Dpaper.db.owner-user=" + db.ownerUser(),
                "-Dpaper.db.owner-password=" + db.ownerPassword(),
                "-Dpaper.auth.jwt-secret=" + JWT_SECRET,
                "-Dpaper.dev-login=true",
                "-Dserver.address=127.0.0.1", // the dev login serves loopback only
                "-Dpaper.encryption-key=" + FERNET_KEY));
        properties.forEach((k, v) -> props.add("-D" + k + "=" + v));
        return start(Launch.LAUNCHER, Files.createTempDirectory("paper-bench-data"), log, jvmArgs, props);
    }

    /** The app on its embedded default: its own PostgreSQL in {@code dataDir}, generated secrets, dev login. */
    static BenchApp embedded(Launch launch, Path dataDir, Path log, List<String> jvmArgs) throws IOException {
        return start(launch, dataDir, log, jvmArgs, List.of());
    }

    /** Starts that failed (e.g. the shared server had no connection left) and were tried again. */
    static final java.util.concurrent.atomic.AtomicInteger FAILED_STARTS = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * Starts the app, trying up to three times: the PostgreSQL server is shared with other work on this machine and
     * a start that finds no connection left exits (the failure is counted in {@link #FAILED_STARTS} and reported).
     */
    private static BenchApp start(Launch launch, Path dataDir, Path log, List<String> jvmArgs, List<String> props)
            throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                return startOnce(launch, dataDir, log, jvmArgs, props);
            } catch (AssertionError e) {
                if (attempt == 3) {
                    throw e;
                }
                FAILED_STARTS.incrementAndGet();
            }
        }
    }

    private static BenchApp startOnce(Launch launch, Path dataDir, Path log, List<String> jvmArgs, List<String> props)
            throws IOException {
        int port = AppProcesses.freePort();
        List<String> args = new ArrayList<>(jvmArgs);
        args.addAll(props);
        ProcessBuilder builder = launch == Launch.LAUNCHER
                ? AppProcesses.launcher(launcher(), jar(), port, dataDir, log, args)
                : AppProcesses.packagedJar(jar(), port, dataDir, log, args);
        long t0 = System.nanoTime();
        Process process = builder.start();
        try {
            AppProcesses.awaitHealthy(process, port, Duration.ofSeconds(180), log);
        } catch (RuntimeException | Error e) {
            AppProcesses.kill(process);
            throw new AssertionError("the packaged app did not become healthy; its log: " + log, e);
        }
        return new BenchApp(process, port, Duration.ofNanos(System.nanoTime() - t0));
    }

    private static String randomKey(int bytes) {
        byte[] key = new byte[bytes];
        new SecureRandom().nextBytes(key);
        return Base64.getUrlEncoder().encodeToString(key);
    }

    String base() {
        return "http://127.0.0.1:" + port;
    }

    /** The app's JVM: the process itself, or the launcher's child while its first run records the archive. */
    long pid() {
        return process.children().filter(c -> c.info().command().map(cmd -> cmd.endsWith("/java")).orElse(false))
                .findFirst().map(ProcessHandle::pid).orElse(process.pid());
    }

    /** From the process's start to its first healthy answer. */
    Duration startup() {
        return startup;
    }

    /** VmRSS of the app's JVM, in kB (-1 when unreadable). */
    long rssKb() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
                if (l.startsWith("VmRSS:")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** User plus system CPU time the app's JVM has used, in seconds (fields 14 and 15 of /proc/PID/stat). */
    double cpuSeconds() throws IOException {
        return CpuTime.ofProcess(Path.of("/proc", Long.toString(pid())), false);
    }

    /**
     * CPU seconds the JIT compilers' threads have used so far ({@code /proc/PID/task}, threads named
     * {@code C1 CompilerThre…} and {@code C2 CompilerThre…}). The JVM starts and ends compiler threads as their
     * queues grow and shrink, and an ended thread's time leaves this sum: compare two readings over a window
     * while the load is steady, not across a quiet spell.
     */
    double compilerCpuSeconds() throws IOException {
        return CpuTime.sumOf(Path.of("/proc", Long.toString(pid()), "task"),
                name -> name.startsWith("C2 CompilerThre") || name.startsWith("C1 CompilerThre"), false);
    }

    /** SIGTERM, then waits for the graceful shutdown (kills after 60 s). */
    void stop() {
        AppProcesses.stop(process, Duration.ofSeconds(60));
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            stop();
        }
    }
}
