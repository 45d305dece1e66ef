package io.papertrading.app.database;

import com.zaxxer.hikari.HikariDataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * The request role's connections ({@code PAPER_DB_USER}): a pool of its own beside the engine's, with its own
 * transactions, for what request handling reads and writes itself (the read model and the settings, always as one
 * bound user through {@link io.papertrading.query.support.UserScope}). The role cannot read the event store, the
 * sagas, tokens, dead letters, deadlines, the order desk, the live-trade book or the simulated exchange, nor call
 * the reset functions (migration V33), so no bug in a query can reach them.
 *
 * <p>Deliberately not a {@code DataSource} bean: Spring Boot would then stop configuring the engine's (JPA, Axon,
 * db-scheduler and every {@code JdbcTemplate} use that one).
 */
record RequestDatabase(HikariDataSource pool, JdbcTemplate jdbc, DataSourceTransactionManager transactions)
        implements AutoCloseable {

    /** Set by {@link EmbeddedDatabaseEnvironmentPostProcessor} from {@code PAPER_DB_URL} and {@code PAPER_DB_USER}. */
    static final String URL = "paper.request-datasource.url";
    static final String USERNAME = "paper.request-datasource.username";
    static final String PASSWORD = "paper.request-datasource.password";

    static RequestDatabase connect(String url, String username, String password, int poolSize) {
        HikariDataSource pool = new HikariDataSource();
        pool.setPoolName("requests");
        pool.setJdbcUrl(url);
        pool.setUsername(username);
        pool.setPassword(password);
        pool.setMaximumPoolSize(poolSize);
        pool.setMinimumIdle(Math.min(2, poolSize));
        return new RequestDatabase(pool, new JdbcTemplate(pool), new DataSourceTransactionManager(pool));
    }

    @Override
    public void close() {
        pool.close();
    }
}
