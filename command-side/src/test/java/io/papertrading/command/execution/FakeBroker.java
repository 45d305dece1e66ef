package io.papertrading.command.execution;

import io.papertrading.broker.Balance;
import io.papertrading.broker.BrokerException;
import io.papertrading.broker.BrokerProvider;
import io.papertrading.broker.ConnectionInfo;
import io.papertrading.broker.OcoRequest;
import io.papertrading.broker.OptionQuote;
import io.papertrading.broker.OrderRequest;
import io.papertrading.broker.OrderState;
import io.papertrading.broker.OrderStatusReport;
import io.papertrading.broker.PlacedOrder;
import io.papertrading.broker.Position;
import io.papertrading.broker.PriceType;
import io.papertrading.broker.Quote;
import io.papertrading.kernel.money.Money;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A scripted broker for saga tests: orders change state only when a test says so. */
class FakeBroker implements BrokerProvider {

    final Map<String, OrderStatusReport> orders = new LinkedHashMap<>();
    /** Orders the broker has not registered yet: neither listed nor found by tag. */
    final List<String> hidden = new ArrayList<>();
    /** Orders older than the account's list covers: found by id or tag, but not listed. */
    final List<String> pastListWindow = new ArrayList<>();
    final List<OrderRequest> placed = new ArrayList<>();
    final List<OcoRequest> ocos = new ArrayList<>();
    final List<String> canceled = new ArrayList<>();
    final Deque<RuntimeException> placeFailures = new ArrayDeque<>();
    final Deque<RuntimeException> listFailures = new ArrayDeque<>();
    /** A placement that times out after the order reached the broker. */
    boolean timeoutAfterLanding;
    /** A placement that fails like this after the order reached the broker (once). */
    RuntimeException failureAfterLanding;
    /** Cancels are accepted but the order keeps working (a cancel the broker has not completed yet). */
    boolean cancelsPending;
    /** New orders are accepted but not listed (the broker never acknowledges them). */
    boolean hideNewOrders;
    /** Answers lookups cheaply (as the simulated exchange does): no list budget to keep. */
    boolean cheap;
    /** Answers a placement with the order's report (as the simulated exchange does). */
    boolean answersWithOrder;
    /** Answers a placement whose tag it already holds with that order instead of placing (as the exchange does). */
    boolean oncePerTag;
    /** Placements answered with an order that already carried the tag. */
    int placementsAnsweredByTag;
    Money underlyingPrice = Money.of("100");
    int listCalls;
    int orderReads;
    int tagLookups;
    private int sequence = 100;

    @Override
    public synchronized PlacedOrder placeOrder(OrderRequest order) {
        if (!placeFailures.isEmpty()) {
            throw placeFailures.poll();
        }
        if (oncePerTag) {
            Optional<OrderStatusReport> earlier = orders.values().stream()
                    .filter(o -> order.tag().equals(o.tag())).findFirst();
            if (earlier.isPresent()) {
                placementsAnsweredByTag++;
                return new PlacedOrder(earlier.get().orderId(), order.tag(), earlier.get());
            }
        }
        placed.add(order);
        String id = Integer.toString(++sequence);
        orders.put(id, report(id, order.tag(), OrderState.OPEN, order.type(), order.quantity(), 0, null, null, List.of()));
        if (hideNewOrders) {
            hidden.add(id);
        }
        if (failureAfterLanding != null) {
            RuntimeException failure = failureAfterLanding;
            failureAfterLanding = null;
            throw failure;
        }
        if (timeoutAfterLanding) {
            timeoutAfterLanding = false;
            throw new io.papertrading.broker.BrokerTimeoutException("read timed out", null);
        }
        return new PlacedOrder(id, order.tag(), answersWithOrder ? orders.get(id) : null);
    }

    @Override
    public synchronized PlacedOrder placeOco(OcoRequest oco) {
        ocos.add(oco);
        String id = Integer.toString(++sequence);
        orders.put(id, report(id, oco.tag(), OrderState.OPEN, PriceType.LIMIT, oco.quantity(), 0, null, null, List.of(
                report(id + "-tp", oco.tag(), OrderState.OPEN, PriceType.LIMIT, oco.quantity(), 0, null, null, List.of()),
                report(id + "-sl", oco.tag(), OrderState.OPEN, PriceType.STOP, oco.quantity(), 0, null, null, List.of()))));
        return new PlacedOrder(id, oco.tag());
    }

    @Override
    public synchronized List<OrderStatusReport> listOrders() {
        listCalls++;
        if (!listFailures.isEmpty()) {
            throw listFailures.poll();
        }
        return orders.values().stream()
                .filter(o -> !hidden.contains(o.orderId()) && !pastListWindow.contains(o.orderId())).toList();
    }

