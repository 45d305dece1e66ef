package io.papertrading.query.trade;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.papertrading.kernel.trade.TradeStatus;
import io.papertrading.query.support.UserScope;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Component;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the trade read model as one user, always through {@link UserScope}: row-level security decides what
 * is visible, so another user's trade is indistinguishable from a trade that does not exist.
 */
@Component
public class TradeQueries {

    /** The longest a read waits for a trade to reach a version. */
    public static final Duration MAX_VERSION_WAIT = Duration.ofSeconds(5);
    /** How often a waiting read re-reads when no local commit wakes it (writes projected on another node). */
    // local commits wake waiters at once; this only bounds how late a write projected on another node is seen
    private static final long RECHECK_NANOS = Duration.ofMillis(100).toNanos();
    /**
     * Requests of this node that may wait for a version at once. Each holds a request thread; beyond this
     * many, {@code ?minVersion} answers at once with what the read model has, so waiting readers can never
     * take every request thread (Tomcat has 200).
     */
    public static final int MAX_WAITERS = 32;
    private final java.util.concurrent.Semaphore waiters = new java.util.concurrent.Semaphore(MAX_WAITERS);

    private static final String COLUMNS = TradeRows.VIEW_COLUMNS;

    /** The oldest transaction still running: everything below it has ended (migration V34). */
    private static final String HORIZON = "select pg_snapshot_xmin(pg_current_snapshot())::text::bigint";

    private final UserScope userScope;
    private final TradeChangeSignal signal;
    private final ObjectReader contextReader;
    private final RowMapper<TradeView> tradeMapper;

    TradeQueries(UserScope userScope, TradeChangeSignal signal, ObjectMapper objectMapper) {
        this.userScope = userScope;
        this.signal = signal;
        // prices inside the context stay exact
        this.contextReader = objectMapper.readerFor(Map.class).with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
        this.tradeMapper = (rs, n) -> TradeRows.view(rs, contextReader);
    }

    /** One page of the user's trades matching the query, newest first, with the total that match. */
    public FindTradesResponse find(FindTradesQuery q) {
        StringBuilder where = new StringBuilder(" where username = ?");
        List<Object> args = new ArrayList<>();
        args.add(q.username());
        if (!q.statuses().isEmpty()) {
            where.append(" and status in (").append(String.join(", ", Collections.nCopies(q.statuses().size(), "?"))).append(')');
            q.statuses().stream().map(Enum::name).sorted().forEach(args::add);
        }
        if (q.symbol() != null) {
            where.append(" and symbol = ?");
            args.add(q.symbol());
        }
        if (q.strategy() != null) {
            where.append(" and strategy = ?");
            args.add(q.strategy());
        }
        if (q.from() != null) {
            where.append(" and created_at >= ?");
            args.add(startOfDay(q.from()));
        }
        if (q.to() != null) {
            where.append(" and created_at < ?");
            args.add(startOfDay(q.to().plusDays(1)));
        }
        List<Object> pageArgs = new ArrayList<>(args);
        pageArgs.add(q.size());
        pageArgs.add((long) q.page() * q.size());
        return userScope.read(q.username(), jdbc -> {
            List<TradeView> items = jdbc.query("select " + COLUMNS + " from paper_trades" + where
                    + " order by created_at desc, id desc limit ? offset ?", tradeMapper, pageArgs.toArray());
            // a short page that is not past the end already tells the total: skip the count
            boolean lastPage = items.size() < q.size() && (!items.isEmpty() || q.page() == 0);
            long total = lastPage ? (long) q.page() * q.size() + items.size()
                    : jdbc.queryForObject("select count(*) from paper_trades" + where, Long.class, args.toArray());
            return new FindTradesResponse(items, q.page(), q.size(), total);
        });
    }

    /** The user's trade, or empty when it does not exist or belongs to someone else. */
    public Optional<TradeView> find(String username, String tradeId) {
        return userScope.query(username, "select " + COLUMNS + " from paper_trades where id = ?", tradeMapper, tradeId)
                .stream().findFirst();
    }

    /**
     * The user's trade once the read model has reached {@code minVersion}, waiting at most {@code maxWait}
     * (capped at {@link #MAX_VERSION_WAIT}); after that, whatever the read model has (possibly nothing).
     */
    public Optional<TradeView> findAtLeast(String username, String tradeId, long minVersion, Duration maxWait) {
        if (!waiters.tryAcquire()) {
            // every waiting slot is taken: answer what the read model has now rather than queue another thread
            return find(username, tradeId);
        }
        try {
            return waitFor(username, tradeId, minVersion, maxWait);
        } finally {
            waiters.release();
        }
    }

