package io.papertrading.app.axon;

import org.axonframework.common.jdbc.PersistenceExceptionResolver;
import org.axonframework.common.jdbc.UnitOfWorkAwareConnectionProviderWrapper;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.config.Configuration;
import org.axonframework.eventhandling.DomainEventData;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.axonframework.eventsourcing.eventstore.jdbc.EventSchema;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.axonframework.eventsourcing.eventstore.jpa.SQLStateResolver;
import org.axonframework.serialization.Serializer;
import org.axonframework.spring.jdbc.SpringDataSourceConnectionProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;

import javax.sql.DataSource;
import java.util.stream.Stream;

/**
 * The event store: Axon's JDBC engine on the table its JPA engine defined ({@code domain_event_entry}: same
 * columns, same JSON bytes, the timestamp as the same ISO text, the global index drawn by the column's default),
 * and it never reads the snapshot table. JDBC rather than JPA because every processor's fetch went through a JPQL
 * query: four processors parsing it at once cost ~6 s of CPU at each start on 2 cores, and Hibernate's query
 * machinery around every fetch and append more than the SQL itself. No aggregate here is snapshotted (a trade
 * lives for a handful of events), so a snapshot read found nothing on every aggregate load: one query per command.
 * Nor does a load read on until an empty batch, as Axon's JDBC engine does by default: a trade's sequence numbers
 * are contiguous (nothing here deletes an event), so a range of {@value #AGGREGATE_BATCH} sequence numbers that
 * holds fewer events is the stream's end; the default cost a second, empty query on every command.
 * The connection is the engine's, joining the unit of work's transaction.
 */
@org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
class EventStorage {

    /** Events read per query, for an aggregate's stream and a processor's fetch alike (Axon's default). */
    static final int AGGREGATE_BATCH = 100;
    /** PostgreSQL's SQLState for a unique constraint's violation. */
    static final String UNIQUE_VIOLATION = "23505";

    /**
     * What tells a duplicate key from other failures, for the event store (and every Axon JDBC component that asks):
     * PostgreSQL's SQLState {@code 23505} (unique violation) anywhere in the cause chain. Axon's JDBC default looks for
     * {@code SQLIntegrityConstraintViolationException}, which pgjdbc never throws, so two nodes appending to one
     * aggregate at once (the same Idempotency-Key sent to both, say) failed as an unexpected storage error (500)
     * instead of the conflict the command retries on.
     */
    @Bean
    PersistenceExceptionResolver persistenceExceptionResolver() {
        return new SQLStateResolver(UNIQUE_VIOLATION);
    }

    @Bean
    EventStorageEngine eventStorageEngine(Serializer defaultSerializer,
                                          PersistenceExceptionResolver persistenceExceptionResolver,
                                          @Qualifier("eventSerializer") Serializer eventSerializer,
                                          Configuration configuration,
                                          DataSource dataSource,
                                          TransactionManager transactionManager) {
        return new WithoutSnapshots(JdbcEventStorageEngine.builder()
                .snapshotSerializer(defaultSerializer)
                .upcasterChain(configuration.upcasterChain())
                .persistenceExceptionResolver(persistenceExceptionResolver)
                .eventSerializer(eventSerializer)
                .snapshotFilter(configuration.snapshotFilter())
                .connectionProvider(new UnitOfWorkAwareConnectionProviderWrapper(
                        new SpringDataSourceConnectionProvider(dataSource)))
                .transactionManager(transactionManager)
                .dataType(byte[].class)
                .batchSize(AGGREGATE_BATCH)
                .finalAggregateBatchPredicate(batch -> batch.size() < AGGREGATE_BATCH)
                .schema(EventSchema.builder()
                        .eventTable("domain_event_entry")
                        .snapshotTable("snapshot_event_entry")
                        .globalIndexColumn("global_index")
                        .timestampColumn("time_stamp")
                        .eventIdentifierColumn("event_identifier")
                        .aggregateIdentifierColumn("aggregate_identifier")
                        .sequenceNumberColumn("sequence_number")
                        .typeColumn("type")
                        .payloadTypeColumn("payload_type")
                        .payloadRevisionColumn("payload_revision")
                        .payloadColumn("payload")
                        .metaDataColumn("meta_data")
                        .build()));
    }

    /** Aggregates are rebuilt from their events alone. */
    static final class WithoutSnapshots extends JdbcEventStorageEngine {

        WithoutSnapshots(Builder builder) {
            super(builder);
        }

        @Override
        protected Stream<? extends DomainEventData<?>> readSnapshotData(String aggregateIdentifier) {
            return Stream.empty();
        }
    }
}
