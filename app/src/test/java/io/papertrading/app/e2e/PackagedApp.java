package io.papertrading.app.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/**
 * The packaged jar ({@code target/paper-trading.jar}, built by {@code package} before Failsafe runs) started as a
 * newcomer starts it: the embedded default, in a fresh data directory, on a free port, with none of the caller's
 * {@code PAPER_*} settings. {@link #close()} sends SIGTERM (the app then stops its PostgreSQL) and removes the data.
 */
final class PackagedApp implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

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
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
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
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).until(app::healthy);
        } catch (RuntimeException | Error e) {
            app.close();
            throw new AssertionError("the packaged app did not become healthy; its log: " + log, e);
        }
        return app;
    }

    private boolean healthy() {
        if (!process.isAlive()) {
            throw new AssertionError("the packaged app exited (" + process.exitValue() + "); see " + log);
        }
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl + "/actuator/health")).timeout(Duration.ofSeconds(2))
                    .build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
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
