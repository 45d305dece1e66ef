package io.papertrading.app.security;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.papertrading.app.web.Problems;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtDecoders;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.header.writers.ContentSecurityPolicyHeaderWriter;
import org.springframework.security.web.header.writers.DelegatingRequestMatcherHeaderWriter;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Bearer-token security: every {@code /api/**} request needs a valid JWT whose {@code sub} is the username
 * (and the only place a username comes from); {@code admin} in the {@code roles} claim opens
 * {@code /api/admin/**}. Stateless, so no sessions and no CSRF tokens.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(AuthProperties.class)
class SecurityConfiguration {

    /** Decoded bearer tokens kept per node (a few MB at most). */
    private static final int REMEMBERED_TOKENS = 10_000;

    static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");
    /** The role that opens the admin API, matched exactly: {@code ADMIN} or {@code Admin} is another role. */
    static final String ADMIN = "admin";
    /**
     * The dashboard's pages and assets: everything from this origin only, no inline script or style, never
     * framed. Only on the dashboard's paths, so Swagger UI (which needs inline code) keeps working.
     */
    static final String DASHBOARD_CSP = "default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
            + "frame-ancestors 'none'";

    @Bean
    SecurityFilterChain api(HttpSecurity http, ObjectMapper mapper) throws Exception {
        http.csrf(c -> c.disable())
                .headers(h -> h.addHeaderWriter(new DelegatingRequestMatcherHeaderWriter(dashboard(),
                        new ContentSecurityPolicyHeaderWriter(DASHBOARD_CSP))))
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .authorizeHttpRequests(a -> a
                        .requestMatchers("/api/auth/dev-token").permitAll()
                        .requestMatchers("/api/admin/**").hasRole(ADMIN)
                        .requestMatchers("/api/**").authenticated()
                        // probes stay public; metrics and everything else the actuator offers are for admins
                        .requestMatchers("/actuator/health", "/actuator/health/liveness", "/actuator/health/readiness",
                                "/actuator/info").permitAll()
                        .requestMatchers("/actuator/**").hasRole(ADMIN)
                        .anyRequest().permitAll())
                .oauth2ResourceServer(o -> o
                        .jwt(j -> j.jwtAuthenticationConverter(SecurityConfiguration::authenticate))
                        .authenticationEntryPoint((req, res, ex) -> Problems.write(res, mapper,
                                Problems.of(HttpStatus.UNAUTHORIZED, "UNAUTHORIZED", "a valid bearer token is required"))))
                .exceptionHandling(e -> e
                        .authenticationEntryPoint((req, res, ex) -> Problems.write(res, mapper,
                                Problems.of(HttpStatus.UNAUTHORIZED, "UNAUTHORIZED", "a valid bearer token is required")))
                        .accessDeniedHandler((req, res, ex) -> Problems.write(res, mapper,
                                Problems.of(HttpStatus.FORBIDDEN, "FORBIDDEN", "your token does not allow this"))));
        return http.build();
    }

    private static RequestMatcher dashboard() {
        PathPatternRequestMatcher.Builder path = PathPatternRequestMatcher.withDefaults();
        return new OrRequestMatcher(path.matcher("/"), path.matcher("/index.html"), path.matcher("/assets/**"));
    }

    private static JwtAuthenticationToken authenticate(Jwt jwt) {
        return new JwtAuthenticationToken(jwt, roles(jwt), jwt.getSubject());
    }

    private static Collection<GrantedAuthority> roles(Jwt jwt) {
        List<String> roles = jwt.getClaimAsStringList("roles");
        if (roles == null) {
            return List.of();
        }
        return roles.stream().<GrantedAuthority>map(r -> new SimpleGrantedAuthority("ROLE_" + r)).toList();
    }

    @Bean
    JwtDecoder jwtDecoder(AuthProperties auth) {
        NimbusJwtDecoder decoder;
        if (auth.issuerUri() != null && !auth.issuerUri().isBlank()) {
            decoder = JwtDecoders.fromIssuerLocation(auth.issuerUri());
        } else {
            decoder = NimbusJwtDecoder.withSecretKey(hmacKey(auth.jwtSecret())).macAlgorithm(MacAlgorithm.HS256).build();
        }
        List<OAuth2TokenValidator<Jwt>> validators = new java.util.ArrayList<>();
        validators.add(auth.issuerUri() != null && !auth.issuerUri().isBlank()
                ? JwtValidators.createDefaultWithIssuer(auth.issuerUri())
                : JwtValidators.createDefault());
        validators.add(expiryRequired());
        validators.add(usernameValidator());
        if (auth.audience() != null && !auth.audience().isBlank()) {
            validators.add(audience(auth.audience()));
        }
        OAuth2TokenValidator<Jwt> validator = new DelegatingOAuth2TokenValidator<>(validators);
        decoder.setJwtValidator(validator);
        return new RememberingJwtDecoder(decoder, validator, REMEMBERED_TOKENS);
    }

    static SecretKeySpec hmacKey(String secret) {
        if (secret == null || secret.getBytes(StandardCharsets.UTF_8).length < 32) {
            throw new IllegalStateException("set PAPER_AUTH_JWT_SECRET (at least 32 bytes) or PAPER_AUTH_ISSUER_URI");
        }
        return new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    }

    /** The default validators check {@code exp} only when present: a token that never expires is refused. */
    private static OAuth2TokenValidator<Jwt> expiryRequired() {
        return jwt -> jwt.getExpiresAt() != null
                ? OAuth2TokenValidatorResult.success()
                : OAuth2TokenValidatorResult.failure(new OAuth2Error("invalid_token", "the token has no expiry (exp)", null));
    }

    private static OAuth2TokenValidator<Jwt> audience(String audience) {
        return jwt -> jwt.getAudience() != null && jwt.getAudience().contains(audience)
                ? OAuth2TokenValidatorResult.success()
                : OAuth2TokenValidatorResult.failure(new OAuth2Error("invalid_token", "the token is for another audience", null));
    }

    /** A token whose subject is not a well-formed username is no token at all: 401, before any handler runs. */
    private static OAuth2TokenValidator<Jwt> usernameValidator() {
        return jwt -> jwt.getSubject() != null && USERNAME.matcher(jwt.getSubject()).matches()
                ? OAuth2TokenValidatorResult.success()
                : OAuth2TokenValidatorResult.failure(new OAuth2Error("invalid_token", "the subject is not a valid username", null));
    }
}
