package io.papertrading.query.trade;

import io.papertrading.query.QueryNode;
import io.papertrading.kernel.error.TradeNotFoundException;
import io.papertrading.kernel.error.ValidationFailedException;
import io.papertrading.query.support.RequestParams;
import org.springframework.http.ResponseEntity;
import org.springframework.security.authentication.AuthenticationCredentialsNotFoundException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.security.Principal;
import java.util.List;

/**
 * The query API for trades ({@code GET /api/trades…}). The user is the authenticated principal's name (the
 * JWT's {@code sub}) and nothing else; every read goes through RLS, and a trade that is not the caller's is
 * reported exactly like one that does not exist.
 */
@QueryNode
@RestController
@RequestMapping("/api/trades")
class TradeQueryController {

    /** Trade ids are UUIDs; anything much longer cannot be one, so it is not even looked up. */
    private static final int MAX_TRADE_ID = 128;

    private final TradeQueries queries;
    private final TradeHistory history;

    TradeQueryController(TradeQueries queries, TradeHistory history) {
        this.queries = queries;
        this.history = history;
    }

    @GetMapping
    FindTradesResponse list(Principal principal,
                            @RequestParam(name = "status", required = false) List<String> status,
                            @RequestParam(name = "symbol", required = false) String symbol,
                            @RequestParam(name = "strategy", required = false) String strategy,
                            @RequestParam(name = "from", required = false) String from,
                            @RequestParam(name = "to", required = false) String to,
                            @RequestParam(name = "page", required = false) String page,
                            @RequestParam(name = "size", required = false) String size) {
        return queries.find(TradeListParameters.parse(username(principal), status, symbol, strategy, from, to, page, size));
    }

    @GetMapping("/{id}")
    ResponseEntity<TradeView> one(Principal principal, @PathVariable("id") String id,
                                  @RequestParam(name = "minVersion", required = false) String minVersion,
                                  @RequestParam(name = "asOf", required = false) String asOf) {
        String username = username(principal);
        long wanted = TradeListParameters.minVersion(minVersion);
        requirePlausibleId(id);
        if (asOf != null) {
            // folded from the trade's own event stream up to asOf; no ETag: it is not the current version
            return ResponseEntity.ok(history.asOf(username, id, RequestParams.instant("asOf", asOf))
                    .orElseThrow(() -> new TradeNotFoundException(id)));
        }
        TradeView trade = (wanted > 0
                ? queries.findAtLeast(username, id, wanted, TradeQueries.MAX_VERSION_WAIT)
                : queries.find(username, id))
                .orElseThrow(() -> new TradeNotFoundException(id));
        return ResponseEntity.ok().eTag(Long.toString(trade.version())).body(trade);
    }

    @GetMapping("/{id}/transitions")
    List<TransitionView> transitions(Principal principal, @PathVariable("id") String id) {
        String username = username(principal);
        requirePlausibleId(id);
        return queries.transitions(username, id).orElseThrow(() -> new TradeNotFoundException(id));
    }

    /**
     * The trade's price history, oldest first: {@code from}/{@code to} bound the time (ISO-8601 instants, both
     * inclusive), {@code limit} caps the count (default 500, at most 5000).
     */
    @GetMapping("/{id}/snapshots")
    List<SnapshotView> snapshots(Principal principal, @PathVariable("id") String id,
                                 @RequestParam(name = "from", required = false) String from,
                                 @RequestParam(name = "to", required = false) String to,
                                 @RequestParam(name = "limit", required = false) String limit) {
        String username = username(principal);
        requirePlausibleId(id);
        int max = TradeQueries.DEFAULT_SNAPSHOTS;
        if (limit != null) {
            try {
                max = Integer.parseInt(limit);
            } catch (NumberFormatException e) {
                max = -1;
            }
            if (max < 1 || max > TradeQueries.MAX_SNAPSHOTS) {
                throw ValidationFailedException.of("limit", "an integer from 1 to " + TradeQueries.MAX_SNAPSHOTS);
            }
        }
        return queries.snapshots(username, id, from == null ? null : RequestParams.instant("from", from),
                to == null ? null : RequestParams.instant("to", to), max).orElseThrow(() -> new TradeNotFoundException(id));
    }

    private static void requirePlausibleId(String id) {
        if (id.length() > MAX_TRADE_ID) {
            throw new TradeNotFoundException(id.substring(0, 16) + "…");
        }
    }

    private static String username(Principal principal) {
        if (principal == null || principal.getName() == null || principal.getName().isBlank()) {
            // security configuration lets no anonymous request reach here; if one does, it is unauthenticated
            throw new AuthenticationCredentialsNotFoundException("authentication required");
        }
        return principal.getName();
    }
}
