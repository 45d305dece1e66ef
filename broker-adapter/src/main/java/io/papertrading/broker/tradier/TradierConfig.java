package io.papertrading.broker.tradier;

import java.util.Objects;

/**
 * One Tradier account's client settings: the operator-chosen base URL, the account, its access token and the
 * shared {@link TradierTuning}. {@link #toString()} never shows the token.
 */
public record TradierConfig(String baseUrl, String accountId, String token, TradierTuning tuning) {

    public TradierConfig {
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(tuning, "tuning");
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("a Tradier access token is required");
        }
    }

    /** Default tuning for the given account. */
    public static TradierConfig of(String baseUrl, String accountId, String token) {
        return new TradierConfig(baseUrl, accountId, token, TradierTuning.defaults());
    }

    @Override
    public String toString() {
        return "TradierConfig[baseUrl=" + baseUrl + ", accountId=" + accountId + ", token=***, tuning=" + tuning + "]";
    }
}
