package io.papertrading.broker.simulated;

import io.papertrading.kernel.money.Money;

import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/** Books in this process's memory: for tests and tools; forgotten when the process ends. Thread-safe. */
final class InMemoryBooks implements SimulatedBooks {

    private final AtomicLong orderIds = new AtomicLong(1000);
    private final ConcurrentMap<String, Account> accounts = new ConcurrentHashMap<>();

    @Override
    public <T> T withAccount(String accountId, Money startingCash, Function<AccountBook, T> work) {
        Account account = accounts.computeIfAbsent(accountId, id -> new Account(new Ledger(startingCash)));
        synchronized (account) {
            return work.apply(account);
        }
    }

    /** In memory holding the account costs nothing: the same as {@link #withAccount}. */
    @Override
    public <T> T readAccount(String accountId, Money startingCash, Function<AccountBook, T> work) {
        return withAccount(accountId, startingCash, work);
    }

    @Override
    public boolean hasOrderTagged(String accountId, String tag) {
        Account account = accounts.get(accountId);
        if (account == null) {
            return false;
        }
        synchronized (account) {
            return account.listedIdByTag(tag) != null;
        }
    }

    private final class Account implements AccountBook {

        private final Ledger ledger;
        /** Orders and legs in placement order. */
        private final Map<String, SimOrder> orders = new LinkedHashMap<>();

        Account(Ledger ledger) {
            this.ledger = ledger;
        }

        @Override
        public Ledger ledger() {
            return ledger;
        }

        @Override
        public String nextOrderId() {
            return Long.toString(orderIds.incrementAndGet());
        }

        @Override
        public Collection<SimOrder> working() {
            return orders.values().stream().filter(SimOrder::isWorking).toList();
        }

        @Override
        public SimOrder find(String orderId) {
            return orders.get(orderId);
        }

        @Override
        public List<SimOrder> legs(String groupId) {
            return orders.values().stream().filter(o -> groupId.equals(o.parentId)).toList();
        }

        @Override
        public List<String> listed(Instant since) {
            Set<String> ids = new LinkedHashSet<>();
            for (SimOrder o : orders.values()) {
                if (o.isWorking() || !o.changedAt().isBefore(since)) {
                    ids.add(o.listedId());
                }
            }
            return List.copyOf(ids);
        }

        @Override
        public String listedIdByTag(String tag) {
            return orders.values().stream().filter(o -> tag.equals(o.request.tag())).findFirst()
                    .map(SimOrder::listedId).orElse(null);
        }

        @Override
        public void add(SimOrder order) {
            orders.put(order.id, order);
        }
    }
}
