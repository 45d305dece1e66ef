package io.papertrading.app.security;

import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.JwtValidationException;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers the tokens it decoded: a client sends the same bearer token with every request, and parsing it and
 * checking its signature was ~5% of the engine's CPU per placed trade. A remembered token is still validated on
 * every use (expiry, not-before, username, audience: what can change with time), so it is refused the moment it
 * expires; only the parsing and the signature check, whose answer for the same string never changes, are skipped.
 * Bounded: when full, it starts over.
 */
final class RememberingJwtDecoder implements JwtDecoder {

    private final JwtDecoder delegate;
    private final OAuth2TokenValidator<Jwt> validator;
    private final int capacity;
    private final Map<String, Jwt> decoded = new ConcurrentHashMap<>();

    /** {@code validator} must be the one {@code delegate} applies after checking the signature. */
    RememberingJwtDecoder(JwtDecoder delegate, OAuth2TokenValidator<Jwt> validator, int capacity) {
        this.delegate = delegate;
        this.validator = validator;
        this.capacity = capacity;
    }

    @Override
    public Jwt decode(String token) throws JwtException {
        Jwt known = decoded.get(token);
        if (known == null) {
            Jwt jwt = delegate.decode(token);
            if (decoded.size() >= capacity) {
                decoded.clear();
            }
            decoded.put(token, jwt);
            return jwt;
        }
        OAuth2TokenValidatorResult result = validator.validate(known);
        if (result.hasErrors()) {
            decoded.remove(token);
            throw new JwtValidationException(result.getErrors().iterator().next().getDescription(), result.getErrors());
        }
        return known;
    }
}
