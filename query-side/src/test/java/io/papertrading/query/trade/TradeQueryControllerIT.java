package io.papertrading.query.trade;

import io.papertrading.kernel.error.RequestRefusedException;
import io.papertrading.kernel.error.TradeNotFoundException;
import io.papertrading.kernel.error.ValidationFailedException;
import io.papertrading.kernel.trade.TradeId;
import io.papertrading.kernel.trade.event.EntryOrderSubmittedEvent;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.junit.jupiter.api.Test;
import org.springframework.http.converter.json.Jackson2ObjectMapperBuilder;
import org.springframework.http.converter.json.MappingJackson2HttpMessageConverter;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

import java.security.Principal;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static io.papertrading.query.trade.ProjectionHarness.newTradeId;
import static io.papertrading.query.trade.ProjectionHarness.optionOrder;
import static io.papertrading.query.trade.ProjectionHarness.uniqueUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/** The query REST API over the real read model; the app's error mapping is stood in for by a small advice. */
class TradeQueryControllerIT {

    private static final Instant T0 = Instant.parse("2026-05-04T12:00:00Z");

    private final ProjectionHarness h = new ProjectionHarness();
    private final MockMvc mvc = MockMvcBuilders.standaloneSetup(new TradeQueryController(h.queries,
            new TradeHistory(org.axonframework.eventsourcing.eventstore.EmbeddedEventStore.builder()
                    .storageEngine(new org.axonframework.eventsourcing.eventstore.inmemory.InMemoryEventStorageEngine())
                    .build(), h.userScope)))
            .setControllerAdvice(new RefusalAdvice())
            // as Spring Boot configures Jackson: ISO-8601 dates and times, not number arrays
            .setMessageConverters(new MappingJackson2HttpMessageConverter(Jackson2ObjectMapperBuilder.json()
                    .featuresToDisable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).build()))
            .build();
    private final String alice = uniqueUser("alice");
    private final Principal asAlice = () -> alice;

    @RestControllerAdvice
    static class RefusalAdvice {
        @ExceptionHandler(RequestRefusedException.class)
        ResponseEntity<Map<String, Object>> refused(RequestRefusedException e) {
            HttpStatus status = e instanceof TradeNotFoundException ? HttpStatus.NOT_FOUND
                    : e instanceof ValidationFailedException ? HttpStatus.BAD_REQUEST : HttpStatus.CONFLICT;
            Object errors = e instanceof ValidationFailedException v ? v.errors() : java.util.List.of();
            return ResponseEntity.status(status).body(Map.of("code", e.code().name(), "errors", errors));
        }
    }

    private TradeId placed() {
        TradeId id = newTradeId();
        h.place(id, alice, optionOrder("AAPL300621C00260000", 2, "2.15", "1.50", "3.20", "note"), T0);
        return id;
    }

    @Test
    void aTradeComesWithItsVersionAsETagAndTheContractsFields() throws Exception {
        TradeId id = placed();

        mvc.perform(get("/api/trades/{id}", id.value()).principal(asAlice))
                .andExpect(status().isOk())
                .andExpect(header().string("ETag", "\"1\""))
                .andExpect(jsonPath("$.tradeId").value(id.value()))
                .andExpect(jsonPath("$.username").value(alice))
                .andExpect(jsonPath("$.status").value("PENDING"))
                .andExpect(jsonPath("$.optionType").value("CALL"))
                .andExpect(jsonPath("$.expiry").value("2030-06-21"))
                .andExpect(jsonPath("$.limitPrice").value(2.15))
                .andExpect(jsonPath("$.createdAt").value("2026-05-04T12:00:00Z"))
                .andExpect(jsonPath("$.version").value(1))
                .andExpect(jsonPath("$.tradeContext").isMap())
                .andExpect(jsonPath("$.closeReason").isEmpty());
    }

    @Test
    void anotherUsersTradeIsNotFound() throws Exception {
        TradeId id = placed();
        Principal bob = () -> "bob-" + alice;

        mvc.perform(get("/api/trades/{id}", id.value()).principal(bob))
                .andExpect(status().isNotFound()).andExpect(jsonPath("$.code").value("NOT_FOUND"));
        mvc.perform(get("/api/trades/{id}/transitions", id.value()).principal(bob))
                .andExpect(status().isNotFound());
        mvc.perform(get("/api/trades/{id}", "no-such-trade").principal(asAlice))
                .andExpect(status().isNotFound());
    }

    @Test
    void listsWithFiltersAndRefusesBadParameters() throws Exception {
        TradeId id = placed();

        mvc.perform(get("/api/trades").param("status", "PENDING,OPEN").param("symbol", "AAPL")
                        .param("from", "2026-05-04").param("to", "2026-05-04").param("size", "10").principal(asAlice))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.total").value(1))
                .andExpect(jsonPath("$.page").value(0))
                .andExpect(jsonPath("$.size").value(10))
                .andExpect(jsonPath("$.items[0].tradeId").value(id.value()));
        mvc.perform(get("/api/trades").param("size", "501").param("status", "NOPE").principal(asAlice))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.code").value("VALIDATION_FAILED"))
                .andExpect(jsonPath("$.errors[*].field").value(org.hamcrest.Matchers.containsInAnyOrder("status", "size")));
    }

    @Test
    void transitionsComeOldestFirst() throws Exception {
        TradeId id = placed();

        mvc.perform(get("/api/trades/{id}/transitions", id.value()).principal(asAlice))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$[0].from").isEmpty())
                .andExpect(jsonPath("$[0].to").value("PENDING"))
                .andExpect(jsonPath("$[0].actor").value(alice))
                .andExpect(jsonPath("$[0].version").value(1));
    }

    @Test
    void minVersionWaitsForTheProjection() throws Exception {
        TradeId id = placed();

        CompletableFuture<MvcResult> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return mvc.perform(get("/api/trades/{id}", id.value()).param("minVersion", "2").principal(asAlice)).andReturn();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        h.projection.on(new EntryOrderSubmittedEvent(id, "SIMULATED", "S-7", T0.plusSeconds(1)), 1);

        MvcResult result = waiting.get(6, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(result.getResponse().getHeader("ETag")).isEqualTo("\"2\"");
        assertThat(result.getResponse().getContentAsString()).contains("\"brokerOrderId\":\"S-7\"");
    }

    @Test
    void aBadMinVersionIsRefused() throws Exception {
        TradeId id = placed();

        mvc.perform(get("/api/trades/{id}", id.value()).param("minVersion", "zero").principal(asAlice))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("minVersion"));
    }
}
