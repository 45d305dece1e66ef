package io.papertrading.app.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.papertrading.kernel.error.FieldChecks;
import io.papertrading.kernel.error.FieldError;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Refuses a query string with a control character (NUL included), a broken escape or more than
 * {@value #MAX_PARAMETERS} parameters, naming the parameter, before any controller or SQL sees it. Query
 * parameters are single-line, so tab and line breaks are refused too.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
class QueryTextFilter extends OncePerRequestFilter {

    static final int MAX_PARAMETERS = 32;
    private static final Pattern PRINTABLE_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private final ObjectMapper mapper;

    QueryTextFilter(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String query = request.getQueryString();
        FieldError refusal = query == null ? null : refusal(query);
        if (refusal != null) {
            Problems.write(response, mapper, ProblemDetailsAdvice.validation("a query parameter is not acceptable",
                    List.of(refusal)));
            return;
        }
        chain.doFilter(request, response);
    }

    /** The first problem with a raw query string, or null when every parameter is acceptable. */
    static FieldError refusal(String query) {
        String[] pairs = query.split("&", -1);
        if (pairs.length > MAX_PARAMETERS) {
            return new FieldError("query", "at most " + MAX_PARAMETERS + " parameters");
        }
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            String name;
            String value;
            try {
                name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return new FieldError("query", "a broken %-escape");
            }
            if (!name.isEmpty() && !PRINTABLE_NAME.matcher(name).matches()) {
                return new FieldError("query", "parameter names are letters, digits, '_', '.' and '-'");
            }
            String field = name.isEmpty() ? "query" : name;
            // U+FFFD is what the decoder made of invalid UTF-8
            if (FieldChecks.hasControl(value, false) || value.indexOf('\uFFFD') >= 0) {
                return new FieldError(field, "control characters and invalid UTF-8 are not allowed");
            }
        }
        return null;
    }
}
