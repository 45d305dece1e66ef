package io.papertrading.app.broker;

import io.papertrading.broker.BrokerFactory;
import io.papertrading.broker.BrokerKind;
import io.papertrading.broker.BrokerProvider;
import io.papertrading.command.execution.BrokerAccount;
import io.papertrading.command.execution.BrokerResolver;
import io.papertrading.query.support.UserScope;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Resolves a user's broker from their stored settings (the operator's default broker when they have none). The
 * engine (saga, order desk, price monitor) reads the settings through its own role and pool; a request (market
 * data) through the request role's.
 *
 * <p>The engine resolves a user's account at every step of every trade (intake, saga, each round of the order
 * desk), and every placement's risk check reads the user's limits: ~5 settings reads per placed trade, each its own
 * transaction. Both answer from what this node resolved within {@code paper.execution.settings-ttl} (2 s) instead:
 * the placement's own hand-over to the desk sees the settings its risk check used. A change saved on this node
 * is seen at once; one saved on another node within the TTL. A broker switch needs the user to have no live trade,
 * and the desk reloads when the account answered is not the one a trade's legs were placed with
 * ({@link #reload}).
 */
@Component
class UserBrokers implements BrokerResolver {

    private static final int MAX_REMEMBERED = 10_000;

    private final UserSettingsStore requestSettings;
    private final UserSettingsStore engineSettings;
    private final BrokerFactory factory;
    private final Clock clock;
    private final Duration ttl;
    private final Map<String, Resolved> recent = new ConcurrentHashMap<>();

    /** A user's settings and the account they name, as this node resolved them at {@code at}. */
    record Resolved(UserSettings settings, BrokerAccount account, Instant at) {
    }

    @Autowired
    UserBrokers(UserSettingsStore settings, @Qualifier(UserScope.ENGINE) UserScope engineScope, BrokerFactory factory,
                Clock clock, @Value("${paper.execution.settings-ttl:2s}") Duration ttl) {
        this.requestSettings = settings;
        this.engineSettings = settings.through(engineScope);
        this.factory = factory;
        this.clock = clock;
        this.ttl = ttl;
    }

    /** For the engine: what this node resolved for the user within the TTL, else their settings read now. */
    @Override
    public BrokerAccount resolve(String username) {
        Resolved r = remembered(username);
        return r != null ? r.account() : reload(username);
    }

    /**
     * For a placement's risk check: the user's settings (their limits) and account as this node resolved them within
     * the TTL, else read now through the request role.
     */
    Resolved current(String username) {
        Resolved r = remembered(username);
        return r != null ? r : remember(username, requestSettings.load(username));
    }

    /** What this node resolved for the user within the TTL; null when nothing or older. */
    private Resolved remembered(String username) {
        Resolved r = recent.get(username);
        return r != null && clock.instant().isBefore(r.at().plus(ttl)) ? r : null;
    }

    /** For the engine: the user's settings read now. */
    @Override
    public BrokerAccount reload(String username) {
        return resolve(username, engineSettings.load(username));
    }

    /** The account for settings the caller has just loaded (one settings query per request, not two). */
    BrokerAccount resolve(String username, UserSettings s) {
        return remember(username, s).account();
    }

    /** Resolves the account the settings name and remembers both for the TTL. */
    private Resolved remember(String username, UserSettings s) {
        Instant at = clock.instant();
        BrokerProvider provider = factory.brokerFor(username, s.brokerSettings());
        String key = s.broker() == BrokerKind.TRADIER
                ? "tradier:" + s.environment() + ":" + s.accountId()
                : "simulated:" + username;
        BrokerAccount account = new BrokerAccount(key, s.broker().name(), provider, true);
        if (recent.size() >= MAX_REMEMBERED) {
            recent.values().removeIf(old -> !at.isBefore(old.at().plus(ttl)));
            if (recent.size() >= MAX_REMEMBERED) {
                recent.clear();
            }
        }
        Resolved resolved = new Resolved(s, account, at);
        recent.put(username, resolved);
        return resolved;
    }

    /** Forgets what was resolved for the user: their settings just changed. */
    void forget(String username) {
        recent.remove(username);
        factory.forget(username);
    }

    /** The user's broker, for market data requests. */
    BrokerProvider providerFor(String username) {
        return resolve(username, requestSettings.load(username)).provider();
    }
}
