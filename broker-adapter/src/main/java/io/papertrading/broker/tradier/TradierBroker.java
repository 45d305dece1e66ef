package io.papertrading.broker.tradier;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.papertrading.broker.Balance;
import io.papertrading.broker.BrokerException;
import io.papertrading.broker.BrokerOrderRejectedException;
import io.papertrading.broker.BrokerOutcomeUnknownException;
import io.papertrading.broker.BrokerProvider;
import io.papertrading.broker.ConnectionInfo;
import io.papertrading.broker.OcoRequest;
import io.papertrading.broker.OptionQuote;
import io.papertrading.broker.OrderRequest;
import io.papertrading.broker.OrderStatusReport;
import io.papertrading.broker.PlacedOrder;
import io.papertrading.broker.Position;
import io.papertrading.broker.Quote;

import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link BrokerProvider} over Tradier's brokerage REST API. One instance per access token: its rate limiters
 * and circuit breaker model that token's budget at Tradier, so build it once and share it (see
 * {@code BrokerFactory}). Thread-safe.
 */
public final class TradierBroker implements BrokerProvider {

    /** Orders per page of the history lookup, and how many pages it reads at most. */
    static final int HISTORY_PAGE_SIZE = 100;
    static final int MAX_HISTORY_PAGES = 20;

    private final TradierConfig config;
    private final TradierHttp http;
    private final String accountPath;

    public TradierBroker(TradierConfig config) {
        this(config, null);
    }

    /** A broker whose circuit breaker ({@code tradier:<accountId>}) lives in {@code breakers}, for health checks. */
    public TradierBroker(TradierConfig config, CircuitBreakerRegistry breakers) {
        this.config = Objects.requireNonNull(config, "config");
        this.http = new TradierHttp(config, breakers);
        this.accountPath = "accounts/" + config.accountId();
    }

    @Override
    public List<Quote> getQuotes(List<String> symbols) {
        if (symbols.isEmpty()) {
            return List.of();
        }
        JsonNode root = http.get(RateLimitGroup.MARKET_DATA, "markets/quotes",
                Map.of("symbols", String.join(",", symbols), "greeks", "true"));
        return TradierMapper.quotes(root);
    }

    @Override
    public List<OptionQuote> getOptionChain(String symbol, LocalDate expiration, boolean greeks) {
        JsonNode root = http.get(RateLimitGroup.MARKET_DATA, "markets/options/chains",
                ordered("symbol", symbol, "expiration", expiration.toString(), "greeks", Boolean.toString(greeks)));
        return TradierMapper.chain(root);
    }

    @Override
    public List<LocalDate> getExpirations(String symbol) {
        JsonNode root = http.get(RateLimitGroup.MARKET_DATA, "markets/options/expirations", Map.of("symbol", symbol));
        return TradierMapper.expirations(root);
    }

    @Override
    public PlacedOrder placeOrder(OrderRequest order) {
        return placed(http.post(RateLimitGroup.TRADING, accountPath + "/orders", TradierForms.order(order),
                BrokerOrderRejectedException::forReason), order.tag());
    }

    @Override
    public PlacedOrder placeOco(OcoRequest oco) {
        return placed(http.post(RateLimitGroup.TRADING, accountPath + "/orders", TradierForms.oco(oco),
                BrokerOrderRejectedException::forReason), oco.tag());
    }

    /**
     * "ok" only means Tradier accepted the request for processing; another status is a refusal. An answer
     * without an order id cannot say whether the order exists.
     */
    private static PlacedOrder placed(JsonNode root, String tag) {
        JsonNode order = root.path("order");
        String id = TradierJson.text(order, "id");
        String status = TradierJson.text(order, "status");
        if (id == null) {
            throw new BrokerOutcomeUnknownException("Tradier answered the order without an id; its outcome is unknown");
        }
        if (!"ok".equalsIgnoreCase(status)) {
            throw BrokerOrderRejectedException.forReason("Tradier did not accept the order (status " + status + ")");
        }
        return new PlacedOrder(id, tag);
    }

