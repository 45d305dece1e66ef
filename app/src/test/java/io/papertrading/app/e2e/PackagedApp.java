package io.papertrading.app.e2e;

import io.papertrading.app.support.AppProcesses;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-Daxoniq.update-checker.disabled=true", "-jar", jar.toAbsolutePath().toString()));
        ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
        Map<String, String> environment = builder.environment();
        environment.keySet().removeIf(k -> k.startsWith("PAPER_") || k.startsWith("SPRING_") || k.startsWith("SERVER_"));
        environment.put("SERVER_PORT", Integer.toString(port));
        environment.put("PAPER_DATA_DIR", data.toString());
        environment.put("AXONIQ_UPDATE_CHECKER_DISABLED", "true");
        environment.putAll(env);
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
        try {
            process.destroy();
            if (!process.waitFor(40, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
