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
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * One simulated brokerage account trading on a shared {@link SimulatedMarket}; no network. The account's cash,
 * holdings and orders live in its {@link SimulatedBooks}: in memory, or in PostgreSQL where they survive restarts
 * and every node shares them. Orders are evaluated lazily: every call first brings the account up to the market
 * clock's now, filling working orders that are marketable (after the fill latency, during market hours, at most
 * the displayed size per evaluation instant), expiring DAY orders and options, and settling expired options at
 * intrinsic value. Thread-safe: the books hold the account exclusively for each call.
 */
public final class SimulatedBroker implements BrokerProvider {

    /** How long a finished order stays in {@link #listOrders()}; it stays readable by id for ever. */
    public static final Duration LIST_WINDOW = Duration.ofDays(1);

    private final SimulatedMarket market;
    private final String accountId;
    private final SimulationSettings settings;
    private final SimulatedBooks books;

    /** An account whose books live in this process's memory only. */
    public SimulatedBroker(SimulatedMarket market, String accountId, SimulationSettings settings) {
        this(market, accountId, settings, SimulatedBooks.inMemory());
    }

    public SimulatedBroker(SimulatedMarket market, String accountId, SimulationSettings settings,
                           SimulatedBooks books) {
        this.market = Objects.requireNonNull(market, "market");
        this.accountId = Objects.requireNonNull(accountId, "accountId");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.books = Objects.requireNonNull(books, "books");
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

    /**
     * Accepts every well-formed order; one that cannot be honoured is recorded as REJECTED with a reason. An order
     * whose tag the account already carries is not placed again: the answer is that order ({@link #placesOncePerTag}).
     */
    @Override
    public PlacedOrder placeOrder(OrderRequest order) {
        return inAccount(book -> {
            Instant now = advance(book);
            PlacedOrder earlier = alreadyTagged(book, order.tag());
            if (earlier != null) {
                return earlier;
            }
            SimOrder placed = open(book, order, null, now);
            if (placed.isWorking()) {
                evaluate(book, placed, now); // without a fill latency, a marketable order fills as it arrives
            }
            return new PlacedOrder(placed.id, order.tag(), placed.report());
        });
    }

    @Override
    public PlacedOrder placeOco(OcoRequest oco) {
        return inAccount(book -> {
            Instant now = advance(book);
            PlacedOrder earlier = alreadyTagged(book, oco.tag());
            if (earlier != null) {
                return earlier;
            }
            String groupId = book.nextOrderId();
            SimOrder limit = open(book, oco.limitLeg(), groupId, now);
            SimOrder stop = open(book, oco.stopLeg(), groupId, now);
            // A bracket is all or nothing: if one leg is refused, the other must not work alone.
            if (!limit.isWorking() && stop.isWorking()) {
                stop.close(OrderState.CANCELED, "other leg of the OCO was rejected", now);
            } else if (!stop.isWorking() && limit.isWorking()) {
                limit.close(OrderState.CANCELED, "other leg of the OCO was rejected", now);
            }
            return new PlacedOrder(groupId, oco.tag());
        });
    }

    @Override
    public OrderStatusReport getOrder(String orderId) {
        return inAccount(book -> {
            advance(book);
            return report(book, orderId);
        });
    }

    /** Working orders, and finished ones that changed within {@link #LIST_WINDOW}: like a broker's day list. */
    @Override
    public List<OrderStatusReport> listOrders() {
        return inAccount(book -> {
            Instant now = advance(book);
            return book.listed(now.minus(LIST_WINDOW)).stream().map(id -> report(book, id)).toList();
        });
    }

    /** One indexed read of the exchange's own books: no request budget to spare. */
    @Override
    public boolean answersLookupsCheaply() {
        return true;
    }

    @Override
    public boolean placesOncePerTag() {
        return true;
    }

    /** The order (or OCO group) already carrying {@code tag}, as a placement's answer; null when there is none. */
    private PlacedOrder alreadyTagged(AccountBook book, String tag) {
        String id = tag == null ? null : book.listedIdByTag(tag);
        return id == null ? null : new PlacedOrder(id, tag, report(book, id));
    }

    /** Finds the order by its tag whether or not lists still show it. */
    @Override
    public Optional<OrderStatusReport> findOrderByTag(String tag) {
        Objects.requireNonNull(tag, "tag");
        if (!books.hasOrderTagged(accountId, tag)) {
            return Optional.empty(); // nothing to advance for an order never placed: the books stay closed
        }
        return inAccount(book -> {
            advance(book);
            String id = book.listedIdByTag(tag);
            return id == null ? Optional.empty() : Optional.of(report(book, id));
        });
    }

    @Override
    public void cancelOrder(String orderId) {
        inAccount(book -> {
            Instant now = advance(book);
            List<SimOrder> legs = book.legs(orderId);
            List<SimOrder> targets = legs.isEmpty() ? List.of(order(book, orderId)) : legs;
            if (targets.stream().noneMatch(SimOrder::isWorking)) {
                throw new BrokerException("order " + orderId + " can no longer be canceled: it is "
                        + report(book, orderId).state());
            }
            targets.stream().filter(SimOrder::isWorking)
                    .forEach(o -> o.close(OrderState.CANCELED, "canceled by request", now));
            return null;
        });
    }

    @Override
    public Balance getBalance() {
        // a snapshot: a balance asked before an order (the risk check) must not queue behind the desk's work on
        // the account; the exchange checks buying power again, holding the account, when the order arrives
        return books.readAccount(accountId, settings.startingCash(), book -> {
            Instant now = advance(book);
            Ledger ledger = book.ledger();
            Function<String, BigDecimal> mark = symbol -> mark(symbol, now);
            BigDecimal equity = ledger.cash().add(ledger.marketValue(mark));
            Money buyingPower = cents(buyingPower(book, now));
            return new Balance(accountId, "paper", cents(equity), cents(ledger.cash()), buyingPower, buyingPower);
        });
    }

    @Override
    public List<Position> getPositions() {
        return inAccount(book -> {
            advance(book);
            return book.ledger().positions();
        });
    }

    @Override
    public ConnectionInfo testConnection() {
        return new ConnectionInfo(true, accountId, List.of(accountId), "paper", "Simulated account");
    }

    @Override
    public String toString() {
        return "SimulatedBroker[" + accountId + "]";
    }

    private <T> T inAccount(Function<AccountBook, T> work) {
        return books.withAccount(accountId, settings.startingCash(), work);
    }

    private SimOrder open(AccountBook book, OrderRequest request, String parentId, Instant now) {
        Instant deadline = request.duration() == TimeInForce.DAY ? settings.marketHours().dayOrderDeadline(now) : null;
        Instrument instrument = request.instrument();
        if (instrument.isOption()) {
            Instant expiry = SimulatedMarket.expiryInstant(instrument.optionSymbol());
            deadline = deadline == null || expiry.isBefore(deadline) ? expiry : deadline;
        }
        SimOrder order = new SimOrder(book.nextOrderId(), request, now, deadline, parentId);
        String refusal = refusal(book, request, now);
        if (refusal != null) {
            order.close(OrderState.REJECTED, refusal, now);
        }
        book.add(order);
        return order;
    }

    /** Why the order cannot be accepted, or null. */
    private String refusal(AccountBook book, OrderRequest request, Instant now) {
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
            BigDecimal available = buyingPower(book, now);
            if (needed.compareTo(available) > 0) {
                return "insufficient buying power: the order needs $" + cents(needed) + ", buying power is $"
                        + cents(available);
            }
            return null;
        }
        BigDecimal closable = closable(book.ledger(), side, symbol);
        if (closable.compareTo(BigDecimal.valueOf(request.quantity())) < 0) {
            return "no position of " + request.quantity() + " in " + symbol + " to close (holding "
                    + book.ledger().quantity(symbol).stripTrailingZeros().toPlainString() + ")";
        }
        return null;
    }

