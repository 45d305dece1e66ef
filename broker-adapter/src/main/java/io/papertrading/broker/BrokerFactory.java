package io.papertrading.broker;

import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.papertrading.broker.crypto.TokenCipher;
import io.papertrading.broker.simulated.SimulatedBooks;
import io.papertrading.broker.simulated.SimulatedBroker;
import io.papertrading.broker.simulated.SimulatedMarket;
import io.papertrading.broker.simulated.SimulationSettings;
import io.papertrading.broker.tradier.TradierBroker;
import io.papertrading.broker.tradier.TradierConfig;
import io.papertrading.broker.tradier.TradierEndpoints;
import io.papertrading.broker.tradier.TradierTuning;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Builds the {@link BrokerProvider} for a user from their stored settings. Brokers are cached per user and
 * rebuilt only when the settings change, so a Tradier token's rate limiters and circuit breaker persist across
 * requests. Simulated users share one {@link SimulatedMarket} and each trade on their own account (keyed by
 * username) in the factory's {@link SimulatedBooks}. Thread-safe.
 */
public final class BrokerFactory {

    private record Built(BrokerAccountSettings settings, BrokerProvider broker) {
    }

    private final TokenCipher cipher;
    private final TradierEndpoints endpoints;
    private final TradierTuning tuning;
    private final SimulatedMarket market;
    private final SimulationSettings simulation;
    private final SimulatedBooks books;
    private final ConcurrentMap<String, Built> tradierBrokers = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, SimulatedBroker> simulatedAccounts = new ConcurrentHashMap<>();
    private final CircuitBreakerRegistry breakers = CircuitBreakerRegistry.ofDefaults();

    /** A factory whose simulated accounts live in this process's memory. */
    public BrokerFactory(TokenCipher cipher, TradierEndpoints endpoints, TradierTuning tuning,
                         SimulatedMarket market, SimulationSettings simulation) {
        this(cipher, endpoints, tuning, market, simulation, SimulatedBooks.inMemory());
    }

    public BrokerFactory(TokenCipher cipher, TradierEndpoints endpoints, TradierTuning tuning,
                         SimulatedMarket market, SimulationSettings simulation, SimulatedBooks books) {
        this.cipher = Objects.requireNonNull(cipher, "cipher");
        this.endpoints = Objects.requireNonNull(endpoints, "endpoints");
        this.tuning = Objects.requireNonNull(tuning, "tuning");
        this.market = Objects.requireNonNull(market, "market");
        this.simulation = Objects.requireNonNull(simulation, "simulation");
        this.books = Objects.requireNonNull(books, "books");
    }

    /**
     * The user's broker. Throws {@link io.papertrading.kernel.error.BrokerCredentialsException} when stored
     * Tradier credentials are missing or cannot be decrypted.
     */
    public BrokerProvider brokerFor(String username, BrokerAccountSettings settings) {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(settings, "settings");
        if (settings.broker() == BrokerKind.SIMULATED) {
            return simulatedAccounts.computeIfAbsent(username, user -> new SimulatedBroker(market, user, simulation, books));
        }
        return tradierBrokers.compute(username, (user, cached) ->
                cached != null && cached.settings().equals(settings) ? cached : new Built(settings, tradier(settings)))
                .broker();
    }

    /** Drops a user's cached Tradier broker (e.g. after their credentials were removed). */
    public void forget(String username) {
        tradierBrokers.remove(username);
    }

    private BrokerProvider tradier(BrokerAccountSettings settings) {
        String token = cipher.decrypt(settings.encryptedToken());
        return new TradierBroker(new TradierConfig(endpoints.baseUrl(settings.environment()), settings.accountId(),
                token, tuning), breakers);
    }

    /** The circuit breakers of the Tradier accounts in use, one per account ({@code tradier:<accountId>}). */
    public CircuitBreakerRegistry circuitBreakers() {
        return breakers;
    }
}
