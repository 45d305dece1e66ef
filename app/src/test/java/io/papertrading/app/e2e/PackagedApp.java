package io.papertrading.app.e2e;

import io.papertrading.app.support.AppProcesses;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The packaged jar ({@code target/paper-trading.jar}, built by {@code package} before Failsafe runs) started as a
 * newcomer starts it: the embedded default, in a fresh data directory, on a free port, with none of the caller's
 * {@code PAPER_*} settings. {@link #close()} sends SIGTERM (the app then stops its PostgreSQL) and removes the data.
 */
final class PackagedApp implements AutoCloseable {

    private final Process process;
    private final Path dataDir;
    private final Path log;
    private final String baseUrl;

    private PackagedApp(Process process, Path dataDir, Path log, String baseUrl) {
        this.process = process;
        this.dataDir = dataDir;
        this.log = log;
        this.baseUrl = baseUrl;
    }

    /** Starts the jar with these extra environment variables and waits until it reports healthy. */
    static PackagedApp start(Path jar, Path log, Map<String, String> env) throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar.toAbsolutePath() + " is missing: run the tests with `./mvnw verify` "
                    + "(the jar is built by `package`, before the integration tests)");
        }
        int port = AppProcesses.freePort();
        Path data = Files.createTempDirectory("paper-e2e-data");
        ProcessBuilder builder = AppProcesses.packagedJar(jar, port, data, log, List.of("-Xmx512m"));
        builder.environment().putAll(env);
        PackagedApp app = new PackagedApp(builder.start(), data, log, "http://127.0.0.1:" + port);
        try {
            AppProcesses.awaitHealthy(app.process, port, Duration.ofSeconds(120), log);
        } catch (RuntimeException | Error e) {
            app.close();
            throw new AssertionError("the packaged app did not become healthy; its log: " + log, e);
        }
        return app;
    }

    String baseUrl() {
        return baseUrl;
    }

    Path log() {
        return log;
    }

    @Override
    public void close() {
        AppProcesses.stop(process, Duration.ofSeconds(40));
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
