package io.papertrading.app.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtValidationException;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RememberingJwtDecoderTest {

    private static final String SECRET = "a-test-secret-of-at-least-32-bytes-long";

    /** A validator a test can turn against tokens, as the passing of time turns the expiry check. */
    private final AtomicBoolean expired = new AtomicBoolean();
    private final OAuth2TokenValidator<Jwt> validator = jwt -> expired.get()
            ? OAuth2TokenValidatorResult.failure(new OAuth2Error("invalid_token", "Jwt expired", null))
            : OAuth2TokenValidatorResult.success();
    private final AtomicInteger signatureChecks = new AtomicInteger();
    private final JwtDecoder decoder = decoder(10);

    @Test
    void aTokenSeenBeforeIsNotParsedOrVerifiedAgain() throws Exception {
        String token = token("alice", SECRET);

        Jwt first = decoder.decode(token);
        Jwt second = decoder.decode(token);

        assertThat(second.getSubject()).isEqualTo("alice");
        assertThat(second).isSameAs(first);
        assertThat(signatureChecks).hasValue(1);
    }

    @Test
    void aRememberedTokenIsStillRefusedOnceItsChecksFail() throws Exception {
        String token = token("alice", SECRET);
        decoder.decode(token);

        expired.set(true);

        assertThatThrownBy(() -> decoder.decode(token)).isInstanceOf(JwtValidationException.class)
                .hasMessageContaining("expired");
        expired.set(false);
        decoder.decode(token);
        assertThat(signatureChecks).as("forgotten once refused").hasValue(2);
    }

    @Test
    void aForgedTokenIsNeverRemembered() throws Exception {
        String forged = token("mallory", "another-secret-of-at-least-32-bytes-long");

        assertThatThrownBy(() -> decoder.decode(forged)).isInstanceOf(BadJwtException.class);
        assertThatThrownBy(() -> decoder.decode(forged)).isInstanceOf(BadJwtException.class);
        assertThat(signatureChecks).hasValue(2);
    }

    @Test
    void aFullMemoryStartsOver() throws Exception {
        JwtDecoder small = decoder(2);
        String a = token("a", SECRET);
        small.decode(a);
        small.decode(token("b", SECRET));
        small.decode(token("c", SECRET)); // full: forgets a and b

        small.decode(a);

        assertThat(signatureChecks).hasValue(4);
    }

    private JwtDecoder decoder(int capacity) {
        NimbusJwtDecoder nimbus = NimbusJwtDecoder.withSecretKey(SecurityConfiguration.hmacKey(SECRET))
                .macAlgorithm(MacAlgorithm.HS256).build();
        nimbus.setJwtValidator(validator);
        JwtDecoder counting = token -> {
            signatureChecks.incrementAndGet();
            return nimbus.decode(token);
        };
        return new RememberingJwtDecoder(counting, validator, capacity);
    }

    private static String token(String subject, String secret) throws JOSEException {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().subject(subject)
                .expirationTime(Date.from(Instant.now().plusSeconds(3600))).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }
}
