package io.papertrading.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.papertrading.app.support.AppProcesses;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SIGTERM to the packaged app on its embedded default while a request is in flight: the request is answered
 * (before, the embedded PostgreSQL stopped first and it got a 500), then the app and its database stop.
 */
class GracefulShutdownIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void answersARequestInFlightAtSigtermBeforeTheDatabaseStops() throws Exception {
        try (AppProcesses apps = new AppProcesses("graceful")) {
            Path data = Files.createTempDirectory("paper-graceful");
            int port = AppProcesses.freePort();
            Process app = apps.startEmbedded(data, port);
            String base = "http://127.0.0.1:" + port;
            String token = json(HTTP.send(post(base + "/api/auth/dev-token", "{\"username\":\"alice\"}", null)
                    .build(), HttpResponse.BodyHandlers.ofString())).get("token").asText();
            HttpResponse<String> placed = HTTP.send(post(base + "/api/trades",
                    "{\"symbol\":\"AAPL\",\"side\":\"BUY\",\"quantity\":1,\"orderType\":\"LIMIT\",\"limitPrice\":1.05}", token)
                    .header("Idempotency-Key", "graceful-1").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(placed.statusCode()).isEqualTo(202);
            String id = json(placed).get("tradeId").asText();

            // a read that waits (up to 5 s) for a version the trade will never reach: in flight for seconds
            CompletableFuture<HttpResponse<String>> inFlight = HTTP.sendAsync(HttpRequest.newBuilder(
                            URI.create(base + "/api/trades/" + id + "?minVersion=999"))
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
            await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> !inFlight.isDone());
            app.destroy(); // SIGTERM

            HttpResponse<String> answer = inFlight.get(30, TimeUnit.SECONDS);
            assertThat(answer.statusCode()).as(apps.tail()).isEqualTo(200);
            assertThat(json(answer).get("tradeId").asText()).isEqualTo(id);
            assertThat(app.waitFor(60, TimeUnit.SECONDS)).as("the app exits").isTrue();
            // the embedded PostgreSQL was stopped, not orphaned: its pid file is gone
            assertThat(data.resolve("postgres").resolve("postmaster.pid")).doesNotExist();
        }
    }

    private static HttpRequest.Builder post(String url, String body, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        return token == null ? b : b.header("Authorization", "Bearer " + token);
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }
}
