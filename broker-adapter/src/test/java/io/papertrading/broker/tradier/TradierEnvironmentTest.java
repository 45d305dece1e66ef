package io.papertrading.broker.tradier;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class TradierEnvironmentTest {

    @Test
    void urlsDefaultToTradiersHosts() {
        TradierEndpoints endpoints = TradierEndpoints.from(Map.of());

        assertThat(endpoints.baseUrl(TradierEnvironment.SANDBOX)).isEqualTo("https://sandbox.tradier.com/v1");
        assertThat(endpoints.baseUrl(TradierEnvironment.LIVE)).isEqualTo("https://api.tradier.com/v1");
    }

    @Test
    void operatorConfigurationOverridesEachEnvironment() {
        TradierEndpoints endpoints = TradierEndpoints.from(Map.of(
                "PAPER_TRADIER_SANDBOX_URL", " http://fake-tradier:8080/v1 ", "PAPER_TRADIER_LIVE_URL", ""));

        assertThat(endpoints.baseUrl(TradierEnvironment.SANDBOX)).isEqualTo("http://fake-tradier:8080/v1");
        assertThat(endpoints.baseUrl(TradierEnvironment.LIVE)).isEqualTo("https://api.tradier.com/v1");
    }
}
