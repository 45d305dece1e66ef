package io.papertrading.app.execution;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.papertrading.command.execution.DeskOrders;
import io.papertrading.command.execution.OrderTicket;
import io.papertrading.command.execution.WorkedOrder;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The order desk's legs in {@code desk_orders} (V32). The saga's writes join its transaction, so a saga step that
 * is rolled back (a lost version race) asks for nothing; once a saga's change is committed, {@code changed} hears
 * of its account, so the desk on this node works it at once instead of at its next tick. The desk writes only its
 * own columns, so neither side undoes the other's change.
 */
class JdbcDeskOrders implements DeskOrders {

    private static final ObjectMapper JSON = JsonMapper.builder().addModule(new JavaTimeModule())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();
    private static final String SELECT = """
            select tag, trade_id, username, account_key, ticket, not_before, confirm_by, withdraw, silent, stage,
                   order_id, acknowledged, cancel_sent, last_report, retry_at, backoff_ms
            from desk_orders""";

    private final JdbcTemplate jdbc;
    private final Consumer<String> changed;

    JdbcDeskOrders(JdbcTemplate jdbc, Consumer<String> changed) {
        this.jdbc = jdbc;
        this.changed = changed;
    }

    @Override
    public void add(WorkedOrder o) {
        jdbc.update("""
                insert into desk_orders (tag, trade_id, username, account_key, ticket, not_before, confirm_by, stage)
                values (?, ?, ?, ?, ?::jsonb, ?, ?, ?) on conflict (tag) do nothing""",
                o.tag(), o.tradeId(), o.username(), o.accountKey(), json(o.ticket()), time(o.notBefore()),
                time(o.confirmBy()), o.stage().name());
        afterCommit(o.accountKey());
    }

    @Override
    public void withdraw(String tag, boolean silent) {
        List<String> accounts = jdbc.queryForList(
                "update desk_orders set withdraw = true, silent = silent or ? where tag = ? returning account_key",
                String.class, silent, tag);
        accounts.forEach(this::afterCommit);
    }

    @Override
    public void abandon(String tradeId) {
        List<String> accounts = jdbc.queryForList("""
                with forgotten as (delete from desk_orders where trade_id = ? and done)
                update desk_orders set withdraw = true, silent = true where trade_id = ? and not done
                returning account_key""", String.class, tradeId, tradeId);
        accounts.stream().distinct().forEach(this::afterCommit);
    }

    @Override
    public void update(WorkedOrder o) {
        jdbc.update(UPDATE, progress(o));
    }

    private static final String UPDATE = """
            update desk_orders set confirm_by = ?, stage = ?, order_id = ?, acknowledged = ?, cancel_sent = ?,
                last_report = ?, retry_at = ?, backoff_ms = ?
            where tag = ?""";

    /** The desk's own columns only: the saga's wishes (withdraw, silent) stay as they are. */
    private static Object[] progress(WorkedOrder o) {
        return new Object[]{time(o.confirmBy()), o.stage().name(), o.orderId(), o.acknowledged(), o.cancelSent(),
                o.lastReport(), time(o.retryAt()), o.backoffMillis(), o.tag()};
    }

    @Override
    public void updateAll(Collection<WorkedOrder> orders) {
        jdbc.batchUpdate(UPDATE, orders.stream().map(JdbcDeskOrders::progress).toList());
    }

    @Override
    public void remove(String tag) {
        removeAll(List.of(tag));
    }

    /** Done, but the tag stays until the trade ends (see {@link DeskOrders#remove}); a silent leg goes at once. */
    @Override
    public void removeAll(Collection<String> tags) {
        String[] array = tags.toArray(String[]::new);
        jdbc.update("""
                with gone as (delete from desk_orders where tag = any(?) and silent)
                update desk_orders set done = true where tag = any(?) and not silent""", array, array);
    }

    @Override
    public List<WorkedOrder> all() {
        return jdbc.query(SELECT + " where not done order by account_key, tag", ROW);
    }

    @Override
    public Map<String, Boolean> accountsByUrgency() {
        Map<String, Boolean> accounts = new HashMap<>();
        jdbc.query("""
                select account_key, bool_or(not (stage = 'SENT' and acknowledged and not withdraw)) as news
                from desk_orders where not done group by account_key""",
                rs -> {
                    accounts.put(rs.getString("account_key"), rs.getBoolean("news"));
                });
        return accounts;
    }

    @Override
    public List<WorkedOrder> of(String accountKey) {
        return jdbc.query(SELECT + " where account_key = ? and not done order by tag", ROW, accountKey);
    }

    /** The desk of this node works the account once the saga's transaction has committed (at once if none runs). */
    private void afterCommit(String accountKey) {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    changed.accept(accountKey);
                }
            });
        } else {
            changed.accept(accountKey);
        }
    }

    private static final RowMapper<WorkedOrder> ROW = (rs, n) -> new WorkedOrder(rs.getString("tag"),
            rs.getString("trade_id"), rs.getString("username"), rs.getString("account_key"), ticket(rs),
            instant(rs, "not_before"), instant(rs, "confirm_by"), rs.getBoolean("withdraw"), rs.getBoolean("silent"),
            WorkedOrder.Stage.valueOf(rs.getString("stage")), rs.getString("order_id"), rs.getBoolean("acknowledged"),
            rs.getBoolean("cancel_sent"), rs.getString("last_report"), instant(rs, "retry_at"), rs.getLong("backoff_ms"));

    private static OrderTicket ticket(ResultSet rs) throws SQLException {
        try {
            return JSON.readValue(rs.getString("ticket"), OrderTicket.class);
        } catch (JsonProcessingException e) {
            throw new SQLException("desk order " + rs.getString("tag") + ": unreadable ticket", e);
        }
    }

    private static String json(OrderTicket ticket) {
        try {
            return JSON.writeValueAsString(ticket);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("ticket not serializable", e);
        }
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    private static Timestamp time(Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }
}
