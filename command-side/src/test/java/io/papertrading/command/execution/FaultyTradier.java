package io.papertrading.command.execution;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * One Tradier account on a MockWebServer that misbehaves as Tradier and the networks in front of it do, at random
 * but reproducibly from a seed: 429s with and without rate headers, 500/502/503/504, answers slower than the
 * client's timeout, connections reset before or after the request, malformed JSON, orders accepted and then
 * rejected. Faults "before" leave the book untouched; faults "after" answer badly once the order book has already
 * changed, which is what makes an order POST's outcome unknown. The book keeps equity orders and OCO groups with
 * their tags; the test moves them (fills, partial fills, broker cancels and expiries) through {@link #orders}.
 */
final class FaultyTradier extends Dispatcher implements AutoCloseable {

    /** An order (or an OCO group, whose legs are orders) as Tradier would list it. */
    static final class Order {
        final int id;
        final String tag;
        final String type;
        final String side;
        final int quantity;
        final Double price;
        final List<Order> legs = new ArrayList<>();
        String status = "pending";
        int exec;
        double avgFillPrice;
        String reason;

        Order(int id, String tag, String type, String side, int quantity, Double price) {
            this.id = id;
            this.tag = tag;
            this.type = type;
            this.side = side;
            this.quantity = quantity;
            this.price = price;
        }

        boolean isWorking() {
            return switch (status) {
                case "pending", "open", "partially_filled" -> true;
                default -> false;
            };
        }

        /** Fills {@code more} at {@code at}, keeping the average price; fully filled orders are "filled". */
        void fill(int more, double at) {
            int add = Math.min(more, quantity - exec);
            if (add <= 0) {
                return;
            }
            avgFillPrice = (avgFillPrice * exec + at * add) / (exec + add);
            exec += add;
            status = exec == quantity ? "filled" : "partially_filled";
        }

        void end(String finalStatus, String why) {
            status = finalStatus;
            reason = why;
        }

        String json() {
            StringBuilder b = new StringBuilder("{\"id\":").append(id)
                    .append(",\"type\":\"").append(type).append('"')
                    .append(",\"symbol\":\"AAPL\",\"side\":\"").append(side).append('"')
                    .append(",\"quantity\":").append(quantity)
                    .append(",\"status\":\"").append(status).append('"')
                    .append(",\"duration\":\"day\"")
                    .append(",\"exec_quantity\":").append(exec)
                    .append(",\"remaining_quantity\":").append(quantity - exec)
                    .append(",\"avg_fill_price\":").append(avgFillPrice)
                    .append(",\"last_fill_price\":").append(avgFillPrice)
                    .append(",\"class\":\"").append(legs.isEmpty() ? "equity" : "oco").append('"')
                    .append(",\"create_date\":\"2024-03-01T15:00:00.000Z\"");
            if (price != null) {
                b.append(",\"price\":").append(price);
            }
            if (tag != null) {
                b.append(",\"tag\":\"").append(tag).append('"');
            }
            if (reason != null) {
                b.append(",\"reason_description\":\"").append(reason).append('"');
            }
            if (!legs.isEmpty()) {
                b.append(",\"num_legs\":").append(legs.size()).append(",\"leg\":[");
                for (int i = 0; i < legs.size(); i++) {
                    b.append(i == 0 ? "" : ",").append(legs.get(i).json());
                }
                b.append(']');
            }
            return b.append('}').toString();
        }
    }

    final String account;
    final MockWebServer server = new MockWebServer();
    /** The book, by order id; every order ever created, in creation order. */
    final Map<Integer, Order> orders = new LinkedHashMap<>();
    final Map<String, Integer> faultsServed = new HashMap<>();
    private final Random random;
    private final String ordersPath;
    private int sequence = 1000;
    /** Chance of a fault before the book is touched, and of one after it was, per request. */
    volatile double faultBefore;
    volatile double faultAfter;
    /** Chance that an accepted order is rejected downstream ("ok", then listed as rejected). */
    volatile double rejectAfterAccept;
    /** While true, every request is answered 503, as in an outage. */
    volatile boolean down;
    /** A client timeout the slow answers exceed. */
    private final long slowMillis;

    FaultyTradier(String account, long seed, long slowMillis) {
        this.account = account;
        this.random = new Random(seed);
        this.slowMillis = slowMillis;
        this.ordersPath = "/v1/accounts/" + account + "/orders";
        server.setDispatcher(this);
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String baseUrl() {
        return server.url("/v1").toString();
    }

    @Override
    public synchronized MockResponse dispatch(RecordedRequest request) {
        if (down) {
            return served("outage 503", status(503, "Service Unavailable"));
        }
        if (random.nextDouble() < faultBefore) {
            return faultBefore();
        }
        MockResponse answer = answer(request);
        if (random.nextDouble() < faultAfter) {
            return faultAfter(answer);
        }
        return answer;
    }

    private MockResponse faultBefore() {
        return switch (random.nextInt(4)) {
            case 0 -> served("429 with rate headers", new MockResponse.Builder().code(429)
                    .addHeader("X-Ratelimit-Available", "0")
                    .addHeader("X-Ratelimit-Expiry", Long.toString(System.currentTimeMillis() + 50)).build());
            case 1 -> served("429", status(429, "Too Many Requests"));
            case 2 -> served("503 before", status(503, "Service Unavailable"));
            default -> served("reset before the request is read", new MockResponse.Builder()
                    .onRequestStart(new SocketEffect.CloseSocket(true, true, true)).build());
        };
    }

    private MockResponse faultAfter(MockResponse answer) {
        return switch (random.nextInt(6)) {
            case 0 -> served("500 after", status(500, "Internal Server Error"));
            case 1 -> served("502 after", status(502, "<html>Bad Gateway</html>"));
            case 2 -> served("504 after", status(504, "<html>Gateway Timeout</html>"));
            case 3 -> served("slower than the timeout", answer.newBuilder()
                    .headersDelay(slowMillis, TimeUnit.MILLISECONDS).build());
            case 4 -> served("reset after the request", new MockResponse.Builder().code(200)
                    .onResponseStart(new SocketEffect.CloseSocket(true, true, true)).build());
            default -> served("malformed JSON", new MockResponse.Builder().code(200)
                    .addHeader("Content-Type", "application/json").body("{\"order\":{\"id\":").build());
        };
    }

    private MockResponse served(String fault, MockResponse response) {
        faultsServed.merge(fault, 1, Integer::sum);
        return response;
    }

    private MockResponse answer(RecordedRequest request) {
        String method = request.getMethod();
        String path = request.getUrl().encodedPath();
        if (method.equals("POST") && path.equals(ordersPath)) {
            return place(form(request.getBody() == null ? "" : request.getBody().utf8()));
        }
        if (method.equals("GET") && path.equals(ordersPath)) {
            String page = request.getUrl().queryParameter("page");
            if (orders.isEmpty() || (page != null && !page.equals("1"))) {
                return json("{\"orders\":\"null\"}");
            }
            StringBuilder b = new StringBuilder("{\"orders\":{\"order\":[");
            int i = 0;
            for (Order o : orders.values()) {
                b.append(i++ == 0 ? "" : ",").append(o.json());
            }
            return json(b.append("]}}").toString());
        }
        if (path.startsWith(ordersPath + "/")) {
            Order order = orders.get(Integer.parseInt(path.substring(ordersPath.length() + 1)));
            if (order == null) {
                return status(400, "{\"errors\":{\"error\":\"order not found\"}}");
            }
            if (method.equals("DELETE")) {
                if (!order.isWorking()) {
                    return status(400, "{\"errors\":{\"error\":\"order is not open\"}}");
                }
                order.end("canceled", "canceled by request");
                order.legs.stream().filter(Order::isWorking).forEach(l -> l.end("canceled", "canceled by request"));
                return json("{\"order\":{\"id\":" + order.id + ",\"status\":\"ok\"}}");
            }
            return json("{\"order\":" + order.json() + "}");
        }
        return status(404, "{\"errors\":{\"error\":\"not scripted: " + method + " " + path + "\"}}");
    }

    private MockResponse place(Map<String, String> form) {
        String tag = form.get("tag");
        Order order;
        if ("oco".equals(form.get("class"))) {
            order = new Order(++sequence, tag, "limit", form.get("side[0]"), Integer.parseInt(form.get("quantity[0]")), null);
            for (String i : new String[] {"[0]", "[1]"}) {
                String price = form.get("price" + i) != null ? form.get("price" + i) : form.get("stop" + i);
                order.legs.add(new Order(++sequence, tag, form.get("type" + i), form.get("side" + i),
                        Integer.parseInt(form.get("quantity" + i)), Double.parseDouble(price)));
            }
            order.status = "open";
            order.legs.forEach(l -> l.status = "open");
        } else {
            String price = form.get("price") != null ? form.get("price") : form.get("stop");
            order = new Order(++sequence, tag, form.get("type"), form.get("side"), Integer.parseInt(form.get("quantity")),
                    price == null ? null : Double.parseDouble(price));
            if (random.nextDouble() < rejectAfterAccept) {
                order.end("rejected", "Order rejected downstream: insufficient shares available to borrow");
            }
        }
        orders.put(order.id, order);
        return json("{\"order\":{\"id\":" + order.id + ",\"status\":\"ok\",\"partner_id\":\"3a8bbee1\"}}");
    }

    /** Orders carrying {@code tag}: at most one, if the engine never doubled an order. */
    synchronized List<Order> tagged(String tag) {
        return orders.values().stream().filter(o -> tag.equals(o.tag)).toList();
    }

    private static MockResponse json(String body) {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body(body).build();
    }

    private static MockResponse status(int code, String body) {
        return new MockResponse.Builder().code(code).body(body).build();
    }

    private static Map<String, String> form(String body) {
        Map<String, String> form = new HashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8).toLowerCase(Locale.ROOT),
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
