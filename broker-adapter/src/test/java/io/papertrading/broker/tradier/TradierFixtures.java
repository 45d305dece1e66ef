package io.papertrading.broker.tradier;

import mockwebserver3.MockResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Tradier's documented response bodies (src/test/resources/tradier) as MockWebServer responses. */
final class TradierFixtures {

    private TradierFixtures() {
    }

    static String read(String name) {
        try (InputStream in = TradierFixtures.class.getResourceAsStream("/tradier/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static MockResponse fixture(String name) {
        return json(200, read(name));
    }

    static MockResponse json(int code, String body) {
        return new MockResponse.Builder().code(code).addHeader("Content-Type", "application/json").body(body).build();
    }

    static MockResponse status(int code) {
        return new MockResponse.Builder().code(code).body("").build();
    }
}
