package io.papertrading.query.analytics;

import io.papertrading.query.QueryNode;
import io.papertrading.query.support.RequestParams;
import org.springframework.security.authentication.AuthenticationCredentialsNotFoundException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.security.Principal;
import java.util.List;

/**
 * The analytics API: {@code GET /api/portfolio} (optionally {@code ?asOf=} an instant: the portfolio rebuilt
 * from the event stream as it stood then), {@code GET /api/analytics/equity-curve?from=&to=} and
 * {@code GET /api/analytics/excursions}. Always the authenticated user's own figures, through RLS.
 */
@QueryNode
@RestController
class AnalyticsController {

    private final AnalyticsQueries queries;

    AnalyticsController(AnalyticsQueries queries) {
        this.queries = queries;
    }

    @GetMapping("/api/portfolio")
    PortfolioView portfolio(Principal principal, @RequestParam(name = "asOf", required = false) String asOf) {
        String username = username(principal);
        return asOf == null ? queries.portfolio(username)
                : queries.portfolioAsOf(username, RequestParams.instant("asOf", asOf));
    }

    @GetMapping("/api/analytics/equity-curve")
    List<EquityPoint> equityCurve(Principal principal, @RequestParam(name = "from", required = false) String from,
                                  @RequestParam(name = "to", required = false) String to) {
        return queries.equityCurve(username(principal), from == null ? null : RequestParams.date("from", from),
                to == null ? null : RequestParams.date("to", to));
    }

    @GetMapping("/api/analytics/excursions")
    List<ExcursionStats> excursions(Principal principal) {
        return queries.excursions(username(principal));
    }

    private static String username(Principal principal) {
        if (principal == null || principal.getName() == null || principal.getName().isBlank()) {
            throw new AuthenticationCredentialsNotFoundException("authentication required");
        }
        return principal.getName();
    }
}
