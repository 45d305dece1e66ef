package io.papertrading.app.web;

import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Describes {@code GET /api/stream} in the OpenAPI document: an {@code SseEmitter} says nothing about the events
 * it carries, so the generated entry would be an empty object.
 */
@Configuration(proxyBeanMethods = false)
class StreamApiDocumentation {

    static final String DESCRIPTION = """
            Server-sent events of the caller's own trades and portfolio, read under the same row-level security \
            as every other read. Events: `ready` first (data `{"cursor":"<id>"}`, with an id); `trade` (data: the \
            trade exactly as `GET /api/trades/{id}` returns it, including `version`: drop a message whose version \
            is lower than one you hold; equal versions carry newer price marks); `portfolio` (data: as \
            `GET /api/portfolio`). The last `trade` event of each batch carries an id: send the last id seen as \
            `Last-Event-ID` when reconnecting and nothing changed meanwhile is missed (`0` sends every trade). A \
            comment line every 15 s keeps proxies from closing the stream. At most 4 streams per user and node \
            (`429 TOO_MANY_STREAMS`); the stream ends when the token expires, or after 30 minutes.""";

    @Bean
    OpenApiCustomizer streamDocumentation() {
        return openApi -> {
            if (openApi.getPaths() == null) {
                return;
            }
            PathItem path = openApi.getPaths().get("/api/stream");
            if (path == null || path.getGet() == null) {
                return;
            }
            Operation get = path.getGet();
            get.setSummary("Live updates of the caller's trades (server-sent events)");
            get.setDescription(DESCRIPTION);
            get.setParameters(new java.util.ArrayList<>(java.util.List.of(new Parameter().in("header").name("Last-Event-ID")
                    .required(false).description("the last event id received; resumes after it").schema(new StringSchema().pattern("[0-9]{1,19}")))));
            get.setResponses(new ApiResponses()
                    .addApiResponse("200", new ApiResponse().description("the event stream")
                            .addHeaderObject("Cache-Control", new Header().schema(new StringSchema()))
                            .content(new Content().addMediaType("text/event-stream",
                                    new MediaType().schema(new StringSchema().example(
                                            "event: ready\nid: 7731\ndata: {\"cursor\":\"7731\"}\n\n")))))
                    .addApiResponse("400", problem("Last-Event-ID is not an id this stream sent (VALIDATION_FAILED)"))
                    .addApiResponse("401", problem("no valid bearer token"))
                    .addApiResponse("429", problem("the user already holds 4 streams on this node (TOO_MANY_STREAMS)")));
        };
    }

    private static ApiResponse problem(String description) {
        return new ApiResponse().description(description).content(new Content()
                .addMediaType("application/problem+json", new MediaType().schema(new io.swagger.v3.oas.models.media.ObjectSchema())));
    }
}
