package io.papertrading.app.security;

import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;

/**
 * Refuses to start an engine anyone could take over: one keyed with a secret that has been published (sample
 * values from this repository's history and the Fernet specification), or one serving the dev login (which
 * mints admin tokens for anyone) on an address other than loopback. {@code PAPER_DEV_MODE=true} allows both,
 * for tests and local trials only.
 */
@Component
class ExposureGuard {

    /** Secrets that appeared in public files: whoever has read them could mint tokens or decrypt broker tokens. */
    static final List<String> PUBLISHED = List.of(
            "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=",
            "local-trial-secret-change-me-please-32b",
            "integration-test-secret-of-at-least-32-bytes",
            "change-me-owner",
            "change-me-app");

    ExposureGuard(Environment env) {
        if (env.getProperty("paper.dev-mode", Boolean.class, false)) {
            return;
        }
        Map<String, String> secrets = Map.of(
                "PAPER_AUTH_JWT_SECRET", env.getProperty("paper.auth.jwt-secret", ""),
                "PAPER_ENCRYPTION_KEY", env.getProperty("paper.encryption-key", ""),
                "PAPER_DB_PASSWORD", env.getProperty("paper.db.password", ""),
                "PAPER_DB_OWNER_PASSWORD", env.getProperty("paper.db.owner-password", ""));
        secrets.forEach((variable, value) -> {
            if (PUBLISHED.contains(value.trim())) {
                throw new IllegalStateException(variable + " is a published sample value: anyone who has read it "
                        + "can use it. Generate your own (or set PAPER_DEV_MODE=true for a local trial)");
            }
        });
        if (env.getProperty("paper.dev-login", Boolean.class, false) && !loopback(env.getProperty("server.address"))) {
            throw new IllegalStateException("the dev login mints admin tokens for anyone who can reach it: serve it "
                    + "on loopback only (SERVER_ADDRESS=127.0.0.1), turn it off (PAPER_DEV_LOGIN=false), or set "
                    + "PAPER_DEV_MODE=true for a local trial");
        }
    }

    private static boolean loopback(String address) {
        if (address == null || address.isBlank()) {
            return false; // every interface
        }
        try {
            return InetAddress.getByName(address.trim()).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
