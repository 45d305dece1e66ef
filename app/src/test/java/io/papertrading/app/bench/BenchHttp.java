package io.papertrading.app.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/** The benchmark's HTTP client of one app process: loopback, HTTP/1.1 keep-alive, dev-login tokens cached per user. */
final class BenchHttp {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String MARKET_BUY = "{\"symbol\":\"AAPL\",\"side\":\"BUY\",\"quantity\":1,\"orderType\":\"MARKET\"}";
    static final String RESTING_BUY =
            "{\"symbol\":\"AAPL\",\"side\":\"BUY\",\"quantity\":1,\"orderType\":\"LIMIT\",\"limitPrice\":1.00}";

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final Map<String, String> tokens = new ConcurrentHashMap<>();

    BenchHttp(String base) {
        this.base = base;
    }

    /** A dev-login token for the user (admin role too, so the same user can read the admin endpoints). */
    String token(String user) {
        return tokens.computeIfAbsent(user, u -> {
            HttpResponse<String> r = call(HttpRequest.newBuilder(URI.create(base + "/api/auth/dev-token"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"" + u + "\",\"roles\":[\"admin\"]}"))
                    .build());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("dev-token answered " + r.statusCode());
            }
            return json(r.body()).get("token").asText();
        });
    }

    HttpRequest placeRequest(String user, String body) {
        return HttpRequest.newBuilder(URI.create(base + "/api/trades")).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + token(user))
                .header("Idempotency-Key", UUID.randomUUID().toString())
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    /** Places a trade; the trade id when the app answered 202, else null. */
    String place(String user, String body) {
        HttpResponse<String> r = call(placeRequest(user, body));
        return r.statusCode() == 202 ? json(r.body()).get("tradeId").asText() : null;
    }

    CompletableFuture<HttpResponse<String>> placeAsync(String user, String body) {
        return client.sendAsync(placeRequest(user, body), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String user, String path) {
        return call(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token(user)).GET().build());
    }

    CompletableFuture<HttpResponse<String>> getAsync(String user, String path) {
        return client.sendAsync(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token(user)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String user, String path, String body) {
        return call(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + token(user))
                .header("Idempotency-Key", UUID.randomUUID().toString())
                .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build());
    }

    private HttpResponse<String> call(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    static JsonNode json(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
