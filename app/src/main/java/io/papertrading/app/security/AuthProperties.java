package io.papertrading.app.security;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Token validation settings: an HS256 secret ({@code PAPER_AUTH_JWT_SECRET}, at least 32 bytes) or an OIDC
 * issuer ({@code PAPER_AUTH_ISSUER_URI}), and whether the dev login is served ({@code PAPER_DEV_LOGIN}).
 */
@ConfigurationProperties("paper.auth")
record AuthProperties(String jwtSecret, String issuerUri) {
}
