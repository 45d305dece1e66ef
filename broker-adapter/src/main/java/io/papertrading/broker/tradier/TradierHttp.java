package io.papertrading.broker.tradier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.papertrading.broker.BrokerAuthException;
import io.papertrading.broker.BrokerException;
import io.papertrading.broker.BrokerOutcomeUnknownException;
import io.papertrading.broker.BrokerRateLimitException;
import io.papertrading.broker.BrokerTimeoutException;
import io.papertrading.broker.BrokerUnavailableException;
import okhttp3.FormBody;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import javax.net.ssl.SSLHandshakeException;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Every HTTP exchange with Tradier: headers, limiters, retries, circuit breaker and the mapping of failures to
 * {@link BrokerException}s. Nothing here ever writes the token into a message or a log line.
 */
final class TradierHttp {

    private static final Logger log = LoggerFactory.getLogger(TradierHttp.class);
    private static final Set<Integer> RETRYABLE = Set.of(429, 500, 502, 503);
    private static final int MAX_BODY_IN_MESSAGE = 300;

    /** A fully read response; the connection is released before any retry decision. */
    record Reply(int code, String body) {
    }

    private final OkHttpClient client;
    private final HttpUrl base;
    private final String token;
    private final Map<RateLimitGroup, RateLimiter> limiters = new EnumMap<>(RateLimitGroup.class);
    private final Map<RateLimitGroup, RateLimitWindow> windows = new EnumMap<>(RateLimitGroup.class);
    private final Retry retry;
    private final CircuitBreaker breaker;

    /** {@code breakers}: where the account's circuit breaker is registered (and shared), or null for its own. */
    TradierHttp(TradierConfig config, CircuitBreakerRegistry breakers) {
        TradierTuning tuning = config.tuning();
        HttpUrl parsed = HttpUrl.parse(config.baseUrl());
        if (parsed == null) {
            throw new IllegalArgumentException("not an http(s) URL: " + config.baseUrl());
        }
        this.base = parsed;
        this.token = config.token();
        this.client = new OkHttpClient.Builder()
                .connectTimeout(tuning.timeout())
                .readTimeout(tuning.timeout())
                .writeTimeout(tuning.timeout())
                .callTimeout(tuning.timeout())
                .retryOnConnectionFailure(false) // OkHttp would silently resend a POST on a stale connection
                .build();
        TradierTuning.RateLimits limits = tuning.rateLimits();
        for (RateLimitGroup group : RateLimitGroup.values()) {
            int perPeriod = switch (group) {
                case STANDARD -> limits.standardPerPeriod();
                case MARKET_DATA -> limits.marketDataPerPeriod();
                case TRADING -> limits.tradingPerPeriod();
            };
            limiters.put(group, RateLimiter.of("tradier-" + group, RateLimiterConfig.custom()
                    .limitForPeriod(perPeriod)
                    .limitRefreshPeriod(limits.refreshPeriod())
                    .timeoutDuration(limits.maxWait())
                    .build()));
            windows.put(group, new RateLimitWindow(limits.headerReserve(), limits.maxWait(), tuning.clock(),
                    tuning.sleeper()));
        }
        this.retry = Retry.of("tradier", RetryConfig.<Reply>custom()
                .maxAttempts(tuning.retries().maxRetries() + 1)
                .intervalFunction(IntervalFunction.ofExponentialBackoff(tuning.retries().baseDelay(), 2.0))
                .retryOnResult(reply -> RETRYABLE.contains(reply.code()))
                .retryOnException(e -> e instanceof BrokerUnavailableException)
                .build());
        TradierTuning.Breaker b = tuning.breaker();
        CircuitBreakerConfig breakerConfig = CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(b.windowSize())
                .minimumNumberOfCalls(b.minimumCalls())
                .failureRateThreshold(b.failureRatePercent())
                .waitDurationInOpenState(b.openFor())
                // Only "the broker is down" counts: a rejected order or a bad symbol says nothing about health.
                .recordException(e -> e instanceof BrokerUnavailableException || e instanceof BrokerOutcomeUnknownException)
                .build();
        String name = "tradier:" + config.accountId();
        this.breaker = breakers == null ? CircuitBreaker.of(name, breakerConfig) : breakers.circuitBreaker(name, breakerConfig);
    }

    JsonNode get(RateLimitGroup group, String path, Map<String, String> query) {
        HttpUrl.Builder url = url(path);
        query.forEach(url::addQueryParameter);
        return exchange(group, new Request.Builder().url(url.build()).get(), true, BrokerException::new);
    }

    JsonNode delete(RateLimitGroup group, String path, Function<String, BrokerException> onRefusal) {
        return exchange(group, new Request.Builder().url(url(path).build()).delete(), true, onRefusal);
    }

