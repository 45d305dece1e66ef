package io.papertrading.command.execution;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * A MockWebServer answering like Tradier's order endpoints, with a tiny order book the test scripts: orders
 * are created by POSTs (tag kept), listed with tags, moved to a status by the test, canceled by DELETE.
 */
public final class ScriptedTradier extends Dispatcher implements AutoCloseable {

    public static final String ACCOUNT = "VA000001";

    public final MockWebServer server = new MockWebServer();
    public final Map<String, Map<String, Object>> orders = new LinkedHashMap<>();
    public final AtomicInteger posts = new AtomicInteger();
    public final AtomicInteger lists = new AtomicInteger();
    public final AtomicInteger gets = new AtomicInteger();
    public final List<String> deletes = new ArrayList<>();
    /** The next POST creates the order but answers too late (the client times out). */
    public final AtomicReference<Duration> nextPostDelay = new AtomicReference<>();
    /** The next POST creates the order but a gateway answers with this HTTP status instead of Tradier's "ok". */
    public final AtomicReference<Integer> nextPostGatewayStatus = new AtomicReference<>();
    /** While set, every request is answered with this HTTP status, as during an outage. */
    public volatile Integer outageStatus;
    /** Every request is refused as Tradier refuses a revoked token. */
    public volatile boolean tokenRevoked;
    /** Status of each new order as Tradier first lists it. */
    public volatile String initialStatus = "pending";
    /** Done to an order just before the next DELETE of it is judged, once: a fill crossing the cancel, say. */
    public final AtomicReference<Consumer<String>> beforeNextCancel = new AtomicReference<>();
    private int sequence = 300_000;

    public ScriptedTradier() {
        server.setDispatcher(this);
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String baseUrl() {
        return server.url("/v1").toString();
    }

    @Override
    public synchronized MockResponse dispatch(RecordedRequest request) {
        String path = request.getUrl().encodedPath();
        Integer outage = outageStatus;
        if (outage != null) {
            return new MockResponse.Builder().code(outage).body("Service Unavailable").build();
        }
        if (tokenRevoked) {
            return new MockResponse.Builder().code(401).body("Invalid Access Token").build();
        }
        String orders = "/v1/accounts/" + ACCOUNT + "/orders";
        if (request.getMethod().equals("POST") && path.equals(orders)) {
            posts.incrementAndGet();
            Map<String, String> form = form(request.getBody() == null ? "" : request.getBody().utf8());
            String id = Integer.toString(++sequence);
            Map<String, Object> order = new LinkedHashMap<>();
            order.put("id", Integer.parseInt(id));
            order.put("type", form.getOrDefault("type", "market"));
            order.put("symbol", form.get("symbol"));
            order.put("side", form.get("side"));
            order.put("quantity", Double.parseDouble(form.getOrDefault("quantity", "1")));
            order.put("status", initialStatus);
            order.put("duration", form.getOrDefault("duration", "day"));
            order.put("avg_fill_price", 0.0);
            order.put("exec_quantity", 0.0);
            order.put("last_fill_price", 0.0);
            order.put("remaining_quantity", Double.parseDouble(form.getOrDefault("quantity", "1")));
            order.put("create_date", "2024-03-01T15:00:00.000Z");
            order.put("class", form.getOrDefault("class", "equity"));
            if (form.get("tag") != null) {
                order.put("tag", form.get("tag"));
            }
            this.orders.put(id, order);
            Integer gateway = nextPostGatewayStatus.getAndSet(null);
            if (gateway != null) {
                return json("<html><body>" + gateway + " Bad Gateway</body></html>").code(gateway).build();
            }
            MockResponse.Builder ok = json("{\"order\":{\"id\":" + id + ",\"status\":\"ok\"}}");
            Duration delay = nextPostDelay.getAndSet(null);
            if (delay != null) {
                ok.headersDelay(delay.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            }
            return ok.build();
        }
        if (request.getMethod().equals("GET") && path.equals(orders)) {
            lists.incrementAndGet();
            if (this.orders.isEmpty()) {
                return json("{\"orders\":\"null\"}").build();
            }
            return json("{\"orders\":{\"order\":[" + String.join(",", this.orders.values().stream().map(ScriptedTradier::toJson).toList()) + "]}}").build();
        }
        if (path.startsWith(orders + "/")) {
            String id = path.substring(orders.length() + 1);
            Map<String, Object> order = this.orders.get(id);
            if (order == null) {
                return json("{\"errors\":{\"error\":\"order not found\"}}").code(400).build();
            }
            if (request.getMethod().equals("DELETE")) {
                deletes.add(id);
                Consumer<String> crossing = beforeNextCancel.getAndSet(null);
                if (crossing != null) {
                    crossing.accept(id);
                }
                if (!List.of("pending", "open", "partially_filled").contains(String.valueOf(order.get("status")))) {
                    return json("{\"errors\":{\"error\":\"order " + id + " is not open\"}}").code(400).build();
                }
                order.put("status", "canceled");
                return json("{\"order\":{\"id\":" + id + ",\"status\":\"ok\"}}").build();
            }
            gets.incrementAndGet();
            return json("{\"order\":" + toJson(order) + "}").build();
        }
        if (request.getMethod().equals("GET") && path.equals("/v1/markets/quotes")) {
            String symbols = request.getUrl().queryParameter("symbols");
            String symbol = symbols == null ? "AAPL" : symbols.split(",")[0];
            return json("{\"quotes\":{\"quote\":{\"symbol\":\"" + symbol + "\",\"description\":\"" + symbol
                    + "\",\"type\":\"stock\",\"bid\":187.1,\"ask\":187.2,\"last\":187.15,\"volume\":1000,"
                    + "\"bidsize\":1,\"asksize\":1}}}").build();
        }
        if (request.getMethod().equals("GET") && path.equals("/v1/accounts/" + ACCOUNT + "/balances")) {
            return json("{\"balances\":{\"account_number\":\"" + ACCOUNT + "\",\"account_type\":\"cash\","
                    + "\"total_equity\":100000.0,\"total_cash\":100000.0,\"cash\":{\"cash_available\":100000.0,"
                    + "\"sweep\":0,\"unsettled_funds\":0}}}").build();
        }
        return json("{\"errors\":{\"error\":\"not scripted: " + request.getMethod() + " " + path + "\"}}").code(404).build();
    }

    /** Moves an order: status, cumulative exec quantity, average price, reason. */
    public synchronized void set(String id, String status, double exec, double avg, String reason) {
        Map<String, Object> order = orders.get(id);
        order.put("status", status);
        order.put("exec_quantity", exec);
        order.put("avg_fill_price", avg);
        order.put("last_fill_price", avg);
        order.put("remaining_quantity", ((Double) order.get("quantity")) - exec);
        if (reason != null) {
            order.put("reason_description", reason);
        }
    }

    public synchronized String lastId() {
        return Integer.toString(sequence);
    }

    public synchronized int orderCount() {
        return orders.size();
    }

    private static MockResponse.Builder json(String body) {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body(body);
    }

    private static String toJson(Map<String, Object> order) {
        StringBuilder b = new StringBuilder("{");
        order.forEach((k, v) -> {
            if (b.length() > 1) {
                b.append(',');
            }
            b.append('"').append(k).append("\":");
            b.append(v instanceof String ? "\"" + v + "\"" : String.valueOf(v));
        });
        return b.append('}').toString();
    }

    private static Map<String, String> form(String body) {
        Map<String, String> form = new HashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return form;
    }

    @Override
    public void close() {
        server.close();
    }
}
