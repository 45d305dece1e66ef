package io.papertrading.app.axon;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.papertrading.command.trade.LiveTradeLedger;
import io.papertrading.command.trade.Trade;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.config.ConfigurerModule;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.PropagatingErrorHandler;
import org.axonframework.eventhandling.deadletter.jdbc.DeadLetterSchema;
import org.axonframework.eventhandling.tokenstore.TokenStore;
import org.axonframework.eventhandling.tokenstore.jdbc.JdbcTokenStore;
import org.axonframework.eventhandling.tokenstore.jdbc.TokenSchema;
import org.axonframework.eventsourcing.AggregateFactory;
import org.axonframework.messaging.correlation.CorrelationDataProvider;
import org.axonframework.modelling.saga.ResourceInjector;
import org.axonframework.modelling.saga.repository.SagaStore;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.json.JacksonSerializer;
import org.axonframework.spring.jdbc.SpringDataSourceConnectionProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.lang.reflect.Constructor;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;

/**
 * Axon's wiring: JSON serialization with a mapper of its own and pooled streaming processors everywhere.
 */
@Configuration(proxyBeanMethods = false)
class AxonConfiguration {

    static final String CORRELATION_ID = "correlationId";

    /**
     * The stored event format. Deliberately not Spring's ObjectMapper: a {@code spring.jackson.*} tweak for the
     * REST API must never change what is written to the event store. Instants in the form it writes them are read
     * by {@link IsoInstantDeserializer} (the same values, several times faster).
     */
    static ObjectMapper storageMapper() {
        return JsonMapper.builder()
                .addModule(new JavaTimeModule())
                .addModule(new SimpleModule("stored-instants").addDeserializer(Instant.class, new IsoInstantDeserializer()))
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .build();
    }

    @Bean
    @Primary
    @Qualifier("serializer")
    Serializer serializer() {
        return new ResolvingJacksonSerializer(JacksonSerializer.builder().objectMapper(storageMapper()).defaultTyping());
    }

    @Bean
    @Qualifier("eventSerializer")
    Serializer eventSerializer() {
        return new ResolvingJacksonSerializer(JacksonSerializer.builder().objectMapper(storageMapper()));
    }

    @Bean
    @Qualifier("messageSerializer")
    Serializer messageSerializer() {
        return new ResolvingJacksonSerializer(JacksonSerializer.builder().objectMapper(storageMapper()));
    }

    /**
     * Every message made while an event is handled (a saga's command, and the events that command causes) carries
     * that event's id as {@code correlationId}: the stored event that caused it. Axon's default provider reads the
     * handled message's metadata for this; for an event from the store that deserialized the metadata of every event
     * in every processor (~8% of a projection's CPU), to copy a {@code traceId} nothing here reads. A command's
     * metadata is already in memory: it passes on the event that caused the command.
     */
    @Bean
    CorrelationDataProvider correlationData() {
        return message -> {
            if (message instanceof CommandMessage<?> command) {
                Object cause = command.getMetaData().get(CORRELATION_ID);
                return Map.of(CORRELATION_ID, cause != null ? cause : command.getIdentifier());
            }
            return Map.of(CORRELATION_ID, message.getIdentifier());
        };
    }

    /**
     * Axon's JDBC token store on the table its JPA store defined (same columns, same serialized tokens): every
     * processor stores its token once per batch, and Hibernate's query machinery around that update cost more
     * than the update itself. The connection is the engine's, joining the batch's transaction.
     */
    @Bean
    TokenStore tokenStore(DataSource dataSource, Serializer serializer) {
        return JdbcTokenStore.builder()
                .connectionProvider(new SpringDataSourceConnectionProvider(dataSource))
                .serializer(serializer)
                .contentType(byte[].class)
                .schema(TokenSchema.builder().setTokenTable("token_entry").setProcessorNameColumn("processor_name")
                        .setSegmentColumn("segment").setTokenColumn("token").setTokenTypeColumn("token_type")
                        .setTimestampColumn("timestamp").setOwnerColumn("owner").build())
                .build();
    }

