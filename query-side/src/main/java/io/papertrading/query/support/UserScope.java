package io.papertrading.query.support;

import org.springframework.jdbc.core.ArgumentPreparedStatementSetter;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.RowMapperResultSetExtractor;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.function.Function;

/**
 * Runs read-model work as one user: in a transaction whose first statement binds the user with
 * {@code select set_config('app.current_user', ?, true)}, so row-level security shows that user's rows only.
 * The binding is a bind parameter (no quoting, no injection) and transaction-local (it cannot leak to the
 * next borrower of a pooled connection). Work outside any binding sees no rows at all.
 *
 * <p>The application has two, one per database role: {@link #REQUESTS} (the primary one) on the request role's
 * own pool, which reaches only the read model and the settings, for request handling; and {@link #ENGINE} on the
 * engine's pool and transactions, for the projections (which bind each event's user inside their processor's
 * transaction) and the engine's reads of a user's broker settings.
 */
public class UserScope {

    /** Bean name of the scope request handling uses: the request role ({@code PAPER_DB_USER}). Primary. */
    public static final String REQUESTS = "requestUserScope";
    /** Bean name of the scope the engine uses: the engine role ({@code PAPER_DB_ENGINE_USER}), its transactions. */
    public static final String ENGINE = "engineUserScope";

    private static final String BIND = "select set_config('app.current_user', ?, true)";
    /** Usernames are 1-64 characters (API contract); the database treats them as data, never as SQL. */
    private static final int MAX_USERNAME = 64;

    private final JdbcTemplate jdbc;
    private final TransactionTemplate readTx;
    private final TransactionTemplate writeTx;

    public UserScope(JdbcTemplate jdbc, PlatformTransactionManager transactionManager) {
        this.jdbc = jdbc;
        this.writeTx = new TransactionTemplate(transactionManager);
        this.writeTx.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRED);
        this.readTx = new TransactionTemplate(transactionManager);
        this.readTx.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRED);
        this.readTx.setReadOnly(true);
    }

    /** Runs {@code work} read-only as {@code username} (joining a surrounding transaction if there is one). */
    public <T> T read(String username, Function<JdbcTemplate, T> work) {
        requireUsername(username);
        return readTx.execute(status -> {
            bind(username);
            return work.apply(jdbc);
        });
    }

    /**
     * Runs one query read-only as {@code username}: the binding and the query go to the database as one request
     * and run one after the other, so the query sees the binding and the read costs one round trip, not two.
     * {@code sql} is a single statement with {@code ?} parameters for {@code args}.
     */
    public <T> List<T> query(String username, String sql, RowMapper<T> mapper, Object... args) {
        requireUsername(username);
        return readTx.execute(status -> jdbc.execute((Connection c) -> c.prepareStatement(BIND + ";\n" + sql),
                (PreparedStatement ps) -> {
                    Object[] all = new Object[args.length + 1];
                    all[0] = username;
                    System.arraycopy(args, 0, all, 1, args.length);
                    new ArgumentPreparedStatementSetter(all).setValues(ps);
                    ps.execute(); // the binding's own result
                    if (!ps.getMoreResults()) {
                        throw new IllegalStateException("the query after the binding returned no rows to read");
                    }
                    try (ResultSet rs = ps.getResultSet()) {
                        return new RowMapperResultSetExtractor<>(mapper).extractData(rs);
                    }
                }));
    }

    /** Runs {@code work} as {@code username} in a read-write transaction (joining a surrounding one). */
    public <T> T write(String username, Function<JdbcTemplate, T> work) {
        requireUsername(username);
        return writeTx.execute(status -> {
            bind(username);
            return work.apply(jdbc);
        });
    }

    /**
     * Binds {@code username} for the rest of the current transaction. Callers that already run in a
     * transaction (event processors) use this; without an active transaction the binding would vanish with
     * the statement, so that is refused, and so is a transaction on another database connection than this
     * scope's (a projection wired with the request scope would bind the user on a connection it never writes on).
     */
    public void bindCurrentTransaction(String username) {
        requireUsername(username);
        if (!TransactionSynchronizationManager.isActualTransactionActive()) {
            throw new IllegalStateException("binding a user needs an active transaction");
        }
        if (jdbc.getDataSource() == null || !TransactionSynchronizationManager.hasResource(jdbc.getDataSource())) {
            throw new IllegalStateException("binding a user needs a transaction on this scope's database connection");
        }
        bind(username);
    }

    private void bind(String username) {
        jdbc.queryForObject(BIND, String.class, username);
    }

    private static void requireUsername(String username) {
        if (username == null || username.isBlank() || username.length() > MAX_USERNAME) {
            throw new IllegalArgumentException("a username of 1-" + MAX_USERNAME + " characters is required");
        }
    }
}
