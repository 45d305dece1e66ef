package io.papertrading.query.trade;

import io.papertrading.kernel.error.TradeNotFoundException;
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
@RestController
@RequestMapping("/api/trades")
class TradeQueryController {

    /** Trade ids are UUIDs; anything much longer cannot be one, so it is not even looked up. */
    private static final int MAX_TRADE_ID = 128;

    private final TradeQueries queries;

    TradeQueryController(TradeQueries queries) {
        this.queries = queries;
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
                                  @RequestParam(name = "minVersion", required = false) String minVersion) {
        String username = username(principal);
        long wanted = TradeListParameters.minVersion(minVersion);
        requirePlausibleId(id);
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
