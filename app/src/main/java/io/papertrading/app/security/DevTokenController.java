package io.papertrading.app.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.papertrading.kernel.error.FieldError;
import io.papertrading.kernel.error.ValidationFailedException;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

/**
 * The dev login: mints a token for any username. Only registered in the embedded default or with
 * {@code PAPER_DEV_LOGIN=true}; otherwise the path answers 404.
 */
@RestController
@ConditionalOnProperty(name = "paper.dev-login", havingValue = "true")
class DevTokenController {

    private static final Duration LIFETIME = Duration.ofHours(12);

    private final AuthProperties auth;
    private final Clock clock;

    DevTokenController(AuthProperties auth, Clock clock) {
        this.auth = auth;
        this.clock = clock;
    }

    record DevTokenRequest(String username, List<String> roles) {
    }

    record DevTokenResponse(String token, Instant expiresAt) {
    }

    @PostMapping("/api/auth/dev-token")
    DevTokenResponse issue(@RequestBody DevTokenRequest request) throws JOSEException {
        List<FieldError> errors = new ArrayList<>();
        if (request.username() == null || !SecurityConfiguration.USERNAME.matcher(request.username()).matches()) {
            errors.add(new FieldError("username", "1-64 characters of A-Z, a-z, 0-9 and . _ @ -"));
        }
        List<String> roles = request.roles() == null ? List.of() : request.roles();
        if (roles.size() > 8 || roles.stream().anyMatch(r -> r == null || !r.matches("[A-Za-z_]{1,32}"))) {
            errors.add(new FieldError("roles", "at most 8 role names of 1-32 letters or '_'"));
        }
        if (!errors.isEmpty()) {
            throw new ValidationFailedException(errors);
        }
        Instant now = clock.instant();
        Instant expires = now.plus(LIFETIME);
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .subject(request.username())
                .claim("roles", roles)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(expires))
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        jwt.sign(new MACSigner(SecurityConfiguration.hmacKey(auth.jwtSecret()).getEncoded()));
        return new DevTokenResponse(jwt.serialize(), expires);
    }
}
