package io.papertrading.app.execution;

import io.papertrading.command.execution.OrderWatch;
import io.papertrading.command.execution.WatchedOrders;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import java.sql.Timestamp;
import java.util.List;
import java.util.function.Consumer;

/**
 * The watched orders in {@code watched_orders} (V32). Writes join the saga's transaction, so a saga step that is
 * rolled back (a lost version race) leaves no watch behind. Once a new watch is committed, {@code started} hears of
 * its account, so the poller on this node can look at once instead of at its next tick.
 */
class JdbcWatchedOrders implements WatchedOrders {

    private final JdbcTemplate jdbc;
    private final Consumer<String> started;

    JdbcWatchedOrders(JdbcTemplate jdbc, Consumer<String> started) {
        this.jdbc = jdbc;
        this.started = started;
    }

    @Override
    public void watch(OrderWatch w) {
        jdbc.update("""
                insert into watched_orders (trade_id, username, account_key, order_id, generation, sent_at)
                values (?, ?, ?, ?, ?, ?)
                on conflict (trade_id) do update set username = excluded.username, account_key = excluded.account_key,
                    order_id = excluded.order_id, generation = excluded.generation, sent_at = excluded.sent_at""",
                w.tradeId(), w.username(), w.accountKey(), w.orderId(), w.generation(), Timestamp.from(w.sentAt()));
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    started.accept(w.accountKey());
                }
            });
        } else {
            started.accept(w.accountKey());
        }
    }

    @Override
    public void unwatch(String tradeId) {
        jdbc.update("delete from watched_orders where trade_id = ?", tradeId);
    }

    @Override
    public List<OrderWatch> all() {
        return jdbc.query(SELECT + " order by account_key, trade_id", ROW);
    }

    @Override
    public List<OrderWatch> of(String accountKey) {
        return jdbc.query(SELECT + " where account_key = ? order by trade_id", ROW, accountKey);
    }

    private static final String SELECT =
            "select trade_id, username, account_key, order_id, generation, sent_at from watched_orders";
    private static final RowMapper<OrderWatch> ROW = (rs, n) -> new OrderWatch(rs.getString(1),
            rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5), rs.getTimestamp(6).toInstant());
}
