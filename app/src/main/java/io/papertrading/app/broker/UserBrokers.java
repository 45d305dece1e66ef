package io.papertrading.app.broker;

import io.papertrading.broker.BrokerFactory;
import io.papertrading.broker.BrokerKind;
import io.papertrading.broker.BrokerProvider;
import io.papertrading.command.execution.BrokerAccount;
import io.papertrading.command.execution.BrokerResolver;
import io.papertrading.query.support.UserScope;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;

/**
 * Resolves a user's broker from their stored settings (the operator's default broker when they have none). The
 * engine (saga, order desk, price monitor) reads the settings through its own role and pool; a request (market
 * data) through the request role's.
 */
@Component
class UserBrokers implements BrokerResolver {

    private final UserSettingsStore requestSettings;
    private final UserSettingsStore engineSettings;
    private final BrokerFactory factory;

    UserBrokers(UserSettingsStore settings, @Qualifier(UserScope.ENGINE) UserScope engineScope, BrokerFactory factory) {
        this.requestSettings = settings;
        this.engineSettings = settings.through(engineScope);
        this.factory = factory;
    }

    /** For the engine. */
    @Override
    public BrokerAccount resolve(String username) {
        return resolve(username, engineSettings.load(username));
    }

    /** The account for settings the caller has already loaded (one settings query per request, not two). */
    BrokerAccount resolve(String username, UserSettings s) {
        BrokerProvider provider = factory.brokerFor(username, s.brokerSettings());
        String key = s.broker() == BrokerKind.TRADIER
                ? "tradier:" + s.environment() + ":" + s.accountId()
                : "simulated:" + username;
        return new BrokerAccount(key, s.broker().name(), provider, true);
    }

    /** The user's broker, for market data requests. */
    BrokerProvider providerFor(String username) {
        return resolve(username, requestSettings.load(username)).provider();
    }
}
