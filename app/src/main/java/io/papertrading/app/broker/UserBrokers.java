package io.papertrading.app.broker;

import io.papertrading.broker.BrokerFactory;
import io.papertrading.broker.BrokerKind;
import io.papertrading.broker.BrokerProvider;
import io.papertrading.command.execution.BrokerAccount;
import io.papertrading.command.execution.BrokerResolver;
import org.springframework.stereotype.Component;

/** Resolves a user's broker from their stored settings (the operator's default broker when they have none). */
@Component
class UserBrokers implements BrokerResolver {

    private final UserSettingsStore settings;
    private final BrokerFactory factory;

    UserBrokers(UserSettingsStore settings, BrokerFactory factory) {
        this.settings = settings;
        this.factory = factory;
    }

    @Override
    public BrokerAccount resolve(String username) {
        return resolve(username, settings.load(username));
    }

    /** The account for settings the caller has already loaded (one settings query per request, not two). */
    BrokerAccount resolve(String username, UserSettings s) {
        BrokerProvider provider = factory.brokerFor(username, s.brokerSettings());
        String key = s.broker() == BrokerKind.TRADIER
                ? "tradier:" + s.environment() + ":" + s.accountId()
                : "simulated:" + username;
        return new BrokerAccount(key, s.broker().name(), provider, true);
    }

    /** The user's broker, for market data and connection tests. */
    BrokerProvider providerFor(String username) {
        return resolve(username).provider();
    }
}
