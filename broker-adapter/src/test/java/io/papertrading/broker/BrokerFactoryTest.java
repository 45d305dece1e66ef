package io.papertrading.broker;

import io.papertrading.broker.crypto.TokenCipher;
import io.papertrading.broker.simulated.MutableClock;
import io.papertrading.broker.simulated.SimulatedBroker;
import io.papertrading.broker.simulated.SimulatedMarket;
import io.papertrading.broker.simulated.SimulationSettings;
import io.papertrading.broker.tradier.TradierEndpoints;
import io.papertrading.broker.tradier.TradierEnvironment;
import io.papertrading.broker.tradier.TradierTuning;
import io.papertrading.kernel.error.BrokerCredentialsException;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BrokerFactoryTest {

    private static final String TOKEN = "tradier-sandbox-token-123";

    private final MockWebServer server = new MockWebServer();
    private final String key = TokenCipher.generateKey();
    private final TokenCipher cipher = TokenCipher.fromKey(key);
    private final SimulatedMarket market = new SimulatedMarket(1L, new MutableClock(Instant.parse("2025-03-03T15:00:00Z")));
    private BrokerFactory factory;

    @BeforeEach
    void start() throws IOException {
        server.start();
        TradierEndpoints endpoints = TradierEndpoints.from(Map.of(
                "PAPER_TRADIER_SANDBOX_URL", server.url("/v1").toString(),
                "PAPER_TRADIER_LIVE_URL", "http://live.invalid/v1"));
        factory = new BrokerFactory(cipher, endpoints, TradierTuning.defaults(), market, SimulationSettings.defaults());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void t0913_encryptStoreBuildDecryptAndConnect() throws Exception {
        BrokerAccountSettings stored = BrokerAccountSettings.tradier(TradierEnvironment.SANDBOX, "VA000001",
                cipher.encrypt(TOKEN));
        server.enqueue(new MockResponse.Builder().code(200).body(fixture("user_profile_multi.json")).build());

        ConnectionInfo info = factory.brokerFor("alice", stored).testConnection();

        assertThat(info.ok()).isTrue();
        assertThat(info.accountType()).isEqualTo("margin");
        RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(request.getHeaders().get("Authorization")).isEqualTo("Bearer " + TOKEN);
        assertThat(stored.toString()).doesNotContain(stored.encryptedToken());
    }

    @Test
    void sameSettingsReuseTheBrokerAndChangedSettingsRebuildIt() {
        BrokerAccountSettings first = BrokerAccountSettings.tradier(TradierEnvironment.SANDBOX, "VA000001",
                cipher.encrypt(TOKEN));
        BrokerAccountSettings changed = BrokerAccountSettings.tradier(TradierEnvironment.SANDBOX, "VA000001",
                cipher.encrypt("another-token"));

        BrokerProvider broker = factory.brokerFor("alice", first);

        assertThat(factory.brokerFor("alice", first)).isSameAs(broker);
        assertThat(factory.brokerFor("bob", first)).isNotSameAs(broker);
        assertThat(factory.brokerFor("alice", changed)).isNotSameAs(broker);
    }

    @Test
    void environmentChoosesTheOperatorsUrl() {
        BrokerProvider live = factory.brokerFor("alice", BrokerAccountSettings.tradier(TradierEnvironment.LIVE,
                "VA000001", cipher.encrypt(TOKEN)));

        assertThat(live.toString()).contains("http://live.invalid/v1");
    }

    @Test
    void simulatedUsersShareTheMarketButNotTheAccount() {
        BrokerProvider alice = factory.brokerFor("alice", BrokerAccountSettings.simulated());
        BrokerProvider bob = factory.brokerFor("bob", BrokerAccountSettings.simulated());

        assertThat(alice).isInstanceOf(SimulatedBroker.class).isNotSameAs(bob);
        assertThat(factory.brokerFor("alice", BrokerAccountSettings.simulated())).isSameAs(alice);
        assertThat(alice.getQuotes(List.of("AAPL"))).isEqualTo(bob.getQuotes(List.of("AAPL")));
        assertThat(alice.testConnection().accountId()).isEqualTo("alice");
    }

    @Test
    void unreadableCredentialsAskTheUserToReenterThem() {
        String foreign = TokenCipher.fromKey(TokenCipher.generateKey()).encrypt(TOKEN);

        assertThatThrownBy(() -> factory.brokerFor("alice",
                BrokerAccountSettings.tradier(TradierEnvironment.SANDBOX, "VA000001", foreign)))
                .isInstanceOf(BrokerCredentialsException.class)
                .hasMessageContaining("re-enter your broker credentials");
        assertThatThrownBy(() -> factory.brokerFor("alice",
                BrokerAccountSettings.tradier(TradierEnvironment.SANDBOX, "VA000001", null)))
                .isInstanceOf(BrokerCredentialsException.class);
    }

    private static String fixture(String name) throws IOException {
        try (InputStream in = BrokerFactoryTest.class.getResourceAsStream("/tradier/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
