package io.papertrading.broker.simulated;

import io.papertrading.broker.Balance;
import io.papertrading.broker.BrokerException;
import io.papertrading.broker.BrokerProvider;
import io.papertrading.broker.ConnectionInfo;
import io.papertrading.broker.OcoRequest;
import io.papertrading.broker.OptionQuote;
import io.papertrading.broker.OrderRequest;
import io.papertrading.broker.OrderSide;
import io.papertrading.broker.OrderState;
import io.papertrading.broker.OrderStatusReport;
import io.papertrading.broker.PlacedOrder;
import io.papertrading.broker.Position;
import io.papertrading.broker.PriceType;
import io.papertrading.broker.Quote;
import io.papertrading.broker.TimeInForce;
import io.papertrading.kernel.instrument.Instrument;
import io.papertrading.kernel.money.Money;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * One simulated brokerage account trading on a shared {@link SimulatedMarket}; no network. Orders are evaluated
 * lazily: every call first brings the account up to the market clock's now, filling working orders that are
 * marketable (after the fill latency, during market hours, at most the displayed size per evaluation instant),
 * expiring DAY orders and options, and settling expired options at intrinsic value. Thread-safe.
 */
public final class SimulatedBroker implements BrokerProvider {

    private final SimulatedMarket market;
    private final String accountId;
    private final SimulationSettings settings;
    private final Object lock = new Object();
    private final Ledger ledger;
    /** Single orders and OCO legs, in placement order. */
    private final Map<String, SimOrder> orders = new LinkedHashMap<>();
    /** OCO group id to its two legs. */
    private final Map<String, List<SimOrder>> ocoGroups = new LinkedHashMap<>();
    /** What listOrders shows: single orders and OCO groups, not the legs on their own. */
    private final List<String> listed = new ArrayList<>();

    public SimulatedBroker(SimulatedMarket market, String accountId, SimulationSettings settings) {
        this.market = Objects.requireNonNull(market, "market");
        this.accountId = Objects.requireNonNull(accountId, "accountId");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.ledger = new Ledger(settings.startingCash());
    }

    @Override
    public List<Quote> getQuotes(List<String> symbols) {
        return symbols.stream().map(market::quote).filter(Objects::nonNull).toList();
    }

    @Override
    public List<OptionQuote> getOptionChain(String symbol, LocalDate expiration, boolean greeks) {
        return market.chain(symbol, expiration, greeks);
    }

    @Override
    public List<LocalDate> getExpirations(String symbol) {
        return market.expirations(symbol);
    }

    /** Accepts every well-formed order; one that cannot be honoured is recorded as REJECTED with a reason. */
    @Override
    public PlacedOrder placeOrder(OrderRequest order) {
        synchronized (lock) {
            Instant now = advance();
            SimOrder placed = open(order, null, now);
            listed.add(placed.id);
            return new PlacedOrder(placed.id, order.tag());
        }
    }

    @Override
    public PlacedOrder placeOco(OcoRequest oco) {
        synchronized (lock) {
            Instant now = advance();
            String groupId = Long.toString(market.nextOrderId());
            SimOrder limit = open(oco.limitLeg(), groupId, now);
            SimOrder stop = open(oco.stopLeg(), groupId, now);
            // A bracket is all or nothing: if one leg is refused, the other must not work alone.
            if (!limit.isWorking() && stop.isWorking()) {
                stop.close(OrderState.CANCELED, "other leg of the OCO was rejected");
            } else if (!stop.isWorking() && limit.isWorking()) {
                limit.close(OrderState.CANCELED, "other leg of the OCO was rejected");
            }
            ocoGroups.put(groupId, List.of(limit, stop));
            listed.add(groupId);
            return new PlacedOrder(groupId, oco.tag());
        }
    }

    @Override
    public OrderStatusReport getOrder(String orderId) {
        synchronized (lock) {
            advance();
            return report(orderId);
        }
    }

    @Override
    public List<OrderStatusReport> listOrders() {
        synchronized (lock) {
            advance();
            return listed.stream().map(this::report).toList();
        }
    }

    @Override
    public void cancelOrder(String orderId) {
        synchronized (lock) {
            advance();
            List<SimOrder> targets = ocoGroups.containsKey(orderId) ? ocoGroups.get(orderId) : List.of(order(orderId));
            if (targets.stream().noneMatch(SimOrder::isWorking)) {
                throw new BrokerException("order " + orderId + " can no longer be canceled: it is "
                        + report(orderId).state());
            }
            targets.stream().filter(SimOrder::isWorking).forEach(o -> o.close(OrderState.CANCELED, "canceled by request"));
        }
    }

