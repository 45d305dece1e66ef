package io.papertrading.query.analytics;

import io.papertrading.kernel.money.Money;
import io.papertrading.kernel.trade.TradeId;
import io.papertrading.kernel.trade.TradeOrder;
import io.papertrading.kernel.trade.event.PriceObservedEvent;
import io.papertrading.kernel.trade.event.TradeEvent;
import io.papertrading.migrations.TestDatabase;
import io.papertrading.query.support.UserScope;
import io.papertrading.query.trade.TradeChangeSignalAccess;
import io.papertrading.query.trade.TradeHistory;
import org.axonframework.eventhandling.AnnotationEventHandlerAdapter;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventsourcing.eventstore.EmbeddedEventStore;
import org.axonframework.eventsourcing.eventstore.inmemory.InMemoryEventStorageEngine;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * The query side wired by hand over the shared test database (projections on the engine role, queries on the
 * request role, both RLS-bound) with an in-memory event store: every emitted trade event is appended to the store
 * (so asOf can fold it) and handled by the trades and analytics projections exactly as Axon would deliver it. All
 * handled messages are kept for replays.
 */
final class AnalyticsHarness {

    final DataSource engineDataSource = TestDatabase.get().pooledEngine();
    final JdbcTemplate jdbc = new JdbcTemplate(engineDataSource);
    final DataSourceTransactionManager transactionManager = new DataSourceTransactionManager(engineDataSource);
    /** The projections' scope, on the engine role. */
    final UserScope engineScope = new UserScope(jdbc, transactionManager);
    /** The queries' scope, on the request role. */
    final UserScope userScope = requestScope();
    final EmbeddedEventStore eventStore = EmbeddedEventStore.builder()
            .storageEngine(new InMemoryEventStorageEngine()).build();
    final AnalyticsProjection analytics = new AnalyticsProjection(jdbc, engineScope, transactionManager);
    final AnnotationEventHandlerAdapter analyticsAdapter = new AnnotationEventHandlerAdapter(analytics);
    final AnnotationEventHandlerAdapter tradesAdapter =
            new AnnotationEventHandlerAdapter(TradeChangeSignalAccess.projection(jdbc, engineScope, transactionManager));
    final TradeHistory history = new TradeHistory(eventStore, userScope);
    final AnalyticsQueries queries = new AnalyticsQueries(userScope, history);
    final JdbcTemplate ownerJdbc = new JdbcTemplate(TestDatabase.get().pooledOwner());
    final List<DomainEventMessage<?>> delivered = new ArrayList<>();
    private final Map<String, Long> sequences = new HashMap<>();

    private static UserScope requestScope() {
        DataSource request = TestDatabase.get().pooledApp();
        return new UserScope(new JdbcTemplate(request), new DataSourceTransactionManager(request));
    }

    static String uniqueUser(String base) {
        return base + "-" + UUID.randomUUID().toString().substring(0, 8).toLowerCase(Locale.ROOT);
    }

    static TradeId newTradeId() {
        return new TradeId(UUID.randomUUID().toString());
    }

    static Money money(String amount) {
        return Money.of(amount);
    }

    static TradeOrder stock(String symbol, String side, int quantity, String strategy) {
        return TradeOrder.validated(symbol, null, side, quantity, "MARKET", null, null, null, strategy, null,
                LocalDate.of(2026, 1, 2));
    }

    static TradeOrder option(String occ, int quantity, String strategy) {
        return TradeOrder.validated(occ.replaceAll("\\d.*", ""), occ, "BUY", quantity, "MARKET", null, null, null,
                strategy, null, LocalDate.of(2026, 1, 2));
    }

    /** Appends a trade event at its occurredAt to its stream and delivers it to both projections. */
    void emit(TradeEvent event) {
        deliver(stored(event));
    }

    /** Appends a trade event at its occurredAt to its stream, without delivering it. */
    DomainEventMessage<TradeEvent> stored(TradeEvent event) {
        String id = event.tradeId().value();
        long seq = sequences.merge(id, 0L, (a, b) -> a + 1);
        GenericDomainEventMessage<TradeEvent> message = new GenericDomainEventMessage<>("Trade", id, seq, event,
                Map.of(), UUID.randomUUID().toString(), event.occurredAt());
        eventStore.publish(message);
        return message;
    }

    /** A quote for a trade at {@code at}, stored as the JPA engine stores a non-domain event. */
    void price(TradeId id, String username, String mark, Instant at) {
        String eventId = UUID.randomUUID().toString();
        PriceObservedEvent event = new PriceObservedEvent(id, username, null, null, null, money(mark), null, null,
                null, at);
        deliver(new GenericDomainEventMessage<>(null, eventId, 0, event, Map.of(), eventId, at));
    }

    void deliver(DomainEventMessage<?> message) {
        delivered.add(message);
        handle(message);
    }

    void handle(DomainEventMessage<?> message) {
        try {
            tradesAdapter.handle(message);
            analyticsAdapter.handle(message);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Replays the analytics projection: its reset handler, then every delivered message again. */
    void replayAnalytics(List<DomainEventMessage<?>> order) {
        analyticsAdapter.prepareReset(null);
        for (DomainEventMessage<?> m : order) {
            try {
                analyticsAdapter.handle(m);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * Replays the analytics projection as its processor does under load: the reset handler, then the messages in
     * batches of 1 to {@code maxBatch}, each batch in one transaction.
     */
    void replayAnalyticsInBatches(List<DomainEventMessage<?>> order, Random random, int maxBatch) {
        analyticsAdapter.prepareReset(null);
        TransactionTemplate batchTx = new TransactionTemplate(transactionManager);
        for (int from = 0; from < order.size(); ) {
            List<DomainEventMessage<?>> batch = order.subList(from, Math.min(order.size(), from + 1 + random.nextInt(maxBatch)));
            batchTx.executeWithoutResult(status -> batch.forEach(m -> {
                try {
                    analyticsAdapter.handle(m);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
            from += batch.size();
        }
    }

    static BigDecimal bd(String value) {
        return new BigDecimal(value);
    }
}
