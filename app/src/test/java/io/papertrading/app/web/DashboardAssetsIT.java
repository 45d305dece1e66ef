package io.papertrading.app.web;

import io.papertrading.app.IntegrationTestBase;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard ships in the jar and is served at {@code /} with a Content-Security-Policy that forbids inline
 * code and framing; the policy stays off Swagger UI (which needs inline code) and the API.
 */
class DashboardAssetsIT extends IntegrationTestBase {

    private static final Pattern IMPORT = Pattern.compile("(?m)^import [^;]*? from '(\\.{1,2}/[^']+)';");
    private static final Pattern ASSET = Pattern.compile("(?:src|href)=\"(/assets/[^\"]+)\"");

    @Test
    void theDashboardIsServedAtTheRootUnderAStrictContentSecurityPolicy() {
        HttpResponse<String> page = send("GET", "/", null, null, Map.of());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        String csp = page.headers().firstValue("Content-Security-Policy").orElse("");
        assertThat(csp).contains("default-src 'self'").contains("frame-ancestors 'none'")
                .doesNotContain("unsafe-inline").doesNotContain("unsafe-eval");
        // nothing inline for the policy to refuse
        assertThat(page.body()).doesNotContainPattern("<script(?![^>]*\\bsrc=)").doesNotContain("<style").doesNotContain(" style=")
                .doesNotContainPattern(" on[a-z]+=");
    }

    @Test
    void everyAssetThePageNamesAndEveryModuleItImportsIsServed() {
        String page = send("GET", "/", null, null, Map.of()).body();
        Deque<String> todo = new ArrayDeque<>();
        Matcher assets = ASSET.matcher(page);
        while (assets.find()) {
            todo.add(assets.group(1));
        }
        assertThat(todo).contains("/assets/js/main.js", "/assets/app.css");
        Set<String> seen = new HashSet<>();
        while (!todo.isEmpty()) {
            String path = todo.pop();
            if (!seen.add(path)) {
                continue;
            }
            HttpResponse<String> asset = send("GET", path, null, null, Map.of());
            assertThat(asset.statusCode()).as(path).isEqualTo(200);
            assertThat(asset.headers().firstValue("Content-Security-Policy")).as(path).isPresent();
            if (path.endsWith(".js")) {
                assertThat(asset.headers().firstValue("Content-Type").orElse("")).as(path).contains("javascript");
                Matcher imports = IMPORT.matcher(asset.body());
                while (imports.find()) {
                    todo.add(java.net.URI.create(path).resolve(imports.group(1)).getPath());
                }
            }
        }
        assertThat(seen).contains("/assets/js/views/entry.js", "/assets/js/live.js", "/assets/js/chart.js");
    }

    @Test
    void swaggerUiAndTheApiKeepTheirOwnHeaders() {
        HttpResponse<String> swagger = send("GET", "/swagger-ui/index.html", null, null, Map.of());
        assertThat(swagger.statusCode()).isEqualTo(200);
        assertThat(swagger.headers().firstValue("Content-Security-Policy")).isEmpty();
        HttpResponse<String> api = send("GET", "/api/portfolio", user("csp"), null, Map.of());
        assertThat(api.statusCode()).isEqualTo(200);
        assertThat(api.headers().firstValue("Content-Security-Policy")).isEmpty();
    }
}
