package io.papertrading.app.broker;

import io.papertrading.broker.BrokerAccountSettings;
import io.papertrading.broker.BrokerKind;
import io.papertrading.broker.tradier.TradierEnvironment;

import java.math.BigDecimal;

/**
 * A user's stored settings: broker choice (the Tradier token stays encrypted) and risk limits (null: none).
 */
record UserSettings(BrokerKind broker, TradierEnvironment environment, String accountId, String encryptedToken,
                    Integer maxOpenTrades, BigDecimal maxPositionCost, BigDecimal defaultStopLossPct,
                    BigDecimal defaultTakeProfitPct) {

    static UserSettings defaults(BrokerKind broker) {
        return new UserSettings(broker, null, null, null, null, null, null, null);
    }

    BrokerAccountSettings brokerSettings() {
        return broker == BrokerKind.TRADIER
                ? BrokerAccountSettings.tradier(environment, accountId, encryptedToken)
                : BrokerAccountSettings.simulated();
    }
}
