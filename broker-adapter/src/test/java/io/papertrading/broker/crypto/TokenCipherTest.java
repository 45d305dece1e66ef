package io.papertrading.broker.crypto;

import io.papertrading.kernel.error.BrokerCredentialsException;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenCipherTest {

    /** The Fernet specification's test vector (generate.json / verify.json). */
    private static final String SPEC_KEY = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=";
    private static final String SPEC_TOKEN = "gAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA==";
    private static final OffsetDateTime SPEC_NOW = OffsetDateTime.parse("1985-10-26T01:20:01-07:00");
    /** Made by Python cryptography 48's Fernet(SPEC_KEY).encrypt(b"8A09vGkjPythonMadeSandboxToken"). */
    private static final String PYTHON_TOKEN = "gAAAAABrBs_LH0jkGf_oj8CxpaXUgJIveu5M0tOn7lbb69cFV8ca14BRRfWUTnGbT5i48LuwVfMI3acGLje6jXDNF13tZOUxoX0buomZsYE8O9Spna1Gc7k=";

    @Test
    void t0910_encryptThenDecryptRoundTrips() {
        TokenCipher cipher = TokenCipher.fromKey(TokenCipher.generateKey());

        String ciphertext = cipher.encrypt("8A09vGkjQ2xZsandbox");

        assertThat(ciphertext).startsWith("gAAAAA").doesNotContain("8A09vGkj");
        assertThat(cipher.decrypt(ciphertext)).isEqualTo("8A09vGkjQ2xZsandbox");
    }

    @Test
    void specVectorDecryptsWithinItsTimeToLive() {
        TokenCipher cipher = TokenCipher.withTimeToLive(SPEC_KEY,
                Clock.fixed(SPEC_NOW.toInstant(), ZoneOffset.UTC), Duration.ofSeconds(60));

        assertThat(cipher.decrypt(SPEC_TOKEN)).isEqualTo("hello");
    }

    @Test
    void specVectorIsRefusedOnceItsTimeToLiveHasPassed() {
        TokenCipher cipher = TokenCipher.withTimeToLive(SPEC_KEY,
                Clock.fixed(SPEC_NOW.plusMinutes(5).toInstant(), ZoneOffset.UTC), Duration.ofSeconds(60));

        assertThatThrownBy(() -> cipher.decrypt(SPEC_TOKEN)).isInstanceOf(BrokerCredentialsException.class);
    }

    @Test
    void storedTokensNeverExpireLikePythonDecryptWithoutTtl() {
        assertThat(TokenCipher.fromKey(SPEC_KEY).decrypt(SPEC_TOKEN)).isEqualTo("hello");
    }

    @Test
    void tokenMadeByPythonCryptographyDecrypts() {
        assertThat(TokenCipher.fromKey(SPEC_KEY).decrypt(PYTHON_TOKEN)).isEqualTo("8A09vGkjPythonMadeSandboxToken");
    }

    @Test
    void wrongKeyAsksTheUserToReenterCredentialsWithoutLeakingAnything() {
        String ciphertext = TokenCipher.fromKey(SPEC_KEY).encrypt("super-secret-token");
        TokenCipher other = TokenCipher.fromKey(TokenCipher.generateKey());

        assertThatThrownBy(() -> other.decrypt(ciphertext))
                .isInstanceOf(BrokerCredentialsException.class)
                .hasMessageContaining("re-enter your broker credentials")
                .hasNoCause()
                .satisfies(e -> assertThat(e.getStackTrace()).isEmpty())
                .satisfies(e -> assertThat(e.toString()).doesNotContain("super-secret-token").doesNotContain(ciphertext));
    }

    @Test
    void missingOrMalformedKeyGivesTheSameCredentialsError() {
        assertThatThrownBy(() -> TokenCipher.fromKey(null).decrypt(SPEC_TOKEN))
                .isInstanceOf(BrokerCredentialsException.class);
        assertThatThrownBy(() -> TokenCipher.fromKey("not-a-key").decrypt(SPEC_TOKEN))
                .isInstanceOf(BrokerCredentialsException.class);
        assertThatThrownBy(() -> TokenCipher.fromKey("").encrypt("x"))
                .isInstanceOf(BrokerCredentialsException.class);
    }

    @Test
    void damagedOrEmptyTokenGivesTheCredentialsError() {
        TokenCipher cipher = TokenCipher.fromKey(SPEC_KEY);
        String damaged = SPEC_TOKEN.substring(0, 40) + (SPEC_TOKEN.charAt(40) == 'A' ? 'B' : 'A') + SPEC_TOKEN.substring(41);

        assertThatThrownBy(() -> cipher.decrypt(damaged)).isInstanceOf(BrokerCredentialsException.class);
        assertThatThrownBy(() -> cipher.decrypt("not a token")).isInstanceOf(BrokerCredentialsException.class);
        assertThatThrownBy(() -> cipher.decrypt(null)).isInstanceOf(BrokerCredentialsException.class);
    }

    @Test
    void toStringDoesNotRevealTheKey() {
        assertThat(TokenCipher.fromKey(SPEC_KEY).toString()).doesNotContain(SPEC_KEY);
    }
}
