package io.papertrading.query.stream;

import io.papertrading.kernel.error.ValidationFailedException;
import io.papertrading.query.QueryNode;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.security.authentication.AuthenticationCredentialsNotFoundException;
import org.springframework.security.oauth2.server.resource.authentication.AbstractOAuth2TokenAuthenticationToken;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import java.security.Principal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Pattern;

/**
 * {@code GET /api/stream}: server-sent events of the caller's own trades ({@code trade}: the trade as
 * {@code GET /api/trades/{id}} shows it, with its version) and portfolio totals ({@code portfolio}), after a
 * first {@code ready} event. {@code Last-Event-ID} resumes after the last event id the client saw. The stream
 * ends when the token expires.
 */
@QueryNode
@RestController
class StreamController {

    /** Event ids are the decimal horizons this node hands out; anything else is not one of ours. */
    private static final Pattern EVENT_ID = Pattern.compile("[0-9]{1,19}");

    private final TradeStreams streams;
    /**
     * Token expiry is judged on the wall clock, as the bearer-token validator judges it, not on the engine's
     * (possibly simulated) trading clock.
     */
    private final Clock tokenClock = Clock.systemUTC();

    StreamController(TradeStreams streams) {
        this.streams = streams;
    }

    @GetMapping("/api/stream")
    ResponseEntity<SseEmitter> stream(Principal principal,
                                      @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId) {
        if (principal == null || principal.getName() == null || principal.getName().isBlank()) {
            throw new AuthenticationCredentialsNotFoundException("authentication required");
        }
        Long cursor = null;
        if (lastEventId != null && !lastEventId.isEmpty()) {
            if (!EVENT_ID.matcher(lastEventId).matches()) {
                throw ValidationFailedException.of("Last-Event-ID", "an event id this stream sent (digits)");
            }
            try {
                cursor = Long.parseLong(lastEventId);
            } catch (NumberFormatException e) {
                throw ValidationFailedException.of("Last-Event-ID", "an event id this stream sent (digits)");
            }
        }
        Duration lifetime = TradeStreams.MAX_LIFETIME;
        if (principal instanceof AbstractOAuth2TokenAuthenticationToken<?> token && token.getToken().getExpiresAt() != null) {
            lifetime = Duration.between(Instant.now(tokenClock), token.getToken().getExpiresAt());
        }
        SseEmitter emitter = streams.open(principal.getName(), cursor, lifetime);
        return ResponseEntity.ok()
                // proxies such as nginx buffer responses unless told not to
                .header("X-Accel-Buffering", "no")
                .header(HttpHeaders.CACHE_CONTROL, "no-cache, no-store")
                .body(emitter);
    }
}
