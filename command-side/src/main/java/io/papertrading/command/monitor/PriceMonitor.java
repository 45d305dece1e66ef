package io.papertrading.command.monitor;

import io.papertrading.broker.BrokerException;
import io.papertrading.broker.Greeks;
import io.papertrading.broker.Quote;
import io.papertrading.command.execution.BrokerAccount;
import io.papertrading.command.execution.BrokerResolver;
import io.papertrading.kernel.error.IllegalTransitionException;
import io.papertrading.kernel.error.TradeNotFoundException;
import io.papertrading.kernel.money.Money;
import io.papertrading.kernel.trade.Actor;
import io.papertrading.kernel.trade.CloseReason;
import io.papertrading.kernel.trade.Side;
import io.papertrading.kernel.trade.TradeStatus;
import io.papertrading.kernel.trade.command.RequestCloseCommand;
import io.papertrading.kernel.trade.event.PriceObservedEvent;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.eventhandling.gateway.EventGateway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Watches every trade that holds a position (OPEN, PARTIALLY_FILLED, CLOSING) against live quotes. One
 * {@link #tick()} — run once cluster-wide by the application's persistent scheduler — quotes each broker account
 * once: all the account's distinct symbols in one quotes request (in chunks of
 * {@link MonitorSettings#maxSymbolsPerRequest()}), never more than {@link MonitorSettings#maxRequestsPerMinute()}
 * requests per account in any minute (an account whose budget is spent waits for a later tick; its chunks are
 * served round-robin so none starves). Each quoted trade gets a {@link PriceObservedEvent} on the event bus —
 * not in the trade's own stream, so its commands stay fast however long it lives.
 *
 * <p>Bracket triggers: a trade whose valuation price (the quote's mark, i.e. the mid, else the last trade) is at
 * or through its stop loss (long: ≤ stop; short: ≥ stop) or take profit (long: ≥ target; short: ≤ target) gets
 * one {@link RequestCloseCommand} with reason STOP_LOSS or TAKE_PROFIT, actor {@link Actor.Engine#PRICE_MONITOR}.
 * Once: the trigger is claimed in the {@link LiveTradeBook} before the command is sent and stays claimed until
 * the brackets change. For a broker without native OCO the monitor is the bracket; where the broker holds the
 * brackets as an OCO order the monitor is a safety net and steps in only when a bracket stays crossed for
 * {@link MonitorSettings#ocoGrace()} (the saga withdraws the OCO order before it places the exit).
 */
public class PriceMonitor {

    private static final Logger log = LoggerFactory.getLogger(PriceMonitor.class);

    private final LiveTradeBook book;
    private final BrokerResolver brokers;
    private final EventGateway events;
    private final CommandGateway commands;
    private final Clock clock;
    private final MonitorSettings settings;
    private final QuoteBudget budget;
    private final Map<String, Integer> nextChunk = new HashMap<>();

    public PriceMonitor(LiveTradeBook book, BrokerResolver brokers, EventGateway events, CommandGateway commands,
                        Clock clock, MonitorSettings settings) {
        this.book = book;
        this.brokers = brokers;
        this.events = events;
        this.commands = commands;
        this.clock = clock;
        this.settings = settings;
        this.budget = new QuoteBudget(clock, settings.maxRequestsPerMinute());
    }

    /** What one tick did. */
    public record TickReport(int trades, int accounts, int requests, int observed, int triggered) {
    }

    /** Quotes every monitored trade once (within the accounts' budgets) and fires crossed brackets. */
    public synchronized TickReport tick() {
        List<LiveTrade> trades = book.monitored();
        Map<String, BrokerAccount> accounts = new LinkedHashMap<>();
        Map<String, List<LiveTrade>> byAccount = new LinkedHashMap<>();
        Map<String, BrokerAccount> byUser = new HashMap<>();
        for (LiveTrade t : trades) {
            BrokerAccount account = byUser.computeIfAbsent(t.username(), this::resolve);
            if (account == null) {
                continue;
            }
            accounts.putIfAbsent(account.accountKey(), account);
            byAccount.computeIfAbsent(account.accountKey(), k -> new ArrayList<>()).add(t);
        }
        int requests = 0;
        int triggered = 0;
        List<PriceObservedEvent> observed = new ArrayList<>();
        List<java.util.function.BooleanSupplier> triggers = new ArrayList<>();
        for (Map.Entry<String, List<LiveTrade>> entry : byAccount.entrySet()) {
            BrokerAccount account = accounts.get(entry.getKey());
            Map<String, Quote> quotes = new HashMap<>();
            requests += quote(account, entry.getValue(), quotes);
            Instant now = clock.instant();
            for (LiveTrade t : entry.getValue()) {
                Quote q = quotes.get(t.quoteSymbol());
                if (q == null) {
                    continue;
                }
                observed.add(observation(t, q, now));
                Money price = q.mark() != null ? q.mark() : q.last();
                CloseReason reason = crossing(t, price);
                if (reason == null) {
                    if (t.crossedSince() != null) {
                        book.crossed(t.tradeId(), null);
                    }
                } else if (t.triggerReason() == null && due(t, account, now)) {
                    triggers.add(() -> trigger(t, reason));
                }
            }
        }
        if (!observed.isEmpty()) {
            events.publish(observed);
        }
        for (java.util.function.BooleanSupplier t : triggers) {
            if (t.getAsBoolean()) {
                triggered++;
            }
        }
        return new TickReport(trades.size(), byAccount.size(), requests, observed.size(), triggered);
    }

    /**
     * The bracket the price is at or through, or null. Only a trade holding a position that is not already
     * closing can trigger.
     */
    static CloseReason crossing(LiveTrade t, Money price) {
        if (price == null || (t.status() != TradeStatus.OPEN && t.status() != TradeStatus.PARTIALLY_FILLED)) {
            return null;
        }
        int dir = t.side() == Side.BUY ? 1 : -1;
        if (t.stopLoss() != null && price.compareTo(t.stopLoss()) * dir <= 0) {
            return CloseReason.STOP_LOSS;
        }
        if (t.takeProfit() != null && price.compareTo(t.takeProfit()) * dir >= 0) {
            return CloseReason.TAKE_PROFIT;
        }
        return null;
    }

    /** Whether the monitor acts now: at once without OCO, after the grace period with one. */
    private boolean due(LiveTrade t, BrokerAccount account, Instant now) {
        if (!account.supportsOco()) {
            return true;
        }
        if (t.crossedSince() == null) {
            book.crossed(t.tradeId(), now);
            return false;
        }
        return !Duration.between(t.crossedSince(), now).minus(settings.ocoGrace()).isNegative();
    }

    /** Sends the close request if this tick wins the trade's trigger; true when it was sent. */
    private boolean trigger(LiveTrade t, CloseReason reason) {
        if (!book.claimTrigger(t.tradeId(), reason)) {
            return false;
        }
        try {
            commands.sendAndWait(new RequestCloseCommand(t.tradeId(), reason, Actor.Engine.PRICE_MONITOR, null));
            log.info("trade {}: {} crossed, close requested", t.tradeId(), reason);
            return true;
        } catch (RuntimeException e) {
            if (causedBy(e, IllegalTransitionException.class) || causedBy(e, TradeNotFoundException.class)) {
                // closed, closing or finished meanwhile: nothing left to trigger
                log.info("trade {}: {} crossed but the trade cannot be closed now: {}", t.tradeId(), reason, e.getMessage());
            } else {
                book.releaseTrigger(t.tradeId());
                log.warn("trade {}: {} close request failed, retried next tick: {}", t.tradeId(), reason, e.toString());
            }
            return false;
        }
    }

    /** Quotes the account's symbols, in round-robin chunks within its budget; returns the requests made. */
    private int quote(BrokerAccount account, List<LiveTrade> trades, Map<String, Quote> into) {
        List<String> symbols = new ArrayList<>(new TreeSet<>(trades.stream().map(LiveTrade::quoteSymbol).toList()));
        int size = settings.maxSymbolsPerRequest();
        int chunks = (symbols.size() + size - 1) / size;
        int start = nextChunk.getOrDefault(account.accountKey(), 0) % Math.max(chunks, 1);
        int made = 0;
        for (int i = 0; i < chunks; i++) {
            int c = (start + i) % chunks;
            if (!budget.tryAcquire(account.accountKey())) {
                nextChunk.put(account.accountKey(), c);
                log.debug("account {}: quotes budget spent, {} of {} chunks wait", account.accountKey(), chunks - i, chunks);
                return made;
            }
            made++;
            try {
                for (Quote q : account.provider().getQuotes(symbols.subList(c * size, Math.min(symbols.size(), (c + 1) * size)))) {
                    into.put(q.symbol(), q);
                }
            } catch (BrokerException e) {
                log.warn("account {}: quotes failed: {}", account.accountKey(), e.getMessage());
                nextChunk.put(account.accountKey(), c);
                return made;
            }
        }
        nextChunk.put(account.accountKey(), 0);
        return made;
    }

    private BrokerAccount resolve(String username) {
        try {
            return brokers.resolve(username);
        } catch (RuntimeException e) {
            log.warn("user {}: no broker to quote with: {}", username, e.getMessage());
            return null;
        }
    }

    private static PriceObservedEvent observation(LiveTrade t, Quote q, Instant now) {
        Greeks g = q.greeks();
        return new PriceObservedEvent(t.tradeId(), t.username(), q.bid(), q.ask(), q.last(), q.mark(),
                q.underlyingPrice(), g == null ? null : g.impliedVolatility(), g == null ? null : g.delta(), now);
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