    @Override
    public Balance getBalance() {
        synchronized (lock) {
            Instant now = advance();
            Function<String, BigDecimal> mark = symbol -> mark(symbol, now);
            BigDecimal equity = ledger.cash().add(ledger.marketValue(mark));
            Money buyingPower = cents(buyingPower(now));
            return new Balance(accountId, "paper", cents(equity), cents(ledger.cash()), buyingPower, buyingPower);
        }
    }

    @Override
    public List<Position> getPositions() {
        synchronized (lock) {
            advance();
            return ledger.positions();
        }
    }

    @Override
    public ConnectionInfo testConnection() {
        return new ConnectionInfo(true, accountId, List.of(accountId), "paper", "Simulated account");
    }

    @Override
    public String toString() {
        return "SimulatedBroker[" + accountId + "]";
    }

    private SimOrder open(OrderRequest request, String parentId, Instant now) {
        Instant deadline = request.duration() == TimeInForce.DAY ? settings.marketHours().dayOrderDeadline(now) : null;
        Instrument instrument = request.instrument();
        if (instrument.isOption()) {
            Instant expiry = SimulatedMarket.expiryInstant(instrument.optionSymbol());
            deadline = deadline == null || expiry.isBefore(deadline) ? expiry : deadline;
        }
        SimOrder order = new SimOrder(Long.toString(market.nextOrderId()), request, now, deadline, parentId);
        String refusal = refusal(request, now);
        if (refusal != null) {
            order.close(OrderState.REJECTED, refusal);
        }
        orders.put(order.id, order);
        return order;
    }

    /** Why the order cannot be accepted, or null. */
    private String refusal(OrderRequest request, Instant now) {
        Instrument instrument = request.instrument();
        String symbol = instrument.tradedSymbol();
        Quote quote = market.quoteAt(symbol, now);
        if (quote == null) {
            return "unknown symbol " + symbol;
        }
        if (instrument.isOption() && !SimulatedMarket.expiryInstant(instrument.optionSymbol()).isAfter(now)) {
            return "option " + symbol + " expired on " + instrument.optionSymbol().expiry();
        }
        OrderSide side = request.side();
        if (side.isOpening()) {
            BigDecimal needed = estimatedPrice(request, quote).multiply(BigDecimal.valueOf(request.quantity()))
                    .multiply(instrument.multiplier());
            BigDecimal available = buyingPower(now);
            if (needed.compareTo(available) > 0) {
                return "insufficient buying power: the order needs $" + cents(needed) + ", buying power is $"
                        + cents(available);
            }
            return null;
        }
        BigDecimal closable = closable(side, symbol);
        if (closable.compareTo(BigDecimal.valueOf(request.quantity())) < 0) {
            return "no position of " + request.quantity() + " in " + symbol + " to close (holding "
                    + ledger.quantity(symbol).stripTrailingZeros().toPlainString() + ")";
        }
        return null;
    }

    /** Brings the account to the market clock's now; returns that now. */
    private Instant advance() {
        Instant now = market.now();
        for (SimOrder order : orders.values()) {
            if (order.isWorking()) {
                evaluate(order, now);
            }
        }
        ledger.settleExpired(now, contract -> market.price(contract.root(), SimulatedMarket.expiryInstant(contract)));
        return now;
    }

    private void evaluate(SimOrder order, Instant now) {
        boolean pastDeadline = order.deadline != null && !now.isBefore(order.deadline);
        // An order read only after its deadline still gets its last chance to fill before it.
        tryFill(order, pastDeadline ? order.deadline.minusMillis(1) : now);
        if (pastDeadline && order.isWorking()) {
            order.close(OrderState.EXPIRED, order.request.instrument().isOption()
                    && order.deadline.equals(SimulatedMarket.expiryInstant(order.request.instrument().optionSymbol()))
                    ? "option expired" : "day order expired at the end of the session");
        }
    }

    private void tryFill(SimOrder order, Instant at) {
        if (at.isBefore(order.createdAt.plus(settings.fillLatency())) || !settings.marketHours().isOpen(at)
                || (order.lastFillAt() != null && !at.isAfter(order.lastFillAt()))) {
            return;
        }
        OrderRequest request = order.request;
        Quote quote = market.quoteAt(request.instrument().tradedSymbol(), at);
        boolean buy = request.side().isBuy();
        if (!marketable(order, quote, buy)) {
            return;
        }
        BigDecimal price = (buy ? quote.ask() : quote.bid()).amount();
        int slice = (int) Math.min(order.remaining(), buy ? quote.askSize() : quote.bidSize());
        if (!request.side().isOpening()) {
            slice = Math.min(slice, closable(request.side(), request.instrument().tradedSymbol()).intValue());
            if (slice <= 0) {
                order.close(OrderState.CANCELED, "position already closed");
                cancelSiblings(order);
                return;
            }
        } else {
            BigDecimal cost = price.multiply(BigDecimal.valueOf(slice)).multiply(request.instrument().multiplier());
            if (cost.compareTo(freeCash(at)) > 0) {
                order.close(order.filled() > 0 ? OrderState.CANCELED : OrderState.REJECTED,
                        "insufficient buying power to fill at $" + price.toPlainString());
                return;
            }
        }
        ledger.fill(request.instrument(), buy, slice, price, at);
        order.recordFill(slice, price, at);
        cancelSiblings(order);
    }

