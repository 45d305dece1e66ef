package io.papertrading.broker.crypto;

import com.macasaet.fernet.Key;
import com.macasaet.fernet.StringValidator;
import com.macasaet.fernet.Token;
import io.papertrading.kernel.error.BrokerCredentialsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.temporal.TemporalAmount;
import java.util.Objects;

/**
 * Encrypts broker access tokens at rest with Fernet, interoperable with Python {@code cryptography}'s Fernet: rows
 * written by the earlier Python service decrypt here and the other way round. The key is a base64url Fernet key
 * from the operator's environment. Any failure (no key, wrong key, damaged token) is one
 * {@link BrokerCredentialsException} asking the user to re-enter their credentials; neither the token nor the
 * cause's details reach the message.
 */
public final class TokenCipher {

    private static final Logger log = LoggerFactory.getLogger(TokenCipher.class);
    // Python's Fernet.decrypt without a ttl never expires a token; stored credentials must not age out either.
    private static final Duration NEVER = Duration.ofDays(365L * 1000);

    private final Key key;
    private final StringValidator validator;

    private TokenCipher(Key key, Clock clock, Duration timeToLive) {
        this.key = key;
        this.validator = new StringValidator() {
            @Override
            public Clock getClock() {
                return clock;
            }

            @Override
            public TemporalAmount getTimeToLive() {
                return timeToLive;
            }

            @Override
            public TemporalAmount getMaxClockSkew() {
                // Only a time-limited validator checks skew, as Python does; stored tokens are never rejected for it.
                return timeToLive == NEVER ? NEVER : Duration.ofSeconds(60);
            }
        };
    }

    /**
     * A cipher for the configured key. A missing or malformed key does not fail here (an instance with only
     * simulated users needs none) but on first use, with the credentials error.
     */
    public static TokenCipher fromKey(String base64UrlKey) {
        return new TokenCipher(parse(base64UrlKey), Clock.systemUTC(), NEVER);
    }

    /** A cipher that also rejects tokens older than {@code timeToLive} at {@code clock}'s time (Fernet's TTL). */
    static TokenCipher withTimeToLive(String base64UrlKey, Clock clock, Duration timeToLive) {
        return new TokenCipher(parse(base64UrlKey), clock, timeToLive);
    }

    /** A new random key, for an operator setting up an instance. */
    public static String generateKey() {
        return Key.generateKey().serialise();
    }

    public String encrypt(String plaintext) {
        Objects.requireNonNull(plaintext, "plaintext");
        if (key == null) {
            throw unreadable("no valid encryption key is configured");
        }
        return Token.generate(key, plaintext).serialise();
    }

    public String decrypt(String token) {
        if (key == null) {
            throw unreadable("no valid encryption key is configured");
        }
        if (token == null || token.isBlank()) {
            throw unreadable("no stored token");
        }
        try {
            return Token.fromString(token.trim()).validateAndDecrypt(key, validator);
        } catch (RuntimeException e) {
            // The library's exception types tell a wrong key from a damaged token; the user's remedy is the same.
            throw unreadable("token did not verify with the configured key (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static Key parse(String base64UrlKey) {
        if (base64UrlKey == null || base64UrlKey.isBlank()) {
            return null;
        }
        try {
            return new Key(base64UrlKey.trim());
        } catch (RuntimeException malformed) {
            log.warn("the configured encryption key is not a base64url Fernet key; stored broker credentials cannot be read");
            return null;
        }
    }

    private static BrokerCredentialsException unreadable(String why) {
        log.warn("broker credentials unreadable: {}", why);
        return new BrokerCredentialsException();
    }

    @Override
    public String toString() {
        return "TokenCipher[key " + (key == null ? "missing" : "configured") + "]";
    }
}
