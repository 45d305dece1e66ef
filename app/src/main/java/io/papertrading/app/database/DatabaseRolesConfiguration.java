package io.papertrading.app.database;

import io.papertrading.query.support.UserScope;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The application's two database roles as connections: the engine's are Spring's own DataSource, JPA transaction
 * manager and {@code JdbcTemplate} (Axon, db-scheduler, projections, order desk, price monitor, simulated
 * exchange); the request role's are {@link RequestDatabase}, a pool of its own. Each has a {@link UserScope}: the
 * request one is primary, so whatever asks for a scope without naming one gets the role that reaches least.
 */
@Configuration(proxyBeanMethods = false)
class DatabaseRolesConfiguration {

    @Bean(destroyMethod = "close")
    RequestDatabase requestDatabase(Environment env, @Value("${paper.db.request-pool-size:10}") int poolSize) {
        return RequestDatabase.connect(env.getRequiredProperty(RequestDatabase.URL),
                env.getRequiredProperty(RequestDatabase.USERNAME), env.getProperty(RequestDatabase.PASSWORD, ""), poolSize);
    }

    /** Request handling: the query API, the settings API, the risk checks of a placement. */
    @Bean(UserScope.REQUESTS)
    @Primary
    UserScope requestUserScope(RequestDatabase requests) {
        return new UserScope(requests.jdbc(), requests.transactions());
    }

    /** The projections (binding each event's user in their processor's transaction) and the engine's settings reads. */
    @Bean(UserScope.ENGINE)
    UserScope engineUserScope(JdbcTemplate jdbc, PlatformTransactionManager transactionManager) {
        return new UserScope(jdbc, transactionManager);
    }

    /** {@code requestDatabase} in {@code /actuator/health}: the request role's pool answers. */
    @Bean
    HealthIndicator requestDatabaseHealthIndicator(RequestDatabase requests) {
        return () -> {
            try {
                requests.jdbc().queryForObject("select 1", Integer.class);
                return Health.up().withDetail("pool", requests.pool().getPoolName()).build();
            } catch (RuntimeException e) {
                // the exception's type only: its message can name the server, the role or SQL
                return Health.down().withDetail("error", e.getClass().getSimpleName()).build();
            }
        };
    }
}
