package io.papertrading.command.execution;

import io.papertrading.broker.BrokerException;
import io.papertrading.broker.BrokerOutcomeUnknownException;
import io.papertrading.broker.BrokerProvider;
import io.papertrading.broker.BrokerRateLimitException;
import io.papertrading.broker.BrokerUnavailableException;
import io.papertrading.broker.OrderStatusReport;
import io.papertrading.broker.PlacedOrder;
import io.papertrading.command.execution.WorkedOrder.Stage;
import io.papertrading.kernel.trade.TradeId;
import io.papertrading.kernel.trade.command.ReportBrokerProblemCommand;
import io.papertrading.kernel.trade.event.BrokerOrderReportedEvent;
import io.papertrading.kernel.trade.event.BrokerOrderReportedEvent.Kind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Does every trade's broker work, account by account, outside any event-processing transaction: sends the order
 * legs the execution sagas ask for ({@link DeskOrders}), follows them with one list-orders request per account
 * and round, cancels the ones withdrawn, and tells each saga what happened as a {@link BrokerOrderReportedEvent}:
 * the order when it is first known and at each change of state or fills, or why it never came to be.
 *
 * <p><b>Never two orders for one leg.</b> Every leg carries a tag made from its trade; before a leg is sent its
 * tag is looked for (in the account's list while the request is recent, in the broker's history when it is
 * older than lists are trusted to cover or when the broker answers lookups cheaply). A send that fails in a way
 * that leaves the outcome unknown (timeout, reset after writing, 5xx) is never repeated: the tag is looked up in
 * the history until the confirmation window ends, and the leg then ends {@link Kind#UNCONFIRMED} with a reason
 * that says so. Refused before anything was sent (429, connection refused): sent again later, after another look.
 *
 * <p><b>Pace.</b> A broker with a request budget (Tradier) is listed at most every
 * {@link ExecutionSettings#minListInterval()}; one that answers cheaply (the simulated exchange) whenever asked, or
 * not at all when it has no more than {@link #CHEAP_READS} legs to look at (each is then read alone), and a leg it
 * just took is reported at once (from the broker's answer, or read back). Rate limits and outages back the account off (doubling up to
 * {@link ExecutionSettings#maxBrokerBackoff()}); failures that waiting will not cure (a revoked token) are put on
 * every live trade of the account, and taken off once the account answers again. An order missing from the list
 * is read by id when it was listed before, or is older than lists cover; at most {@link #LOOKUPS_PER_ROUND} per
 * account and round.
 *
 * <p>Thread-safe: different accounts may be worked in parallel; one account by one thread at a time. Its
 * progress lives in {@link DeskOrders}, so another node's desk continues where this one stopped.
 */
public class OrderDesk {

    /** Reads of single orders missing from the list, per account and round. */
    public static final int LOOKUPS_PER_ROUND = 10;
    /**
     * Up to this many legs of an account that answers lookups cheaply are read one by one (by id, or by tag
     * before sending) rather than by listing the account's orders of the day.
     */
    static final int CHEAP_READS = 4;
    /** Quiet rounds an account gets at every tick before its pace slows (see {@link #work(String, boolean)}). */
    static final int QUIET_ROUNDS_AT_FULL_PACE = 3;
    /**
     * A leg whose send has an unknown outcome is looked for this many confirmation windows while the broker cannot
     * even be asked whether it exists; it then ends, saying so.
     */
    static final int UNKNOWN_PATIENCE = 10;

    private static final Logger log = LoggerFactory.getLogger(OrderDesk.class);

    private final DeskOrders orders;
    private final BrokerResolver brokers;
    private final Consumer<List<?>> events;
    private final Consumer<Object> commands;
    private final Clock clock;
    /** Every list request of every account, also those whose account the desk has since forgotten. */
    private final AtomicLong listsTotal = new AtomicLong();
    private final ExecutionSettings settings;
    private final Map<String, Account> accounts = new ConcurrentHashMap<>();

    /**
     * @param events   publishes events on the event bus, together (e.g. {@code EventGateway::publish})
     * @param commands sends a command without waiting for it (e.g. {@code CommandGateway::send})
     */
    public OrderDesk(DeskOrders orders, BrokerResolver brokers, Consumer<List<?>> events, Consumer<Object> commands,
                     Clock clock, ExecutionSettings settings) {
        this.orders = Objects.requireNonNull(orders, "orders");
        this.brokers = Objects.requireNonNull(brokers, "brokers");
        this.events = Objects.requireNonNull(events, "events");
        this.commands = Objects.requireNonNull(commands, "commands");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** The accounts with legs to work, read now, each with whether it has news (see {@link DeskOrders#accountsByUrgency}). */
    public Map<String, Boolean> accounts() {
        Map<String, Boolean> keys = orders.accountsByUrgency();
        accounts.keySet().retainAll(keys.keySet()); // nothing worked: nothing remembered
        return keys;
    }

    /** One round over every account, one after the other (tests; the application works accounts in parallel). */
    public void workAll() {
        accounts().forEach(this::work);
    }

    /** List-orders requests the desk sent over every account since it started (metric {@code paper.desk.list.requests}). */
    public long listRequestsTotal() {
        return listsTotal.get();
    }

    /** How many list-orders requests the desk sent for the account (for tests and metrics). */
    public long listRequests(String accountKey) {
        Account a = accounts.get(accountKey);
        return a == null ? 0 : a.lists;
    }

    /**
     * One round of work on the account's legs, read when the round starts (never another round's stale view).
     * Without {@code news}, an account whose orders only rest at the broker and have not changed for a while is
     * left alone until its pace says to look again: after {@link #QUIET_ROUNDS_AT_FULL_PACE} quiet rounds the gap
     * grows by the back-off factor from one tick up to {@code maxWorkingPoll}. Any news, a change seen at the
     * broker or a saga's nudge brings it back to every tick.
     */
    public void work(String accountKey, boolean news) {
        Account a = accounts.computeIfAbsent(accountKey, k -> new Account());
        synchronized (a) {
            Instant now = clock.instant();
            // a pause further ahead than the ceiling means the clock went back: look now
            if (!news && a.quietUntil != null && now.isBefore(a.quietUntil)
                    && !a.quietUntil.isAfter(now.plus(settings.maxWorkingPoll()))) {
                return;
            }
            List<WorkedOrder> legs = orders.of(accountKey);
            if (!legs.isEmpty()) {
                Round round = new Round(a, accountKey, now);
                round.run(legs);
                pace(a, round, legs, now);
            }
        }
    }

    private void pace(Account a, Round round, List<WorkedOrder> legs, Instant now) {
        if (!round.looked()) {
            return; // nothing seen this round (the list budget, a failure): neither quiet nor news
        }
        if (round.quiet() && legs.stream().allMatch(WorkedOrder::resting)) {
            a.quietRounds++;
            int beyond = a.quietRounds - QUIET_ROUNDS_AT_FULL_PACE;
            if (beyond > 0) {
                double gap = settings.snapshotTick().toMillis() * Math.pow(settings.backoffFactor(), beyond);
                a.quietUntil = now.plusMillis((long) Math.min(gap, settings.maxWorkingPoll().toMillis()));
            }
        } else {
            a.quietRounds = 0;
            a.quietUntil = null;
        }
    }

    /**
     * One account's round: what it reads from the broker is shared by all its legs, and its reports go out together
     * at its end, before the desk records them as told (a report that could not be published is told again).
     */
    private final class Round {
        private final Account account;
        private final String accountKey;
        private final Instant now;
        private final List<Object> reports = new ArrayList<>();
        /** What the desk did (written whatever happens to the reports) and what it told (written once published). */
        private final Map<String, WorkedOrder> progress = new LinkedHashMap<>();
        private final Map<String, WorkedOrder> toldUpdated = new LinkedHashMap<>();
        private final Set<String> toldRemoved = new LinkedHashSet<>();
        private final List<WorkedOrder> placedNow = new ArrayList<>();
        private BrokerProvider broker;
        private Map<String, OrderStatusReport> listed;
        private Map<String, OrderStatusReport> listedTags;
        /** A cheap account's few legs are read one by one this round instead of listed. */
        private boolean readEach;
        private int lookups;

        Round(Account account, String accountKey, Instant now) {
            this.account = account;
            this.accountKey = accountKey;
            this.now = now;
        }

        /** Whether the round read the account's orders at the broker. */
        boolean looked() {
            return listed != null || readEach;
        }

        /** Whether the round saw nothing change: nothing reported, sent or recorded. */
        boolean quiet() {
            return reports.isEmpty() && placedNow.isEmpty() && progress.isEmpty() && toldUpdated.isEmpty()
                    && toldRemoved.isEmpty();
        }

        void run(List<WorkedOrder> legs) {
            try {
                work(legs);
            } finally {
                record(publishReports());
            }
        }

        private boolean publishReports() {
            if (reports.isEmpty()) {
                return true;
            }
            try {
                events.accept(List.copyOf(reports));
                return true;
            } catch (RuntimeException ex) {
                log.warn("account {}: {} reports not published, told again next round: {}", accountKey,
                        reports.size(), ex.getMessage());
                return false;
            }
        }

        /** The round's changes to its legs, in two statements at most; what was told only if it was. */
        private void record(boolean told) {
            Map<String, WorkedOrder> writes = new LinkedHashMap<>(progress);
            if (told) {
                writes.putAll(toldUpdated);
                writes.keySet().removeAll(toldRemoved);
            }
            if (!writes.isEmpty()) {
                orders.updateAll(writes.values());
            }
            if (told && !toldRemoved.isEmpty()) {
                orders.removeAll(toldRemoved);
            }
        }

        private void progress(WorkedOrder o) {
            progress.put(o.tag(), o);
        }

        private void work(List<WorkedOrder> legs) {
            List<WorkedOrder> live = new ArrayList<>();
            for (WorkedOrder leg : legs) {
                WorkedOrder o = leg;
                if (o.confirmBy() == null) { // taken up now: its confirmation window starts
                    o = o.confirmBy(now.plus(settings.confirmationTimeout()));
                    progress(o);
                }
                if (!settledWithoutBroker(o)) {
                    live.add(o);
                }
            }
            if (live.isEmpty() || (account.backoffUntil != null && now.isBefore(account.backoffUntil))) {
                return;
            }
            BrokerAccount resolved;
            try {
                resolved = brokers.resolve(live.get(0).username());
                if (!resolved.accountKey().equals(accountKey)) {
                    // what the resolver remembered may predate a change of the user's settings
                    resolved = brokers.reload(live.get(0).username());
                }
            } catch (RuntimeException ex) {
                // No usable broker (e.g. credentials that cannot be read): what is not sent cannot be.
                for (WorkedOrder o : live) {
                    if (o.stage() == Stage.TO_SEND) {
                        end(o, Kind.REFUSED, ex.getMessage() == null ? "no usable broker account" : ex.getMessage());
                    }
                }
                failed(live, ex);
                return;
            }
            broker = resolved.provider();
            account.cheap = broker.answersLookupsCheaply();
            try {
                live = cancelWithdrawn(live);
                if (needsList(live)) {
                    listed = listById();
                    account.listedAt = now;
                } else if (account.cheap) {
                    readEach = true;
                }
                for (WorkedOrder o : live) {
                    switch (o.stage()) {
                        case TO_SEND -> send(o);
                        case UNKNOWN -> lookUp(o);
                        case SENT -> follow(o);
                    }
                }
                readBackPlaced();
            } catch (RuntimeException ex) {
                failed(live, ex);
                return;
            }
            account.backoffMillis = 0;
            clearProblem();
        }

        /** Withdrawn orders at the broker are canceled at once; how they ended shows in the list. */
        private List<WorkedOrder> cancelWithdrawn(List<WorkedOrder> live) {
            List<WorkedOrder> now = new ArrayList<>(live.size());
            for (WorkedOrder o : live) {
                now.add(o.stage() == Stage.SENT && o.withdraw() && !o.cancelSent() ? cancel(o) : o);
            }
            return now;
        }

        /**
         * Cancels a withdrawn order; an order that already ended says so in its state, not here. An entry (whose
         * end its trade waits for) or a leg nobody follows any more is canceled again if it still works a
         * confirmation window later (a cancel whose answer was lost, or that the broker took and never carried
         * out): a second cancel of one order is harmless, an order left working is not. A bracket withdrawn for an
         * exit is not: the saga's own deadline leaves it in place after the window.
         */
        private WorkedOrder cancel(WorkedOrder o) {
            try {
                broker.cancelOrder(o.orderId());
            } catch (BrokerRateLimitException | BrokerUnavailableException ex) {
                throw ex;
            } catch (BrokerException ex) {
                log.info("trade {}: cancel of {} failed: {}", o.tradeId(), o.orderId(), ex.getMessage());
            }
            WorkedOrder canceled = o.withCancelSent().retryAt(now.plus(settings.confirmationTimeout()), 0);
            progress(canceled);
            return canceled;
        }

        /** A withdrawn order the broker still works: canceled now, unless a cancel went out within the window. */
        private boolean cancelDue(WorkedOrder o) {
            if (!o.withdraw()) {
                return false;
            }
            if (!o.cancelSent()) {
                return true;
            }
            boolean windowPassed = o.retryAt() != null && !now.isBefore(o.retryAt());
            return windowPassed && (o.silent() || EntryLeg.isEntry(o));
        }

        /** The account's orders by id: one list request. */
        private Map<String, OrderStatusReport> listById() {
            account.lists++;
            listsTotal.incrementAndGet();
            Map<String, OrderStatusReport> byId = new HashMap<>();
            broker.listOrders().forEach(r -> byId.put(r.orderId(), r));
            return byId;
        }

        /** The leg's tag was found at the broker: it is that order, followed from here on, never sent again. */
        private void adopt(WorkedOrder o, OrderStatusReport found) {
            log.info("trade {}: order {} found at the broker by tag {}", o.tradeId(), found.orderId(), o.tag());
            WorkedOrder sent = o.sent(found.orderId());
            progress(sent);
            observe(sent, found);
        }

        /** Ends what needs no broker call: a withdrawn leg never sent, a leg whose window closed unsent. */
        private boolean settledWithoutBroker(WorkedOrder o) {
            if (o.stage() == Stage.TO_SEND && o.withdraw()) {
                end(o, Kind.NOT_PLACED, "withdrawn before it was sent");
                return true;
            }
            if (o.stage() == Stage.TO_SEND && !now.isBefore(o.confirmBy())) {
                end(o, Kind.UNCONFIRMED, "the broker could not take the order within " + window()
                        + " s (unavailable or rate limited); nothing was placed");
                return true;
            }
            if (o.stage() == Stage.UNKNOWN && !now.isBefore(patienceEnd(o))) {
                log.error("order {}: placement outcome unknown and the broker could not be asked for {} windows; "
                        + "it was not sent again", o.tag(), UNKNOWN_PATIENCE);
                end(o, Kind.UNCONFIRMED, "the broker did not say whether it took the order, and could not be asked "
                        + "within " + window() + " s; check for an order tagged " + o.tag() + "; it was not sent again");
                return true;
            }
            return false;
        }

        /**
         * A list is read when an order at the broker is followed, or a recent leg's tag must be looked for; at an
         * account that answers cheaply only when there are more such legs than {@link #CHEAP_READS}.
         */
        private boolean needsList(List<WorkedOrder> live) {
            long wanted = live.stream().filter(o -> o.stage() == Stage.SENT
                    || (o.stage() == Stage.TO_SEND && !historyOnly(o) && due(o))).count();
            if (wanted == 0) {
                return false;
            }
            if (account.cheap) {
                return wanted > CHEAP_READS;
            }
            return account.listedAt == null || !now.isBefore(account.listedAt.plus(settings.minListInterval()));
        }

        /** Not sent yet: look for its tag, then send it if the broker has no such order. */
        private void send(WorkedOrder o) {
            if (!due(o)) {
                return;
            }
            Optional<OrderStatusReport> found;
            if (broker.placesOncePerTag()) {
                found = Optional.empty(); // the placement itself answers with an order already carrying the tag
            } else if (historyOnly(o)) {
                found = broker.findOrderByTag(o.tag());
            } else if (listed != null) {
                found = listedByTag(o.tag());
            } else if (account.cheap) {
                found = broker.findOrderByTag(o.tag());
            } else {
                return; // the account's next list decides
            }
            if (found.isPresent()) {
                adopt(o, found.get());
                return;
            }
            PlacedOrder placed;
            try {
                placed = o.ticket().placeWith(broker);
            } catch (BrokerOutcomeUnknownException ex) {
                // The order may exist: a resend could double it. Look for the tag until the window ends.
                log.warn("trade {}: placing {} has an unknown outcome ({}); looking for it by tag", o.tradeId(),
                        o.tag(), ex.getMessage());
                progress(o.unknown(now.plus(settings.firstPoll()), settings.firstPoll().toMillis()));
                return;
            } catch (BrokerRateLimitException | BrokerUnavailableException ex) {
                throw ex; // certainly not placed: the account backs off, the tag is looked for again, then sent
            } catch (RuntimeException ex) { // refused (funds, validation, credentials)
                end(o, Kind.REFUSED, ex.getMessage() == null ? "refused by the broker" : ex.getMessage());
                return;
            }
            WorkedOrder sent = o.sent(placed.orderId());
            progress(sent);
            if (placed.report() != null) {
                observe(sent, placed.report()); // the broker answered with the order itself: reported at once
            } else if (account.cheap) {
                placedNow.add(sent); // no budget to keep: read back at the end of the round and reported at once
            }
        }

        private Optional<OrderStatusReport> listedByTag(String tag) {
            if (listedTags == null) {
                listedTags = new HashMap<>();
                listed.values().stream().filter(r -> r.tag() != null).forEach(r -> listedTags.putIfAbsent(r.tag(), r));
            }
            return Optional.ofNullable(listedTags.get(tag));
        }

        /** What a broker without a request budget took this round, read back with one more list. */
        private void readBackPlaced() {
            if (placedNow.isEmpty()) {
                return;
            }
            Map<String, OrderStatusReport> now = listById();
            for (WorkedOrder o : placedNow) {
                OrderStatusReport r = now.get(o.orderId());
                if (r != null) {
                    observe(o, r);
                }
            }
        }

        /** Sent without an answer: look for it by tag in the broker's history; never send it again. */
        private void lookUp(WorkedOrder o) {
            if (!due(o)) {
                return;
            }
            Optional<OrderStatusReport> found;
            try {
                found = broker.findOrderByTag(o.tag());
            } catch (RuntimeException ex) {
                log.info("trade {}: looking for {} failed: {}", o.tradeId(), o.tag(), ex.getMessage());
                long next = settings.nextBackoffMillis(o.backoffMillis());
                progress(o.retryAt(now.plus(Duration.ofMillis(next)), next));
                return;
            }
            if (found.isPresent()) {
                adopt(o, found.get());
            } else if (!now.isBefore(o.confirmBy())) {
                log.error("trade {}: placement of order {} has an unknown outcome and the order was not found; "
                        + "it was not sent again", o.tradeId(), o.tag());
                end(o, Kind.UNCONFIRMED, "the broker did not say whether it took the order, and no order tagged "
                        + o.tag() + " appeared within " + window() + " s; it was not sent again");
            } else {
                long next = Math.min(Math.max(settings.firstPoll().toMillis(),
                                Math.round(o.backoffMillis() * settings.backoffFactor())),
                        settings.maxUnconfirmedPoll().toMillis());
                progress(o.retryAt(now.plus(Duration.ofMillis(next)), next));
            }
        }

        /** At the broker: its state from the list (or read alone when the list no longer shows it). */
        private void follow(WorkedOrder o) {
            OrderStatusReport r;
            if (listed != null) {
                r = listed.get(o.orderId());
                if (r == null && (o.acknowledged() || historyOnly(o)) && lookups < LOOKUPS_PER_ROUND) {
                    lookups++;
                    r = read(o.orderId());
                }
            } else if (readEach) {
                r = read(o.orderId());
            } else {
                return; // not this round: the account's list budget
            }
            if (r == null) {
                if (!o.acknowledged() && !now.isBefore(o.confirmBy())) {
                    unconfirmed(o);
                }
                return;
            }
            observe(o, r);
        }

        /** Never acknowledged within the window: a last look by tag, else it is canceled and the leg ends. */
        private void unconfirmed(WorkedOrder o) {
            Optional<OrderStatusReport> found = broker.findOrderByTag(o.tag());
            if (found.isPresent()) {
                observe(o.sent(found.get().orderId()), found.get());
                return;
            }
            cancelQuietly(o.orderId()); // never acknowledged: it must not fill behind the trade's back
            end(o, Kind.UNCONFIRMED, "the broker did not confirm the order within " + window() + " s");
        }

        /** The broker shows the order: cancel it if withdrawn, report it if it changed, forget it once it ended. */
        private void observe(WorkedOrder o, OrderStatusReport r) {
            WorkedOrder current = r.state().isWorking() && cancelDue(o) ? cancel(o) : o;
            String fingerprint = fingerprint(r);
            if (r.state().isTerminal()) {
                if (!fingerprint.equals(current.lastReport())) {
                    report(current, Kind.SEEN, r, null);
                }
                toldRemoved.add(current.tag());
            } else if (!fingerprint.equals(current.lastReport())) {
                report(current, Kind.SEEN, r, null);
                WorkedOrder told = current.seen(fingerprint);
                toldUpdated.put(told.tag(), told);
            }
        }

        private OrderStatusReport read(String orderId) {
            try {
                return broker.getOrder(orderId);
            } catch (BrokerRateLimitException | BrokerUnavailableException ex) {
                throw ex;
            } catch (BrokerException ex) {
                log.info("order {} could not be read: {}", orderId, ex.getMessage());
                return null;
            }
        }

        private void cancelQuietly(String orderId) {
            try {
                broker.cancelOrder(orderId);
            } catch (RuntimeException ex) {
                log.warn("cancel of order {} failed: {}", orderId, ex.getMessage());
            }
        }

        /** The leg is over: tell its saga why (unless nobody listens) and forget it. */
        private void end(WorkedOrder o, Kind kind, String reason) {
            report(o, kind, null, reason);
            toldRemoved.add(o.tag());
        }

        private void report(WorkedOrder o, Kind kind, OrderStatusReport r, String reason) {
            if (!o.silent()) {
                reports.add(reported(o, kind, r, reason, now));
            }
        }

        private void failed(List<WorkedOrder> live, RuntimeException ex) {
            account.backoffMillis = settings.nextBackoffMillis(account.backoffMillis);
            account.backoffUntil = now.plus(Duration.ofMillis(account.backoffMillis));
            log.info("account {}: broker work deferred {} ms: {}", accountKey, account.backoffMillis, ex.getMessage());
            if (passesByItself(ex)) {
                return;
            }
            // Waiting will not cure it (credentials, the account): every trade of the account says why it does not move.
            String problem = ex instanceof BrokerException && ex.getMessage() != null ? ex.getMessage()
                    : "the broker account cannot be used";
            for (WorkedOrder o : live) {
                if (!o.silent() && !problem.equals(account.problems.get(o.tradeId()))) {
                    tell(new ReportBrokerProblemCommand(new TradeId(o.tradeId()), problem));
                    account.problems.put(o.tradeId(), problem);
                }
            }
        }

        private void clearProblem() {
            if (!account.problems.isEmpty()) {
                account.problems.keySet().forEach(id -> tell(ReportBrokerProblemCommand.cleared(new TradeId(id))));
                account.problems.clear();
            }
        }

        private boolean due(WorkedOrder o) {
            return o.retryAt() == null || !now.isBefore(o.retryAt());
        }

        /** Older than the account's list is trusted to show: only the broker's history can. */
        private boolean historyOnly(WorkedOrder o) {
            return o.notBefore().isBefore(now.minus(ExecutionSettings.LIST_TRUSTED_FOR));
        }

        private Instant patienceEnd(WorkedOrder o) {
            return o.confirmBy().plus(settings.confirmationTimeout().multipliedBy(UNKNOWN_PATIENCE - 1));
        }

        private long window() {
            return settings.confirmationTimeout().toSeconds();
        }
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

    /** What a saga acts on: the order's and its legs' states and fills. */
    static String fingerprint(OrderStatusReport r) {
        StringBuilder b = new StringBuilder().append(r.state()).append('/').append(r.execQuantity())
                .append('/').append(r.avgFillPrice()).append('/').append(r.lastFillPrice());
        r.legs().forEach(l -> b.append('|').append(l.state()).append('/').append(l.execQuantity())
                .append('/').append(l.avgFillPrice()));
        return b.toString();
    }

    static BrokerOrderReportedEvent reported(WorkedOrder o, Kind kind, OrderStatusReport r, String reason,
                                             Instant at) {
        if (r == null) {
            return new BrokerOrderReportedEvent(new TradeId(o.tradeId()), o.tag(), kind, o.orderId(), null, null,
                    null, null, null, reason, List.of(), at);
        }
        List<BrokerOrderReportedEvent.Leg> legs = r.legs().stream()
                .map(l -> new BrokerOrderReportedEvent.Leg(l.orderId(), name(l.state()), name(l.type()),
                        l.execQuantity(), l.avgFillPrice(), l.lastFillPrice()))
                .toList();
        return new BrokerOrderReportedEvent(new TradeId(o.tradeId()), o.tag(), kind, r.orderId(), name(r.state()),
                name(r.type()), r.execQuantity(), r.avgFillPrice(), r.lastFillPrice(), r.reasonDescription(), legs, at);
    }

    private static String name(Enum<?> value) {
        return value == null ? null : value.name();
    }

    /** What is known of one account between rounds; guarded by its own monitor. */
    private static final class Account {
        /** Trades told about the account's current problem, and what they were told. */
        private final Map<String, String> problems = new HashMap<>();
        private Instant listedAt;
        private boolean cheap;
        private Instant backoffUntil;
        private long backoffMillis;
        /** Rounds in a row that saw nothing change at the broker, and until when the account is left alone. */
        private int quietRounds;
        private Instant quietUntil;
        private long lists;
    }
}
