package io.papertrading.app.axon;

import com.fasterxml.jackson.databind.JsonNode;
import io.papertrading.app.IntegrationTestBase;
import io.papertrading.kernel.trade.TradeId;
import io.papertrading.kernel.trade.command.AnnotateTradeCommand;
import io.papertrading.kernel.trade.event.TradeAnnotatedEvent;
import org.axonframework.commandhandling.CommandBus;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.common.Registration;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.messaging.MessageHandlerInterceptor;
import org.axonframework.messaging.MessageHandlerInterceptorSupport;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A user's command racing another node that appends to the same trade between this node's load and its append,
 * on the real command bus, event store and PostgreSQL. The other node is played by a second transaction that
 * appends the next event of the stream while the user's command is being handled, which is what another node's
 * saga or user does. The command is sent again against the trade as it now is, and never answered 500.
 */
class CrossNodeCommandRaceIT extends IntegrationTestBase {

    private static final String ORDER = """
            {"symbol":"AAPL","side":"BUY","quantity":1,"orderType":"LIMIT","limitPrice":1.00}""";

    @Autowired
    private CommandBus commandBus;
    @Autowired
    private EventStorageEngine storage;
    @Autowired
    private EventStore eventStore;
    @Autowired
    private TransactionManager transactions;

    @Test
    void aNoteThatLostARaceToAnotherNodeIsAppliedOnTheTradeAsItNowIs() {
        String alice = user("alice");
        String id = place(alice, "race-once");

        HttpResponse<String> r;
        try (OtherNode other = raceNotesOn(id, 1)) {
            r = send("POST", "/api/trades/" + id + "/notes", alice, "{\"text\":\"mine\"}", Map.of());
            assertThat(other.appended()).isEqualTo(1);
        }

        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        // the answer is the trade as the retry left it: the note is its newest event at that version
        assertThat(json(r).get("version").asLong()).isEqualTo(sequenceOfNote(id, "mine") + 1);
        assertThat(notes(id)).containsExactly("the other node's", "mine");
    }

    @Test
    void aTradeThatChangesUnderEveryAttemptIsAConflictAndTheCommandWritesNothing() {
        String alice = user("alice");
        String id = place(alice, "race-always");

        HttpResponse<String> r;
        try (OtherNode other = raceNotesOn(id, Integer.MAX_VALUE)) {
            r = send("POST", "/api/trades/" + id + "/notes", alice, "{\"text\":\"mine\"}", Map.of());
            assertThat(other.appended()).isEqualTo(3);
        }

        assertThat(r.statusCode()).as(r.body()).isEqualTo(409);
        JsonNode problem = json(r);
        assertThat(problem.get("code").asText()).isEqualTo("OPERATION_CONFLICT");
        assertThat(problem.get("detail").asText()).contains("try again").doesNotContain("Exception", "sql");
        assertThat(notes(id)).containsExactly("the other node's", "the other node's", "the other node's");
    }

    private String place(String user, String key) {
        HttpResponse<String> r = placeTrade(user, key, ORDER);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return json(r).get("tradeId").asText();
    }

    private long sequenceOfNote(String tradeId, String text) {
        return eventStore.readEvents(tradeId).asStream()
                .filter(m -> m.getPayload() instanceof TradeAnnotatedEvent a && a.text().equals(text))
                .findFirst().orElseThrow().getSequenceNumber();
    }

    private List<String> notes(String tradeId) {
        return eventStore.readEvents(tradeId).asStream()
                .filter(m -> m.getPayload() instanceof TradeAnnotatedEvent)
                .map(m -> ((TradeAnnotatedEvent) m.getPayload()).text())
                .toList();
    }

    /**
     * While this node handles an {@link AnnotateTradeCommand} for the trade (its events loaded, its own not yet
     * appended), "another node" appends the stream's next event in its own transaction, up to {@code times} times.
     */
    private OtherNode raceNotesOn(String tradeId, int times) {
        AtomicInteger appended = new AtomicInteger();
        MessageHandlerInterceptor<CommandMessage<?>> interceptor = (unitOfWork, chain) -> {
            Object result = chain.proceed();
            if (unitOfWork.getMessage().getPayload() instanceof AnnotateTradeCommand c
                    && c.tradeId().value().equals(tradeId) && appended.get() < times) {
                // another thread, so another connection and transaction: this one's is still open
                CompletableFuture.runAsync(() -> transactions.executeInTransaction(() -> {
                    long next = eventStore.lastSequenceNumberFor(tradeId).orElseThrow() + 1;
                    storage.appendEvents(new GenericDomainEventMessage<>("Trade", tradeId, next,
                            new TradeAnnotatedEvent(new TradeId(tradeId), "the other node's", "other-node-user",
                                    Instant.now())));
                })).join();
                appended.incrementAndGet();
            }
            return result;
        };
        Registration registration = ((MessageHandlerInterceptorSupport<CommandMessage<?>>) commandBus)
                .registerHandlerInterceptor(interceptor);
        return new OtherNode(registration, appended);
    }

    private record OtherNode(Registration registration, AtomicInteger count) implements AutoCloseable {
        int appended() {
            return count.get();
        }

        @Override
        public void close() {
            registration.cancel();
        }
    }
}
