package io.papertrading.command.execution;

import io.papertrading.broker.BrokerException;
import io.papertrading.broker.BrokerOutcomeUnknownException;
import io.papertrading.broker.BrokerRateLimitException;
import io.papertrading.broker.BrokerUnavailableException;
import io.papertrading.broker.OrderStatusReport;
import io.papertrading.kernel.trade.TradeId;
import io.papertrading.kernel.trade.command.ReportBrokerProblemCommand;
import io.papertrading.kernel.trade.event.BrokerOrderObservedEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Follows every watched broker order of one account with one list-orders request per round, and tells each
 * trade's saga what it sees: a {@link BrokerOrderObservedEvent} when a watch starts and whenever its order
 * changes (state, fills), nothing otherwise. Broker calls happen here, outside any event-processing
 * transaction; the saga that owns the trade handles the event on its own node, so time-driven broker news and a
 * user's command never race for the saga.
 *
 * <p>Each account keeps its own pace: a broker with a request budget (Tradier) is listed at most every
 * {@link ExecutionSettings#minListInterval()}; one that {@linkplain io.papertrading.broker.BrokerProvider#answersLookupsCheaply()
 * answers cheaply} (the simulated exchange) whenever asked. A failing list backs the account off (doubling up to
 * {@link ExecutionSettings#maxBrokerBackoff()}); a failure that waiting will not cure (a revoked token) is put on
 * every watched trade of the account for its user to read, and taken off once the account answers again.
 *
 * <p>An order missing from the list (brokers list recent orders only) is asked for by id when it was listed
 * before, or was sent longer ago than lists are trusted to cover; at most {@link #LOOKUPS_PER_ROUND} such
 * requests per account and round. An order never listed yet is left to the saga's confirmation deadline.
 *
 * <p>Thread-safe: rounds of different accounts may run in parallel; one account is polled by one thread at a
 * time. What was last reported lives in memory: a new poller (after a restart or on another node) reports every
 * watched order once more, which the saga takes as the news it already had.
 */
public class AccountOrderPoller {

    /** Requests for orders missing from the list, per account and round. */
    public static final int LOOKUPS_PER_ROUND = 10;

    private static final Logger log = LoggerFactory.getLogger(AccountOrderPoller.class);

    private final WatchedOrders watches;
    private final BrokerResolver brokers;
    private final Consumer<Object> events;
    private final Consumer<Object> commands;
    private final Clock clock;
    private final ExecutionSettings settings;
    private final Map<String, Account> accounts = new ConcurrentHashMap<>();

    /**
     * @param events   publishes an event on the event bus (e.g. {@code EventGateway::publish})
     * @param commands sends a command without waiting for it (e.g. {@code CommandGateway::send})
     */
    public AccountOrderPoller(WatchedOrders watches, BrokerResolver brokers, Consumer<Object> events,
                              Consumer<Object> commands, Clock clock, ExecutionSettings settings) {
        this.watches = Objects.requireNonNull(watches, "watches");
        this.brokers = Objects.requireNonNull(brokers, "brokers");
        this.events = Objects.requireNonNull(events, "events");
        this.commands = Objects.requireNonNull(commands, "commands");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** The accounts whose turn it is, with their watched orders (read once for the round). */
    public Map<String, List<OrderWatch>> due() {
        Instant now = clock.instant();
        Map<String, List<OrderWatch>> byAccount = watches.all().stream()
                .collect(Collectors.groupingBy(OrderWatch::accountKey, LinkedHashMap::new, Collectors.toList()));
        accounts.keySet().retainAll(byAccount.keySet()); // nothing watched: nothing remembered
        byAccount.keySet().removeIf(key -> {
            Account a = accounts.get(key);
            return a != null && a.nextAt != null && now.isBefore(a.nextAt);
        });
        return byAccount;
    }

    /** The watched orders of one account, read now. */
    public List<OrderWatch> watchesOf(String accountKey) {
        return watches.of(accountKey);
    }

    /** One round over every due account, one after the other (tests; the application runs accounts in parallel). */
    public void pollAll() {
        due().forEach(this::poll);
    }

    /** The account may be listed again right away, if its broker has no request budget to keep (a fill happened). */
    public void nudge(String accountKey) {
        Account a = accounts.get(accountKey);
        if (a != null && a.cheap && a.backoffMillis == 0) {
            a.nextAt = null;
        }
    }

    /** How many list-orders requests this poller sent for the account (for tests and metrics). */
    public long listRequests(String accountKey) {
        Account a = accounts.get(accountKey);
        return a == null ? 0 : a.lists;
    }

    /** Lists the account's orders once and reports what changed for {@code watched} (all of one account). */
    public void poll(String accountKey, List<OrderWatch> watched) {
        if (watched.isEmpty()) {
            return;
        }
        Account a = accounts.computeIfAbsent(accountKey, k -> new Account());
        synchronized (a) {
            Instant started = clock.instant();
            if (a.nextAt != null && started.isBefore(a.nextAt)) {
                return; // another round polled it meanwhile
            }
            BrokerAccount account;
            List<OrderStatusReport> listed;
            try {
                account = brokers.resolve(watched.get(0).username());
                a.cheap = account.provider().answersLookupsCheaply();
                a.lists++;
                listed = account.provider().listOrders();
            } catch (RuntimeException ex) {
                failed(a, accountKey, watched, ex);
                return;
            }
            a.backoffMillis = 0;
            a.nextAt = a.cheap ? null : started.plus(settings.minListInterval());
            clearProblem(a);
            Map<String, OrderStatusReport> byId = new HashMap<>();
            listed.forEach(o -> byId.put(o.orderId(), o));
            Set<String> live = new HashSet<>();
            int lookups = 0;
            for (OrderWatch w : watched) {
                live.add(w.tradeId());
                Seen seen = a.seen.get(w.tradeId());
                if (seen != null && seen.generation != w.generation()) {
                    seen = null; // a new watch: its first sighting is news
                }
                OrderStatusReport r = byId.get(w.orderId());
                if (r == null) {
                    boolean offTheList = seen != null
                            || w.sentAt().isBefore(started.minus(ExecutionSettings.LIST_TRUSTED_FOR));
                    if (!offTheList || lookups >= LOOKUPS_PER_ROUND) {
                        continue;
                    }
                    lookups++;
                    try {
                        r = account.provider().getOrder(w.orderId());
                    } catch (RuntimeException ex) {
                        log.info("order {} of trade {} could not be read: {}", w.orderId(), w.tradeId(),
                                ex.getMessage());
                        continue;
                    }
                }
                String fingerprint = fingerprint(r);
                if (seen != null && seen.fingerprint.equals(fingerprint)) {
                    continue;
                }
                try {
                    events.accept(observed(w, r, started));
                    a.seen.put(w.tradeId(), new Seen(w.generation(), fingerprint));
                } catch (RuntimeException ex) {
                    // told again next round
                    log.warn("order {} of trade {}: sighting not published: {}", w.orderId(), w.tradeId(),
                            ex.getMessage());
                }
            }
            a.seen.keySet().retainAll(live);
        }
    }

    private void failed(Account a, String accountKey, List<OrderWatch> watched, RuntimeException ex) {
        long first = settings.firstPoll().toMillis();
        a.backoffMillis = Math.min(a.backoffMillis <= 0 ? first : a.backoffMillis * 2,
                settings.maxBrokerBackoff().toMillis());
        a.nextAt = clock.instant().plus(Duration.ofMillis(a.backoffMillis));
        log.info("account {}: orders not listed, next try in {} ms: {}", accountKey, a.backoffMillis,
                ex.getMessage());
        if (passesByItself(ex)) {
            return;
        }
        // Waiting will not cure it (credentials, the account): every trade of the account says why it does not move.
        String problem = ex instanceof BrokerException && ex.getMessage() != null ? ex.getMessage()
                : "the broker account cannot be used";
        for (OrderWatch w : watched) {
            if (!problem.equals(a.problems.get(w.tradeId()))) {
                tell(new ReportBrokerProblemCommand(new TradeId(w.tradeId()), problem));
                a.problems.put(w.tradeId(), problem);
            }
        }
    }

    private void clearProblem(Account a) {
        if (a.problems.isEmpty()) {
            return;
        }
        a.problems.keySet().forEach(id -> tell(ReportBrokerProblemCommand.cleared(new TradeId(id))));
        a.problems.clear();
    }

    private void tell(Object command) {
        try {
            commands.accept(command);
        } catch (RuntimeException ex) {
            log.warn("{} not sent: {}", command.getClass().getSimpleName(), ex.getMessage());
        }
    }

    /** Broker trouble that passes by itself: limits, outages, answers that may come later. */
    static boolean passesByItself(RuntimeException ex) {
        return ex instanceof BrokerRateLimitException || ex instanceof BrokerUnavailableException
                || ex instanceof BrokerOutcomeUnknownException;
    }

    /** What a saga would act on: the order's and its legs' states and fills. */
    private static String fingerprint(OrderStatusReport r) {
        StringBuilder b = new StringBuilder().append(r.state()).append('/').append(r.execQuantity())
                .append('/').append(r.avgFillPrice()).append('/').append(r.lastFillPrice());
        r.legs().forEach(l -> b.append('|').append(l.state()).append('/').append(l.execQuantity())
                .append('/').append(l.avgFillPrice()));
        return b.toString();
    }

    static BrokerOrderObservedEvent observed(OrderWatch w, OrderStatusReport r, Instant at) {
        List<BrokerOrderObservedEvent.Leg> legs = r.legs().stream()
                .map(l -> new BrokerOrderObservedEvent.Leg(l.orderId(), name(l.state()), name(l.type()),
                        l.execQuantity(), l.avgFillPrice(), l.lastFillPrice()))
                .toList();
        return new BrokerOrderObservedEvent(new TradeId(w.tradeId()), w.generation(), w.orderId(), name(r.state()),
                r.execQuantity(), r.avgFillPrice(), r.lastFillPrice(), r.reasonDescription(), legs, at);
    }

    private static String name(Enum<?> value) {
        return value == null ? null : value.name();
    }

    private record Seen(long generation, String fingerprint) {
    }

    /** What is known of one account between rounds; guarded by its own monitor. */
    private static final class Account {
        private final Map<String, Seen> seen = new HashMap<>();
        /** Trades told about the account's current problem, and what they were told. */
        private final Map<String, String> problems = new HashMap<>();
        private volatile Instant nextAt;
        private volatile boolean cheap;
        private long backoffMillis;
        private long lists;
    }
}
