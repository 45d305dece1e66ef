package io.papertrading.app.broker;

import io.papertrading.broker.BrokerFactory;
import io.papertrading.broker.crypto.TokenCipher;
import io.papertrading.broker.simulated.SimulatedMarket;
import io.papertrading.broker.simulated.SimulationSettings;
import io.papertrading.broker.tradier.TradierEndpoints;
import io.papertrading.broker.tradier.TradierTuning;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The brokers: one simulated market for the whole process (seeded by {@code PAPER_SIM_SEED}), Tradier's
 * environments at the operator's URLs, and the factory that builds each user's broker from their settings.
 */
@Configuration(proxyBeanMethods = false)
class BrokerWiring {

    private static final Logger log = LoggerFactory.getLogger(BrokerWiring.class);

    @Bean
    SimulatedMarket simulatedMarket(@Value("${paper.sim.seed:}") String seed, Clock clock) {
        long value = seed == null || seed.isBlank() ? new SecureRandom().nextLong() : Long.parseLong(seed.trim());
        log.info("Simulated market seeded with {}", value);
        return new SimulatedMarket(value, clock);
    }

    @Bean
    SimulationSettings simulationSettings() {
        return SimulationSettings.defaults();
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
                                SimulationSettings simulation, Clock clock,
                                @Value("${paper.tradier.timeout:30s}") Duration timeout) {
        // 30 s by default: Tradier's sandbox answers chains slowly (the earlier implementation's AD-10)
        return new BrokerFactory(cipher, endpoints, TradierTuning.defaults().withClock(clock).withTimeout(timeout),
                market, simulation);
    }

    private static void putIfSet(Map<String, String> map, String key, String value) {
        if (value != null && !value.isBlank()) {
            map.put(key, value);
        }
    }
}
