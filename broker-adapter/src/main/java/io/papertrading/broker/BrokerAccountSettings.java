package io.papertrading.broker;

import io.papertrading.broker.tradier.TradierEnvironment;

import java.util.Objects;

/**
 * A user's broker choice as stored in their settings. {@code encryptedToken} is Fernet ciphertext (see
 * {@link io.papertrading.broker.crypto.TokenCipher}); environment, account and token apply to Tradier only.
 * {@link #toString()} leaves the token out.
 */
public record BrokerAccountSettings(BrokerKind broker, TradierEnvironment environment, String accountId,
                                    String encryptedToken) {

    public BrokerAccountSettings {
        Objects.requireNonNull(broker, "broker");
        if (broker == BrokerKind.TRADIER) {
            Objects.requireNonNull(environment, "environment");
            if (accountId == null || accountId.isBlank()) {
                throw new IllegalArgumentException("a Tradier account id is required");
            }
        }
    }

    public static BrokerAccountSettings simulated() {
        return new BrokerAccountSettings(BrokerKind.SIMULATED, null, null, null);
    }

    public static BrokerAccountSettings tradier(TradierEnvironment environment, String accountId, String encryptedToken) {
        return new BrokerAccountSettings(BrokerKind.TRADIER, environment, accountId, encryptedToken);
    }

    @Override
    public String toString() {
        return "BrokerAccountSettings[" + broker + (broker == BrokerKind.TRADIER
                ? ", " + environment + ", account " + accountId + ", token " + (encryptedToken == null ? "absent" : "***")
                : "") + "]";
    }
}