    /** Brings the account to the market clock's now; returns that now. */
    private Instant advance(AccountBook book) {
        Instant now = market.now();
        for (SimOrder order : book.working()) {
            if (order.isWorking()) { // an earlier fill may have canceled its OCO sibling
                evaluate(book, order, now);
            }
        }
        book.ledger().settleExpired(now, contract -> market.price(contract.root(), SimulatedMarket.expiryInstant(contract)));
        return now;
    }

    private void evaluate(AccountBook book, SimOrder order, Instant now) {
        boolean pastDeadline = order.deadline != null && !now.isBefore(order.deadline);
        // An order read only after its deadline still gets its last chance to fill before it.
        tryFill(book, order, pastDeadline ? order.deadline.minusMillis(1) : now);
        if (pastDeadline && order.isWorking()) {
            order.close(OrderState.EXPIRED, order.request.instrument().isOption()
                    && order.deadline.equals(SimulatedMarket.expiryInstant(order.request.instrument().optionSymbol()))
                    ? "option expired" : "day order expired at the end of the session", order.deadline);
        }
    }

    private void tryFill(AccountBook book, SimOrder order, Instant at) {
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
            slice = Math.min(slice, closable(book.ledger(), request.side(), request.instrument().tradedSymbol())
                    .intValue());
            if (slice <= 0) {
                order.close(OrderState.CANCELED, "position already closed", at);
                cancelSiblings(book, order, at);
                return;
            }
        } else {
            BigDecimal cost = price.multiply(BigDecimal.valueOf(slice)).multiply(request.instrument().multiplier());
            if (cost.compareTo(freeCash(book.ledger(), at)) > 0) {
                order.close(order.filled() > 0 ? OrderState.CANCELED : OrderState.REJECTED,
                        "insufficient buying power to fill at $" + price.toPlainString(), at);
                return;
            }
        }
        book.ledger().fill(request.instrument(), buy, slice, price, at);
        order.recordFill(slice, price, at);
        cancelSiblings(book, order, at);
    }

    private static void cancelSiblings(AccountBook book, SimOrder order, Instant at) {
        if (order.parentId == null) {
            return;
        }
        // Working legs are in hand already; a finished one needs no cancel.
        for (SimOrder sibling : book.working()) {
            if (sibling != order && order.parentId.equals(sibling.parentId) && sibling.isWorking()) {
                sibling.close(OrderState.CANCELED, "other leg of the OCO executed", at);
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
    private BigDecimal freeCash(Ledger ledger, Instant at) {
        return ledger.cash().subtract(ledger.shortLiability(symbol -> mark(symbol, at)));
    }

    /** Free cash less what working opening orders may still spend. */
    private BigDecimal buyingPower(AccountBook book, Instant at) {
        BigDecimal reserved = BigDecimal.ZERO;
        for (SimOrder order : book.working()) {
            if (order.isWorking() && order.request.side().isOpening()) {
                Quote quote = market.quoteAt(order.request.instrument().tradedSymbol(), at);
                reserved = reserved.add(estimatedPrice(order.request, quote)
                        .multiply(BigDecimal.valueOf(order.remaining()))
                        .multiply(order.request.instrument().multiplier()));
            }
        }
        return freeCash(book.ledger(), at).subtract(reserved);
    }

    private static BigDecimal closable(Ledger ledger, OrderSide side, String symbol) {
        BigDecimal held = ledger.quantity(symbol);
        BigDecimal closable = side.isBuy() ? held.negate() : held;
        return closable.max(BigDecimal.ZERO);
    }

    private BigDecimal mark(String symbol, Instant at) {
        Money mark = market.quoteAt(symbol, at).mark();
        return mark == null ? BigDecimal.ZERO : mark.amount();
    }

    private SimOrder order(AccountBook book, String orderId) {
        SimOrder order = book.find(orderId);
        if (order == null) {
            throw noSuchOrder(orderId);
        }
        return order;
    }

    private BrokerException noSuchOrder(String orderId) {
        return new BrokerException("no simulated order " + orderId + " in account " + accountId);
    }

    private OrderStatusReport report(AccountBook book, String orderId) {
        SimOrder order = book.find(orderId);
        if (order != null) {
            return order.report();
        }
        List<SimOrder> legs = book.legs(orderId);
        if (legs.isEmpty()) {
            throw noSuchOrder(orderId);
        }
        return ocoReport(orderId, legs);
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
