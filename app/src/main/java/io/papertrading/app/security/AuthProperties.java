package io.papertrading.app.security;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Token validation settings: an HS256 secret ({@code PAPER_AUTH_JWT_SECRET}, at least 32 bytes) or an OIDC
 * issuer ({@code PAPER_AUTH_ISSUER_URI}); when {@code PAPER_AUTH_AUDIENCE} is set, tokens must name it in
 * {@code aud}.
 */
@ConfigurationProperties("paper.auth")
record AuthProperties(String jwtSecret, String issuerUri, String audience) {
}
