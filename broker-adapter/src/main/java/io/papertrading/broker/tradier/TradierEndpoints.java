package io.papertrading.broker.tradier;

import java.util.Map;
import java.util.Objects;

/** The operator's base URL for each Tradier environment. */
public record TradierEndpoints(String sandboxUrl, String liveUrl) {

    public TradierEndpoints {
        Objects.requireNonNull(sandboxUrl, "sandboxUrl");
        Objects.requireNonNull(liveUrl, "liveUrl");
    }

    /** Reads {@code PAPER_TRADIER_SANDBOX_URL} / {@code PAPER_TRADIER_LIVE_URL}, defaulting to Tradier's hosts. */
    public static TradierEndpoints from(Map<String, String> config) {
        return new TradierEndpoints(TradierEnvironment.SANDBOX.baseUrl(config), TradierEnvironment.LIVE.baseUrl(config));
    }

    /** Tradier's public hosts. */
    public static TradierEndpoints defaults() {
        return from(Map.of());
    }

    public String baseUrl(TradierEnvironment environment) {
        return environment == TradierEnvironment.LIVE ? liveUrl : sandboxUrl;
    }
}