    /**
     * Places the order, waits the configured confirmation delay (Tradier runs its downstream checks after
     * answering "ok"), then reads the status: a rejection surfaces as {@link BrokerOrderRejectedException} with
     * Tradier's {@code reason_description}.
     */
    @Override
    public OrderStatusReport placeOrderAndConfirm(OrderRequest order) {
        PlacedOrder placed = placeOrder(order);
        if (!config.tuning().confirmDelay().isZero()) {
            config.tuning().sleeper().sleep(config.tuning().confirmDelay());
        }
        return confirmed(getOrder(placed.orderId()));
    }

    private static OrderStatusReport confirmed(OrderStatusReport status) {
        return switch (status.state()) {
            case REJECTED, ERROR -> throw BrokerOrderRejectedException.forReason(status.reasonDescription());
            default -> status;
        };
    }

    @Override
    public OrderStatusReport getOrder(String orderId) {
        JsonNode root = http.get(RateLimitGroup.STANDARD, accountPath + "/orders/" + segment(orderId),
                Map.of("includeTags", "true"));
        JsonNode order = root.path("order");
        if (!order.isObject()) {
            throw new BrokerException("Tradier returned no order for id " + orderId);
        }
        return TradierMapper.order(order);
    }

    @Override
    public List<OrderStatusReport> listOrders() {
        return TradierMapper.orders(http.get(RateLimitGroup.STANDARD, accountPath + "/orders",
                Map.of("includeTags", "true")));
    }

    /**
     * The session's list first, where a fresh order is; then Tradier's history ({@code filter=all}: up to a month),
     * page by page, so a placement reconciled after a long outage still finds its order. A history longer than
     * {@value #MAX_HISTORY_PAGES} pages cannot prove the order absent and is an unknown outcome.
     */
    @Override
    public Optional<OrderStatusReport> findOrderByTag(String tag) {
        Optional<OrderStatusReport> recent = BrokerProvider.super.findOrderByTag(tag);
        if (recent.isPresent()) {
            return recent;
        }
        for (int page = 1; page <= MAX_HISTORY_PAGES; page++) {
            List<OrderStatusReport> orders = TradierMapper.orders(http.get(RateLimitGroup.STANDARD,
                    accountPath + "/orders", Map.of("includeTags", "true", "filter", "all",
                            "page", Integer.toString(page), "limit", Integer.toString(HISTORY_PAGE_SIZE))));
            Optional<OrderStatusReport> found = withTag(orders, tag);
            if (found.isPresent() || orders.size() < HISTORY_PAGE_SIZE) {
                return found;
            }
        }
        throw new BrokerOutcomeUnknownException("the account's order history is too long to look for order " + tag);
    }

    private static Optional<OrderStatusReport> withTag(List<OrderStatusReport> orders, String tag) {
        return orders.stream().filter(o -> tag.equals(o.tag())).findFirst();
    }

    @Override
    public void cancelOrder(String orderId) {
        http.delete(RateLimitGroup.TRADING, accountPath + "/orders/" + segment(orderId),
                reason -> new BrokerException("Tradier refused to cancel order " + orderId + ": " + reason));
    }

    @Override
    public Balance getBalance() {
        return TradierMapper.balance(http.get(RateLimitGroup.STANDARD, accountPath + "/balances", Map.of()));
    }

    @Override
    public List<Position> getPositions() {
        return TradierMapper.positions(http.get(RateLimitGroup.STANDARD, accountPath + "/positions", Map.of()));
    }

    @Override
    public ConnectionInfo testConnection() {
        return TradierMapper.connection(http.get(RateLimitGroup.STANDARD, "user/profile", Map.of()),
                config.accountId());
    }

    private static Map<String, String> ordered(String... keyValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put(keyValues[i], keyValues[i + 1]);
        }
        return map;
    }

    /** Order ids are Tradier's digits; anything else would change the path, so refuse it. */
    private static String segment(String orderId) {
        if (orderId == null || !orderId.matches("[A-Za-z0-9-]+")) {
            throw new IllegalArgumentException("not a broker order id: " + orderId);
        }
        return orderId;
    }

    @Override
    public String toString() {
        return "TradierBroker[" + config.baseUrl() + ", account " + config.accountId() + "]";
    }
}