    /** The broker's history, beyond the list's window. */
    @Override
    public synchronized Optional<OrderStatusReport> findOrderByTag(String tag) {
        tagLookups++;
        if (!listFailures.isEmpty()) {
            throw listFailures.poll();
        }
        return orders.values().stream().filter(o -> !hidden.contains(o.orderId()) && tag.equals(o.tag())).findFirst();
    }

    @Override
    public boolean answersLookupsCheaply() {
        return cheap;
    }

    @Override
    public boolean placesOncePerTag() {
        return oncePerTag;
    }

    @Override
    public synchronized OrderStatusReport getOrder(String orderId) {
        orderReads++;
        OrderStatusReport r = orders.get(orderId);
        if (r == null) {
            throw new BrokerException("no order " + orderId);
        }
        return r;
    }

    @Override
    public synchronized void cancelOrder(String orderId) {
        OrderStatusReport r = orders.get(orderId);
        if (r == null || r.state().isTerminal()) {
            throw new BrokerException("order " + orderId + " can no longer be canceled");
        }
        canceled.add(orderId);
        if (cancelsPending) {
            return;
        }
        // what filled before the cancel stays filled
        orders.put(orderId, report(orderId, r.tag(), OrderState.CANCELED, r.type(), r.quantity().intValue(),
                r.execQuantity().intValue(), r.avgFillPrice(), "canceled by request", r.legs()));
    }

    @Override
    public List<Quote> getQuotes(List<String> symbols) {
        return symbols.stream().map(s -> new Quote(s, s, underlyingPrice, underlyingPrice, underlyingPrice, null, null,
                null, null, null, null)).toList();
    }

    /** Moves an order to a state; exec quantity and price as the broker would report them. */
    synchronized void set(String orderId, OrderState state, int exec, String price, String reason) {
        OrderStatusReport r = orders.get(orderId);
        orders.put(orderId, report(orderId, r.tag(), state, r.type(), r.quantity().intValue(), exec,
                price == null ? null : Money.of(price), reason, r.legs()));
    }

    /** Fills one leg of an OCO: the group reads FILLED with both legs attached. */
    synchronized void fillLeg(String ocoId, PriceType legType, String price) {
        OrderStatusReport r = orders.get(ocoId);
        List<OrderStatusReport> legs = r.legs().stream().map(l -> l.type() == legType
                ? report(l.orderId(), l.tag(), OrderState.FILLED, l.type(), l.quantity().intValue(), l.quantity().intValue(), Money.of(price), null, List.of())
                : report(l.orderId(), l.tag(), OrderState.CANCELED, l.type(), l.quantity().intValue(), 0, null, "other leg executed", List.of())).toList();
        orders.put(ocoId, report(ocoId, r.tag(), OrderState.FILLED, legType, r.quantity().intValue(), r.quantity().intValue(),
                Money.of(price), null, legs));
    }

    /** One leg of an OCO fills in part; the group works on. */
    synchronized void partFillLeg(String ocoId, PriceType legType, int quantity, String price) {
        OrderStatusReport r = orders.get(ocoId);
        List<OrderStatusReport> legs = r.legs().stream().map(l -> l.type() == legType
                ? report(l.orderId(), l.tag(), OrderState.PARTIALLY_FILLED, l.type(), l.quantity().intValue(), quantity,
                        Money.of(price), null, List.of())
                : l).toList();
        orders.put(ocoId, report(ocoId, r.tag(), OrderState.PARTIALLY_FILLED, r.type(), r.quantity().intValue(), 0,
                null, null, legs));
    }

    /** Puts an order at the broker as if an earlier delivery had placed it. */
    synchronized String existing(String tag, OrderState state) {
        String id = Integer.toString(++sequence);
        orders.put(id, report(id, tag, state, PriceType.MARKET, 1, 0, null, null, List.of()));
        return id;
    }

    String lastId() {
        return Integer.toString(sequence);
    }

    private static OrderStatusReport report(String id, String tag, OrderState state, PriceType type, int qty, int exec,
                                            Money avg, String reason, List<OrderStatusReport> legs) {
        return new OrderStatusReport(id, state, "AAPL", null, null, type, BigDecimal.valueOf(qty), BigDecimal.valueOf(exec),
                BigDecimal.valueOf(qty - exec), avg, avg, tag, reason, null, legs);
    }

    @Override
    public List<OptionQuote> getOptionChain(String symbol, LocalDate expiration, boolean greeks) {
        return List.of();
    }

    @Override
    public List<LocalDate> getExpirations(String symbol) {
        return List.of();
    }

    @Override
    public Balance getBalance() {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<Position> getPositions() {
        return List.of();
    }

    @Override
    public ConnectionInfo testConnection() {
        return new ConnectionInfo(true, "fake", List.of("fake"), "paper", "fake");
    }
}