    private Optional<TradeView> waitFor(String username, String tradeId, long minVersion, Duration maxWait) {
        long deadline = System.nanoTime() + Math.min(maxWait.toNanos(), MAX_VERSION_WAIT.toNanos());
        while (true) {
            long seen = signal.generation();
            Optional<TradeView> trade = find(username, tradeId);
            long remaining = deadline - System.nanoTime();
            if (trade.map(t -> t.version() >= minVersion).orElse(false) || remaining <= 0) {
                return trade;
            }
            try {
                signal.awaitChangeAfter(seen, Math.min(remaining, RECHECK_NANOS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return trade;
            }
        }
    }

    /** Where a live-update stream that starts now begins: the current horizon (see {@link #changesSince}). */
    public long streamHorizon(String username) {
        return userScope.read(username, jdbc -> jdbc.queryForObject(HORIZON, Long.class));
    }

    /**
     * The user's trades written since {@code cursor} (a horizon an earlier call returned), oldest change first,
     * and the new horizon. A row whose transaction
     * is not yet below the new horizon (an older transaction was still running) is left for the next call and
     * reported in {@link TradeChanges#deferred()}: a caller should ask again soon, since that transaction's end
     * may notify nobody. See the {@code V34} migration for why this never skips a late commit.
     */
    public TradeChanges changesSince(String username, long cursor) {
        return userScope.read(username, jdbc -> {
            // read before the rows, in an earlier statement: every transaction below it has ended by then
            long horizon = jdbc.queryForObject(HORIZON, Long.class);
            List<TradeView> changed = new ArrayList<>();
            boolean[] deferred = {false};
            jdbc.query("select " + COLUMNS + ", change_tx::text::bigint as change_tx from paper_trades"
                    + " where username = ? and change_tx >= ?::text::xid8 order by change_tx, id", rs -> {
                if (rs.getLong("change_tx") < horizon) {
                    changed.add(TradeRows.view(rs, contextReader));
                } else {
                    deferred[0] = true;
                }
            }, username, cursor);
            return new TradeChanges(changed, horizon, deferred[0]);
        });
    }

    /** The trade's status changes, oldest first; empty when the trade is not the user's. */
    public Optional<List<TransitionView>> transitions(String username, String tradeId) {
        return userScope.read(username, jdbc -> {
            List<TransitionView> rows = jdbc.query("""
                    select from_status, to_status, reason, actor, occurred_at, version
                    from state_transitions where trade_id = ? order by version, id""",
                    (rs, n) -> new TransitionView(
                            TradeRows.parse(TradeStatus.class, rs.getString("from_status")),
                            TradeRows.parse(TradeStatus.class, rs.getString("to_status")),
                            rs.getString("reason"), rs.getString("actor"),
                            TradeRows.instant(rs, "occurred_at"), rs.getLong("version")),
                    tradeId);
            if (!rows.isEmpty()) {
                return Optional.of(rows);
            }
            Integer exists = jdbc.query("select 1 from paper_trades where id = ?", (rs, n) -> 1, tradeId)
                    .stream().findFirst().orElse(null);
            return exists == null ? Optional.<List<TransitionView>>empty() : Optional.of(rows);
        });
    }

    /** Most snapshots one request returns; the default when no limit is given. */
    public static final int MAX_SNAPSHOTS = 5000;
    public static final int DEFAULT_SNAPSHOTS = 500;

    /**
     * The trade's price snapshots with {@code from <= at <= to} (either bound optional), oldest first, at most
     * {@code limit}; empty when the trade is not the user's.
     */
    public Optional<List<SnapshotView>> snapshots(String username, String tradeId, Instant from, Instant to, int limit) {
        return userScope.read(username, jdbc -> {
            Integer exists = jdbc.query("select 1 from paper_trades where id = ?", (rs, n) -> 1, tradeId)
                    .stream().findFirst().orElse(null);
            if (exists == null) {
                return Optional.<List<SnapshotView>>empty();
            }
            return Optional.of(jdbc.query("""
                    select at, bid, ask, last, mark, underlying_price, iv, delta, unrealized_pnl, mfe, mae
                    from price_snapshots
                    where trade_id = ? and at >= coalesce(?::timestamptz, '-infinity') and at <= coalesce(?::timestamptz, 'infinity')
                    order by at, id limit ?""",
                    (rs, n) -> TradeRows.snapshot(rs),
                    tradeId, from == null ? null : from.atOffset(ZoneOffset.UTC),
                    to == null ? null : to.atOffset(ZoneOffset.UTC), limit));
        });
    }

    private static OffsetDateTime startOfDay(LocalDate date) {
        return date.atStartOfDay().atOffset(ZoneOffset.UTC);
    }
}