    /**
     * Axon's JDBC dead-letter queue (its Spring Boot wiring builds one per processing group with {@code dlq.enabled})
     * on the table its JPA queue defined: the same columns and serialized contents, its times as ISO-8601 text
     * (migration V41). With it, nothing in the app needs JPA, and every transaction is a plain JDBC one.
     */
    @Bean
    DeadLetterSchema deadLetterSchema() {
        return DeadLetterSchema.builder().deadLetterTable("dead_letter_entry").deadLetterIdentifierColumn("dead_letter_id")
                .processingGroupColumn("processing_group").sequenceIdentifierColumn("sequence_identifier")
                .sequenceIndexColumn("sequence_index").messageTypeColumn("message_type")
                .eventIdentifierColumn("event_identifier").timestampColumn("time_stamp")
                .payloadTypeColumn("payload_type").payloadRevisionColumn("payload_revision").payloadColumn("payload")
                .metaDataColumn("meta_data").aggregateTypeColumn("type").aggregateIdentifierColumn("aggregate_identifier")
                .sequenceNumberColumn("sequence_number").tokenTypeColumn("token_type").tokenColumn("token")
                .enqueuedAtColumn("enqueued_at").lastTouchedColumn("last_touched")
                .processingStartedColumn("processing_started").causeTypeColumn("cause_type")
                .causeMessageColumn("cause_message").diagnosticsColumn("diagnostics").build();
    }

    /**
     * Creates the empty {@link Trade} each load replays its events into. Axon's Spring default (used unless a bean of
     * this name exists) makes it a prototype bean, run through every bean post-processor of the context on every
     * load: 7% of the CPU of the execution saga's one thread under load (profiled), for every command it sends. The
     * aggregate takes nothing from Spring (its handlers get the clock and ledger as parameters): its constructor serves.
     */
    @Bean
    AggregateFactory<Trade> tradeAggregateFactory() throws NoSuchMethodException {
        Constructor<Trade> empty = Trade.class.getDeclaredConstructor();
        empty.setAccessible(true); // protected: only Axon makes an empty trade
        return new AggregateFactory<>() {
            @Override
            public Trade createAggregateRoot(String aggregateIdentifier, DomainEventMessage<?> firstEvent) {
                if (Trade.class.isAssignableFrom(firstEvent.getPayloadType())) {
                    return (Trade) firstEvent.getPayload(); // a snapshot's payload is the aggregate (none are taken)
                }
                try {
                    return empty.newInstance();
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException("cannot create an empty trade", e);
                }
            }

            @Override
            public Class<Trade> getAggregateType() {
                return Trade.class;
            }
        };
    }

    /** The saga store: plain SQL with an optimistic version check, see {@link VersionedSagaStore}. */
    @Bean
    SagaStore<Object> sagaStore(Serializer serializer, JdbcTemplate jdbc) {
        return new VersionedSagaStore(jdbc, serializer);
    }

    /** What gives a saga its collaborators on every load: each field's bean worked out once per saga class. */
    @Bean
    ResourceInjector resourceInjector(ConfigurableListableBeanFactory beans) {
        return new SingletonResourceInjector(beans);
    }

    /**
     * Tracking processors (see application.yml for why not pooled ones), except the command side's live-trade
     * ledger: it must write in the transaction of the command whose events it follows, and fail that command if it
     * cannot.
     */
    @Bean
    ConfigurerModule trackingProcessors() {
        return configurer -> configurer.eventProcessing().usingTrackingEventProcessors()
                .registerSubscribingEventProcessor(LiveTradeLedger.GROUP)
                .registerListenerInvocationErrorHandler(LiveTradeLedger.GROUP, c -> PropagatingErrorHandler.instance());
    }

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }
}
