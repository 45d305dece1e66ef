package io.papertrading.broker.simulated;

import io.papertrading.kernel.money.Money;

import javax.sql.DataSource;
import java.util.function.Function;

/**
 * Where simulated accounts keep their cash, holdings and orders. {@link #inMemory()} lives as long as the
 * process; {@link #postgres(DataSource)} keeps them in PostgreSQL, so they survive restarts and every node of a
 * cluster trades on the same accounts.
 */
public sealed interface SimulatedBooks permits InMemoryBooks, JdbcSimulatedBooks {

    /** Books held in this process's memory. */
    static SimulatedBooks inMemory() {
        return new InMemoryBooks();
    }

    /** Books in the {@code sim_*} tables of the database behind {@code dataSource}. */
    static JdbcSimulatedBooks postgres(DataSource dataSource) {
        return new JdbcSimulatedBooks(dataSource);
    }

    /**
     * Runs {@code work} on one account's books while holding the account exclusively (across nodes for shared
     * books), opening the account with {@code startingCash} on first use, and keeps what it changed. Changes are
     * kept too when {@code work} refuses with a {@link io.papertrading.broker.BrokerException}: orders filled
     * or expired on the way stay so.
     */
    <T> T withAccount(String accountId, Money startingCash, Function<AccountBook, T> work);

    /**
     * Runs {@code work} on a snapshot of one account's books without holding the account and without keeping
     * what it changes: for reads that may be a moment behind a concurrent operation on the account (a balance
     * checked before an order, which the exchange checks again when the order arrives). Orders that would fill
     * or expire by now show so in the snapshot; the next operation that holds the account records it.
     */
    <T> T readAccount(String accountId, Money startingCash, Function<AccountBook, T> work);

    /**
     * Whether the account ever took an order tagged {@code tag}, read without opening the account's books: the
     * desk asks before every first placement, and the answer is almost always no.
     */
    boolean hasOrderTagged(String accountId, String tag);
}
