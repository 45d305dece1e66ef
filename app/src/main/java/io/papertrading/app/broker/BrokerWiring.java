package io.papertrading.app.broker;

import com.zaxxer.hikari.HikariDataSource;
import io.papertrading.broker.BrokerFactory;
import io.papertrading.broker.crypto.TokenCipher;
import io.papertrading.broker.simulated.JdbcSimulatedBooks;
import io.papertrading.broker.simulated.MarketHours;
import io.papertrading.broker.simulated.SimulatedBooks;
import io.papertrading.broker.simulated.SimulatedMarket;
import io.papertrading.broker.simulated.SimulationSettings;
import io.papertrading.broker.tradier.TradierEndpoints;
import io.papertrading.broker.tradier.TradierTuning;
import io.papertrading.kernel.money.Money;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.jdbc.DataSourceProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.DependsOn;
import org.springframework.core.env.Environment;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The brokers: the simulated exchange (its books in PostgreSQL behind a small pool of its own, one market for the
 * whole cluster seeded by {@code PAPER_SIM_SEED} or by the seed the first node stored), Tradier's environments at
 * the operator's URLs, and the factory that builds each user's broker from their settings.
 */
@Configuration(proxyBeanMethods = false)
class BrokerWiring {

    private static final Logger log = LoggerFactory.getLogger(BrokerWiring.class);

    /**
     * The exchange is a system of its own beside the engine: its pool is separate so that a saga holding a
     * connection of the main pool never waits on that same pool for the exchange's.
     */
    @Bean(destroyMethod = "close")
    SimulatedExchange simulatedExchange(DataSourceProperties database,
                                        @Value("${paper.sim.pool-size:6}") int poolSize) {
        HikariDataSource pool = database.initializeDataSourceBuilder().type(HikariDataSource.class).build();
        pool.setPoolName("sim-exchange");
        pool.setMaximumPoolSize(poolSize);
        pool.setMinimumIdle(1);
        return new SimulatedExchange(pool, SimulatedBooks.postgres(pool));
    }

    /** Runs after the migrations: the seed lives in {@code sim_market}. */
    @Bean
    @DependsOn("flywayInitializer")
    SimulatedMarket simulatedMarket(SimulatedExchange exchange, @Value("${paper.sim.seed:}") String seed,
                                    Clock clock) {
        OptionalLong configured = seed == null || seed.isBlank() ? OptionalLong.empty()
                : OptionalLong.of(Long.parseLong(seed.trim()));
        long value = exchange.books().marketSeed(configured);
        log.info("Simulated market seeded with {}{}", value, configured.isPresent() ? " (configured)" : "");
        return new SimulatedMarket(value, clock);
    }

    @Bean
    SimulationSettings simulationSettings(@Value("${paper.sim.fill-latency:500ms}") Duration fillLatency,
                                          @Value("${paper.sim.market-hours:ALWAYS_OPEN}") MarketHours hours,
                                          @Value("${paper.sim.starting-cash:100000}") BigDecimal startingCash) {
        return new SimulationSettings(fillLatency, hours, new Money(startingCash));
    }

    @Bean
    TokenCipher tokenCipher(@Value("${paper.encryption-key:}") String key) {
        // A missing key is not fatal at startup: simulated users need none, and Tradier users get the one clear
        // "re-enter your broker credentials" answer when their token cannot be read.
        return TokenCipher.fromKey(key);
    }

    @Bean
    TradierEndpoints tradierEndpoints(Environment env) {
        Map<String, String> urls = new HashMap<>();
        putIfSet(urls, "PAPER_TRADIER_SANDBOX_URL", env.getProperty("paper.tradier-sandbox-url"));
        putIfSet(urls, "PAPER_TRADIER_LIVE_URL", env.getProperty("paper.tradier-live-url"));
        return TradierEndpoints.from(urls);
    }

    @Bean
    BrokerFactory brokerFactory(TokenCipher cipher, TradierEndpoints endpoints, SimulatedMarket market,
                                SimulationSettings simulation, SimulatedExchange exchange, Clock clock,
                                @Value("${paper.tradier.timeout:10s}") Duration timeout) {
        // 30 s by default: Tradier's sandbox answers chains slowly (the earlier implementation's AD-10)
        return new BrokerFactory(cipher, endpoints, TradierTuning.defaults().withClock(clock).withTimeout(timeout),
                market, simulation, exchange.books());
    }

    /** The exchange's pool and its books. */
    record SimulatedExchange(HikariDataSource pool, JdbcSimulatedBooks books) implements AutoCloseable {
        @Override
        public void close() {
            pool.close();
        }
    }

    private static void putIfSet(Map<String, String> map, String key, String value) {
        if (value != null && !value.isBlank()) {
            map.put(key, value);
        }
    }
}
