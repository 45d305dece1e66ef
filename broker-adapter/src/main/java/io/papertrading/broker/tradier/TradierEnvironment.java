package io.papertrading.broker.tradier;

import java.util.Map;

/**
 * Tradier's two environments. Their base URLs belong to the operator's configuration
 * ({@code PAPER_TRADIER_SANDBOX_URL}, {@code PAPER_TRADIER_LIVE_URL}); users only pick an environment.
 */
public enum TradierEnvironment {
    SANDBOX("PAPER_TRADIER_SANDBOX_URL", "https://sandbox.tradier.com/v1"),
    LIVE("PAPER_TRADIER_LIVE_URL", "https://api.tradier.com/v1");

    private final String variable;
    private final String defaultUrl;

    TradierEnvironment(String variable, String defaultUrl) {
        this.variable = variable;
        this.defaultUrl = defaultUrl;
    }

    /** The configuration key (environment variable name) that overrides this environment's base URL. */
    public String variable() {
        return variable;
    }

    public String defaultUrl() {
        return defaultUrl;
    }

    /** The base URL from {@code config} (e.g. {@code System.getenv()}), or Tradier's public URL when unset. */
    public String baseUrl(Map<String, String> config) {
        String configured = config.get(variable);
        return configured == null || configured.isBlank() ? defaultUrl : configured.trim();
    }
}
