package io.papertrading.command.execution;

import io.papertrading.broker.OrderStatusReport;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Answers "what is the state of this order?" from a per-account snapshot of the broker's order list, so the
 * polls of every trade of one account within a tick cost one list-orders request instead of one request each
 * (a hundred pending trades stay well inside Tradier's 60 requests a minute per token).
 *
 * <p>A snapshot is refreshed when it is older than the tick, or older than what the caller needs to see (an
 * order sent at {@code notBefore} cannot be in a list fetched before it), but never more often than
 * {@link ExecutionSettings#minListInterval()}. When the only snapshot allowed is too old for the caller, the
 * answer is {@link Found#STALE}: ask again a moment later. Broker failures of the refresh propagate.
 *
 * <p>Per node: several nodes each keep their own snapshots. Thread-safe; one refresh per account at a time,
 * and callers arriving during a refresh wait for it and share its result.
 */
public class OrderStatusBook {

    public enum Found { FOUND, ABSENT, STALE }

    /** The outcome of a lookup: the report when {@link Found#FOUND}, else null. */
    public record Lookup(Found found, OrderStatusReport report) {
        static final Lookup ABSENT = new Lookup(Found.ABSENT, null);
        static final Lookup STALE = new Lookup(Found.STALE, null);
    }

    private final Clock clock;
    private final ExecutionSettings settings;
    private final Map<String, Snapshot> snapshots = new ConcurrentHashMap<>();

    public OrderStatusBook(Clock clock, ExecutionSettings settings) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** The order with this broker id as of a snapshot taken at or after {@code notBefore}. */
    public Lookup byId(BrokerAccount account, String orderId, Instant notBefore) {
        return find(account, notBefore, o -> orderId.equals(o.orderId()));
    }

    /**
     * The order carrying this tag as of a snapshot taken at or after {@code notBefore}. Looked up in the broker's
     * history instead ({@link #inHistory}) when the list may not show it, because {@code notBefore} is older than
     * the list is trusted to cover (an event redelivered after an outage), or when the broker
     * {@linkplain io.papertrading.broker.BrokerProvider#answersLookupsCheaply() answers lookups cheaply}, so a
     * placement there never waits for the account's next list.
     */
    public Lookup byTag(BrokerAccount account, String tag, Instant notBefore) {
        if (account.provider().answersLookupsCheaply()
                || notBefore.isBefore(clock.instant().minus(ExecutionSettings.LIST_TRUSTED_FOR))) {
            return inHistory(account, tag);
        }
        return find(account, notBefore, o -> tag.equals(o.tag()));
    }

    /** The order carrying this tag, looked up as far back as the broker keeps orders; never STALE. */
    public Lookup inHistory(BrokerAccount account, String tag) {
        return account.provider().findOrderByTag(tag).map(r -> new Lookup(Found.FOUND, r)).orElse(Lookup.ABSENT);
    }

    /** How many list-orders requests this book sent for the account (for tests and metrics). */
    public long listRequests(String accountKey) {
        Snapshot s = snapshots.get(accountKey);
        return s == null ? 0 : s.requests.get();
    }

    private Lookup find(BrokerAccount account, Instant notBefore, Predicate<OrderStatusReport> match) {
        List<OrderStatusReport> orders = orders(account, notBefore);
        if (orders == null) {
            return Lookup.STALE;
        }
        return orders.stream().filter(match).findFirst().map(r -> new Lookup(Found.FOUND, r)).orElse(Lookup.ABSENT);
    }

    /** The account's orders as of a snapshot no older than {@code notBefore}, or null if none may be fetched yet. */
    private List<OrderStatusReport> orders(BrokerAccount account, Instant notBefore) {
        Snapshot s = snapshots.computeIfAbsent(account.accountKey(), k -> new Snapshot());
        synchronized (s) {
            Instant now = clock.instant();
            // Strictly after: a list fetched in the same instant as the send may not show the order yet.
            boolean recentEnough = s.takenAt != null && s.takenAt.isAfter(notBefore);
            if (recentEnough && Duration.between(s.takenAt, now).compareTo(settings.snapshotTick()) < 0) {
                return s.orders;
            }
            // A broker inside the engine has no request budget: its list is read whenever a newer one is needed.
            Duration minInterval = account.provider().answersLookupsCheaply() ? Duration.ZERO : settings.minListInterval();
            if (s.requestedAt != null && Duration.between(s.requestedAt, now).compareTo(minInterval) < 0) {
                return recentEnough ? s.orders : null;
            }
            s.requestedAt = now;
            s.requests.incrementAndGet();
            // Stamped with the time the request started: the list shows at least everything sent before it.
            s.orders = List.copyOf(account.provider().listOrders());
            s.takenAt = now;
            return s.orders;
        }
    }

    private static final class Snapshot {
        private final AtomicLong requests = new AtomicLong();
        private Instant requestedAt;
        private Instant takenAt;
        private List<OrderStatusReport> orders = List.of();
    }
}
