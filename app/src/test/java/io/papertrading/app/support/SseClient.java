package io.papertrading.app.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A minimal server-sent-events client for tests: reads a stream on its own thread into a list of events, as a
 * browser's reader would (fields {@code id}, {@code event}, {@code data}; a blank line ends an event; comment
 * lines are counted as heartbeats). It remembers the last event id, as {@code EventSource} does.
 */
public final class SseClient implements AutoCloseable {

    /** One event as received. */
    public record Event(String id, String name, String data) {
    }

    private final HttpResponse<InputStream> response;
    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final Thread reader;
    private volatile String lastEventId;
    private volatile int comments;
    private volatile boolean ended;

    private SseClient(HttpResponse<InputStream> response, String lastEventId) {
        this.response = response;
        this.lastEventId = lastEventId;
        this.reader = new Thread(this::read, "sse-client");
        this.reader.setDaemon(true);
        if (response.statusCode() == 200) {
            this.reader.start();
        } else {
            ended = true;
        }
    }

    /** Opens {@code url} with {@code token}; {@code lastEventId} null sends none. */
    public static SseClient open(HttpClient http, String url, String token, String lastEventId) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .header("Accept", "text/event-stream").GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        try {
            // the timeout covers the response headers only; the body is read as it comes
            return new SseClient(http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream()), lastEventId);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public int status() {
        return response.statusCode();
    }

    public String header(String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    /** The body of a refused stream (a problem document). */
    public String errorBody() {
        try (InputStream in = response.body()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    public List<Event> events() {
        return new ArrayList<>(events);
    }

    public List<Event> events(String name) {
        return events.stream().filter(e -> name.equals(e.name())).toList();
    }

    public String lastEventId() {
        return lastEventId;
    }

    public int comments() {
        return comments;
    }

    /** Whether the server ended the stream. */
    public boolean ended() {
        return ended;
    }

    private void read() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String id = null;
            String name = null;
            StringBuilder data = null;
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.isEmpty()) {
                    if (data != null) {
                        if (id != null) {
                            lastEventId = id;
                        }
                        events.add(new Event(id, name == null ? "message" : name, data.toString()));
                    }
                    id = null;
                    name = null;
                    data = null;
                } else if (line.startsWith(":")) {
                    comments++;
                } else {
                    int colon = line.indexOf(':');
                    String field = colon < 0 ? line : line.substring(0, colon);
                    String value = colon < 0 ? "" : line.substring(colon + 1).replaceFirst("^ ", "");
                    switch (field) {
                        case "id" -> id = value;
                        case "event" -> name = value;
                        case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                        default -> { }
                    }
                }
            }
        } catch (IOException e) {
            // closed by close() or by the server
        } finally {
            ended = true;
        }
    }

    @Override
    public void close() {
        try {
            response.body().close();
        } catch (IOException e) {
            // already closed
        }
        reader.interrupt();
    }
}