    /**
     * Never retried: a repeated order POST is a second order. A failure whose outcome is unknown (timeout, a
     * connection broken after the request was written, 5xx, an unreadable 2xx) is a
     * {@link BrokerOutcomeUnknownException}; only a failure before anything was sent is "unavailable".
     */
    JsonNode post(RateLimitGroup group, String path, Map<String, String> form,
                  Function<String, BrokerException> onRefusal) {
        FormBody.Builder body = new FormBody.Builder();
        form.forEach(body::add);
        return exchange(group, new Request.Builder().url(url(path).build()).post(body.build()), false, onRefusal);
    }

    private HttpUrl.Builder url(String path) {
        return base.newBuilder().addPathSegments(path);
    }

    private JsonNode exchange(RateLimitGroup group, Request.Builder request, boolean idempotent,
                              Function<String, BrokerException> onRefusal) {
        Request built = request
                .header("Accept", "application/json")
                .header("Authorization", "Bearer " + token)
                .build();
        String what = built.method() + " " + built.url().encodedPath();
        Supplier<Reply> once = () -> send(group, built, what, idempotent);
        Supplier<Reply> attempts = idempotent ? Retry.decorateSupplier(retry, once) : once;
        try {
            return breaker.executeSupplier(() -> interpret(attempts.get(), what, idempotent, onRefusal));
        } catch (CallNotPermittedException open) {
            throw new BrokerUnavailableException("Tradier is failing; not calling it for a while (circuit open)");
        }
    }

    private Reply send(RateLimitGroup group, Request request, String what, boolean idempotent) {
        windows.get(group).awaitOpen();
        if (!limiters.get(group).acquirePermission()) {
            throw new BrokerRateLimitException("rate limit for Tradier " + group.name().toLowerCase(java.util.Locale.ROOT)
                    + " requests reached; try again shortly");
        }
        try (Response response = client.newCall(request).execute()) {
            windows.get(group).observe(response.header("X-Ratelimit-Available"), response.header("X-Ratelimit-Expiry"));
            String body = response.body().string();
            if (RETRYABLE.contains(response.code())) {
                log.warn("{} answered HTTP {}", what, response.code());
            } else {
                log.debug("{} answered HTTP {}", what, response.code());
            }
            return new Reply(response.code(), body);
        } catch (InterruptedIOException timeout) {
            throw new BrokerTimeoutException(what + " timed out; its outcome is unknown", timeout);
        } catch (IOException e) {
            if (idempotent || neverSent(e)) {
                throw new BrokerUnavailableException(what + " failed: " + e.getClass().getSimpleName());
            }
            throw new BrokerOutcomeUnknownException(what + " failed after it was sent (" + e.getClass().getSimpleName()
                    + "); its outcome is unknown", e);
        }
    }

    /** Failures that happen before a single byte of the request reaches the broker. */
    private static boolean neverSent(IOException e) {
        return e instanceof ConnectException || e instanceof UnknownHostException
                || e instanceof NoRouteToHostException || e instanceof SSLHandshakeException;
    }

    private JsonNode interpret(Reply reply, String what, boolean idempotent,
                               Function<String, BrokerException> onRefusal) {
        int code = reply.code();
        if (code == 401 || code == 403) {
            throw new BrokerAuthException("Tradier refused the access token (HTTP " + code + "): "
                    + excerpt(reply.body()) + "; check the token and its environment (sandbox or live)");
        }
        if (code == 429) {
            throw new BrokerRateLimitException("Tradier rate limit exceeded (HTTP 429)");
        }
        if (code >= 500) {
            if (!idempotent) { // a gateway's 5xx says nothing about whether Tradier took the order behind it
                throw new BrokerOutcomeUnknownException(what + " answered HTTP " + code + "; its outcome is unknown");
            }
            throw new BrokerUnavailableException(what + " answered HTTP " + code);
        }
        JsonNode root = parse(reply.body());
        if (root != null) {
            // Tradier reports refusals in an errors envelope, with a 4xx or, for downstream checks, a 200.
            TradierJson.errors(root).ifPresent(message -> {
                throw onRefusal.apply(redact(message));
            });
        }
        if (code >= 300) {
            throw onRefusal.apply(what + " answered HTTP " + code + ": " + excerpt(reply.body()));
        }
        if (root == null) {
            if (!idempotent) {
                throw new BrokerOutcomeUnknownException(what + " answered HTTP " + code
                        + " with a body that is not JSON; its outcome is unknown");
            }
            throw new BrokerException(what + " answered with a body that is not JSON: " + excerpt(reply.body()));
        }
        return root;
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return TradierJson.MAPPER.readTree(body);
        } catch (JsonProcessingException notJson) {
            return null;
        }
    }

    private String excerpt(String body) {
        String text = body == null ? "" : body.strip();
        if (text.length() > MAX_BODY_IN_MESSAGE) {
            text = text.substring(0, MAX_BODY_IN_MESSAGE) + "...";
        }
        return redact(text.isEmpty() ? "(empty body)" : text);
    }

    /** A broker could echo the token back in an error body; it must never reach a message. */
    private String redact(String text) {
        return text.replace(token, "***");
    }
}