    private void cancelSiblings(SimOrder order) {
        if (order.parentId == null) {
            return;
        }
        for (SimOrder sibling : ocoGroups.getOrDefault(order.parentId, List.of())) {
            if (sibling != order && sibling.isWorking()) {
                sibling.close(OrderState.CANCELED, "other leg of the OCO executed");
            }
        }
    }

    private static boolean marketable(SimOrder order, Quote quote, boolean buy) {
        OrderRequest request = order.request;
        BigDecimal bid = quote.bid().amount();
        BigDecimal ask = quote.ask().amount();
        return switch (request.type()) {
            case MARKET -> true;
            case LIMIT -> buy ? ask.compareTo(request.limitPrice().amount()) <= 0
                    : bid.compareTo(request.limitPrice().amount()) >= 0;
            case STOP -> order.stopTriggered(buy ? ask.compareTo(request.stopPrice().amount()) >= 0
                    : bid.compareTo(request.stopPrice().amount()) <= 0);
        };
    }

    /** The price an order is expected to pay, for reserving buying power. */
    private static BigDecimal estimatedPrice(OrderRequest request, Quote quote) {
        if (request.type() == PriceType.LIMIT) {
            return request.limitPrice().amount();
        }
        if (request.type() == PriceType.STOP) {
            return request.stopPrice().amount();
        }
        return (request.side().isBuy() ? quote.ask() : quote.bid()).amount();
    }

    /** Cash not backing short positions. */
    private BigDecimal freeCash(Instant at) {
        return ledger.cash().subtract(ledger.shortLiability(symbol -> mark(symbol, at)));
    }

    /** Free cash less what working opening orders may still spend. */
    private BigDecimal buyingPower(Instant at) {
        BigDecimal reserved = BigDecimal.ZERO;
        for (SimOrder order : orders.values()) {
            if (order.isWorking() && order.request.side().isOpening()) {
                Quote quote = market.quoteAt(order.request.instrument().tradedSymbol(), at);
                reserved = reserved.add(estimatedPrice(order.request, quote)
                        .multiply(BigDecimal.valueOf(order.remaining()))
                        .multiply(order.request.instrument().multiplier()));
            }
        }
        return freeCash(at).subtract(reserved);
    }

    private BigDecimal closable(OrderSide side, String symbol) {
        BigDecimal held = ledger.quantity(symbol);
        BigDecimal closable = side.isBuy() ? held.negate() : held;
        return closable.max(BigDecimal.ZERO);
    }

    private BigDecimal mark(String symbol, Instant at) {
        Money mark = market.quoteAt(symbol, at).mark();
        return mark == null ? BigDecimal.ZERO : mark.amount();
    }

    private SimOrder order(String orderId) {
        SimOrder order = orders.get(orderId);
        if (order == null) {
            throw new BrokerException("no simulated order " + orderId + " in account " + accountId);
        }
        return order;
    }

    private OrderStatusReport report(String orderId) {
        List<SimOrder> legs = ocoGroups.get(orderId);
        return legs == null ? order(orderId).report() : ocoReport(orderId, legs);
    }

    /** An OCO group reads as its leg that executed (or the first leg while both work), with both legs attached. */
    private static OrderStatusReport ocoReport(String groupId, List<SimOrder> legs) {
        SimOrder active = legs.stream().filter(l -> l.filled() > 0).findFirst().orElse(legs.get(0));
        OrderState state;
        String reason = null;
        if (active.filled() > 0) {
            // A leg canceled after a partial fill (its position was closed elsewhere) reports as canceled.
            state = active.isWorking() ? OrderState.PARTIALLY_FILLED : active.state();
            reason = active.reason();
        } else if (legs.stream().anyMatch(SimOrder::isWorking)) {
            state = OrderState.OPEN;
        } else {
            SimOrder decisive = legs.stream().filter(l -> l.state() != OrderState.CANCELED).findFirst()
                    .orElse(legs.get(0));
            state = decisive.state();
            reason = decisive.reason();
        }
        return active.report(groupId, state, reason, legs.stream().map(SimOrder::report).toList());
    }

    private static Money cents(BigDecimal amount) {
        return new Money(amount.setScale(2, RoundingMode.HALF_EVEN));
    }
}
