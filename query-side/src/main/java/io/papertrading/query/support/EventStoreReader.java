package io.papertrading.query.support;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectReader;
import org.axonframework.config.Configuration;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.EventUtils;
import org.axonframework.eventhandling.GenericDomainEventEntry;
import org.axonframework.eventhandling.GlobalSequenceTrackingToken;
import org.axonframework.eventhandling.TrackedDomainEventData;
import org.axonframework.eventhandling.TrackedEventData;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.SimpleSerializedObject;
import org.axonframework.serialization.SimpleSerializedType;
import org.axonframework.serialization.json.JacksonSerializer;
import org.axonframework.serialization.upcasting.event.EventUpcaster;
import org.postgresql.PGStatement;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.type.filter.AssignableTypeFilter;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Reads the event store in bulk for projection rebuilds, without an event processor: one JDBC cursor in the
 * store's global order, only the events of the payload types asked for, their payloads deserialized by the event
 * store's own serializer. With upcasters registered every row goes through Axon's upcaster chain, in one stream,
 * as the event store reads them; without any, a Jackson serializer's payloads are read straight by its object
 * mapper (what the serializer itself does, without the message objects around it), in parallel chunks.
 *
 * <p>Positions are Axon's global indexes, which have gaps: an index is taken when a transaction appends an event,
 * so one still running shows as a gap until it commits (or never fills, if it rolls back). Like Axon's tracking
 * tokens, a read reports the gaps within {@value #GAP_WINDOW} positions below where it got to; a later read asks
 * for them again, and the token a rebuild leaves its processor lists those still open.
 */
@Component
public class EventStoreReader {

    /** How far below its position a read keeps gaps open (Axon's default maximum gap offset). */
    public static final int GAP_WINDOW = 10_000;
    private static final int FETCH_SIZE = 5_000;
    /** Threads deserializing a bulk read's chunks, and how many chunks (of rows) may wait for the sink. */
    private static final int DESERIALIZERS = Math.max(2, Runtime.getRuntime().availableProcessors());
    private static final int CHUNK = 1_000;
    private static final int QUEUED_CHUNKS = 8;
    /** What a payload is read with; the other columns only for upcasters, which may look at them (the metadata is a
     * third of a row). */
    private static final String COLUMNS = "global_index, sequence_number, event_identifier, payload_type, payload_revision, "
            + "payload";
    private static final String UPCASTING_COLUMNS = COLUMNS + ", type, aggregate_identifier, time_stamp, meta_data";
    private static final String INDEXED_COLUMNS = "global_index, sequence_number, event_identifier, "
            + "array_position(?::text[], payload_type::text) as type_index, payload_revision, payload";
    private static final byte[] NO_METADATA = "{}".getBytes(StandardCharsets.UTF_8);
    /** Marks a stored type that is not the one read. */
    private static final ObjectReader NOT_OURS = new com.fasterxml.jackson.databind.ObjectMapper().reader();

    private final DataSource dataSource;
    private final JdbcTemplate jdbc;
    private final Supplier<Serializer> serializer;
    private final Supplier<EventUpcaster> upcasterChain;
    private final BooleanSupplier upcasting;
    private final Map<Class<?>, List<String>> storedTypes = new ConcurrentHashMap<>();

    /**
     * {@code dataSource} and {@code jdbc} are the engine's: only that role reads the event store. The serializer and
     * upcasters are the event store's own (taken when a read begins).
     */
    @Autowired
    public EventStoreReader(DataSource dataSource, JdbcTemplate jdbc, Configuration axon,
                            ObjectProvider<EventUpcaster> upcasters) {
        this(dataSource, jdbc, axon::eventSerializer, axon::upcasterChain, () -> upcasters.stream().findAny().isPresent());
    }

    /** {@code upcasting}: whether any upcaster is registered in {@code upcasterChain}. */
    public EventStoreReader(DataSource dataSource, JdbcTemplate jdbc, Supplier<Serializer> serializer,
                            Supplier<EventUpcaster> upcasterChain, BooleanSupplier upcasting) {
        this.dataSource = dataSource;
        this.jdbc = jdbc;
        this.serializer = serializer;
        this.upcasterChain = upcasterChain;
        this.upcasting = upcasting;
    }

    /** Receives the events of a bulk read in the store's order. */
    @FunctionalInterface
    public interface Sink {
        void accept(StoredEvent event) throws Exception;
    }

    /**
     * A consistent read of everything stored when it began: the head (the highest index then visible), the
     * gaps below it within {@link #GAP_WINDOW}, and the events of one payload type up to the head. Holds one
     * connection in a read-only repeatable-read transaction until closed.
     */
    public final class BulkRead implements AutoCloseable {

        private final Connection connection;
        private final long head;
        private final TreeSet<Long> missing;
        private final Payloads payloads;

        private BulkRead(Class<?> payloadType) throws SQLException {
            this.payloads = payloads(payloadType);
            this.connection = dataSource.getConnection();
            try {
                connection.setAutoCommit(false);
                connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                connection.setReadOnly(true);
                try (var st = connection.createStatement()) {
                    // the ordered index scan, whatever the statistics say: a sort would spill the store to disk
                    st.execute("set local enable_sort = off");
                    st.execute("set local enable_bitmapscan = off");
                }
                try (PreparedStatement ps = connection.prepareStatement(
                        "select coalesce(max(global_index), 0) from domain_event_entry");
                     ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    head = rs.getLong(1);
                }
                Set<Long> present = new java.util.HashSet<>();
                try (PreparedStatement ps = connection.prepareStatement(
                        "select global_index from domain_event_entry where global_index > ? and global_index <= ?")) {
                    ps.setLong(1, head - GAP_WINDOW);
                    ps.setLong(2, head);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            present.add(rs.getLong(1));
                        }
                    }
                }
                missing = gaps(present, Math.max(0, head - GAP_WINDOW), head);
            } catch (SQLException | RuntimeException e) {
                connection.close();
                throw e;
            }
        }

        /** The highest global index this read sees. */
        public long head() {
            return head;
        }

        /** Indexes at most {@link #GAP_WINDOW} below the head that this read does not see (not committed yet). */
        public TreeSet<Long> missing() {
            return new TreeSet<>(missing);
        }

        /**
         * Streams every event of the payload type up to the head, in order, to {@code sink} (on the calling thread).
         * Without upcasters the rows are read on a thread of their own and deserialized in chunks on
         * {@value #DESERIALIZERS} more, so reading, deserializing and what the sink does overlap.
         */
        public void forEach(Sink sink) throws Exception {
            // without upcasters, a type comes as its place in the list of stored types: no name to decode and hash
            String sql = payloads.upcasting()
                    ? "select " + UPCASTING_COLUMNS + " from domain_event_entry where global_index <= ? order by global_index"
                    : "select " + INDEXED_COLUMNS + " from domain_event_entry where global_index <= ?"
                            + " and payload_type = any(?::text[]) order by global_index";
            try (PreparedStatement ps = connection.prepareStatement(sql)) {
                // bytea in binary, not hex text, from the first execution
                ps.unwrap(PGStatement.class).setPrepareThreshold(-1);
                ps.setFetchSize(FETCH_SIZE);
                if (payloads.upcasting()) {
                    ps.setLong(1, head);
                } else {
                    java.sql.Array types = connection.createArrayOf("text", payloads.storedTypes().toArray());
                    ps.setArray(1, types);
                    ps.setLong(2, head);
                    ps.setArray(3, types);
                }
                if (payloads.upcasting()) {
                    try (ResultSet rs = ps.executeQuery()) {
                        Iterator<Row> rows = new Iterator<>() {
                            @Override
                            public boolean hasNext() {
                                try {
                                    return rs.next();
                                } catch (SQLException e) {
                                    throw new IllegalStateException("reading the event store failed", e);
                                }
                            }

                            @Override
                            public Row next() {
                                try {
                                    return Row.of(rs, true);
                                } catch (SQLException e) {
                                    throw new IllegalStateException("reading the event store failed", e);
                                }
                            }
                        };
                        for (StoredEvent event : (Iterable<StoredEvent>) () -> payloads.upcast(rows)) {
                            sink.accept(event);
                        }
                    }
                } else {
                    inParallel(ps, sink);
                }
            }
        }

        private void inParallel(PreparedStatement ps, Sink sink) throws Exception {
            ExecutorService deserializers = Executors.newFixedThreadPool(DESERIALIZERS, daemon("event-deserializer"));
            BlockingQueue<CompletableFuture<List<StoredEvent>>> chunks = new ArrayBlockingQueue<>(QUEUED_CHUNKS);
            CompletableFuture<List<StoredEvent>> end = CompletableFuture.completedFuture(List.of());
            Thread reading = daemon("event-reader").newThread(() -> {
                try (ResultSet rs = ps.executeQuery()) {
                    List<Row> chunk = new ArrayList<>(CHUNK);
                    while (rs.next()) {
                        chunk.add(Row.indexed(rs, payloads.storedTypes()));
                        if (chunk.size() == CHUNK) {
                            List<Row> full = chunk;
                            chunks.put(CompletableFuture.supplyAsync(() -> payloads.read(full), deserializers));
                            chunk = new ArrayList<>(CHUNK);
                        }
                    }
                    List<Row> last = chunk;
                    chunks.put(CompletableFuture.supplyAsync(() -> payloads.read(last), deserializers));
                    chunks.put(end);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (Exception e) {
                    chunks.offer(CompletableFuture.failedFuture(e));
                }
            });
            reading.start();
            try {
                for (CompletableFuture<List<StoredEvent>> chunk = chunks.take(); chunk != end; chunk = chunks.take()) {
                    for (StoredEvent event : unwrap(chunk)) {
                        sink.accept(event);
                    }
                }
            } finally {
                reading.interrupt();
                chunks.clear();
                reading.join(TimeUnit.SECONDS.toMillis(30));
                deserializers.shutdownNow();
            }
        }

        @Override
        public void close() throws SQLException {
            try {
                connection.rollback();
            } finally {
                connection.close();
            }
        }
    }

    /** Begins a {@link BulkRead} of the events whose payloads are {@code payloadType}s. */
    public BulkRead bulkRead(Class<?> payloadType) throws SQLException {
        return new BulkRead(payloadType);
    }

    /**
     * What a read after a bulk read (or an earlier tail) finds: the events of the payload type, in order, with an
     * index above {@code after} or in {@code missing}; the new head (the highest index seen, at least
     * {@code after}); the gaps still open within {@link #GAP_WINDOW} below it; and whether the read stopped at its
     * limit ({@code more}: read again from the new head).
     */
    public record Tail(List<StoredEvent> events, long head, TreeSet<Long> missing, boolean more) {
    }

    /**
     * Reads at most {@code limit} rows appended after {@code after}, or filling the gaps in {@code missing}, in order,
     * on the caller's transaction if there is one (the engine's {@code JdbcTemplate}).
     */
    public Tail tail(long after, Collection<Long> missing, Class<?> payloadType, int limit) {
        Payloads payloads = payloads(payloadType);
        Long[] asked = missing.toArray(Long[]::new);
        TreeSet<Long> present = new TreeSet<>();
        List<Row> rows = new ArrayList<>();
        // payloads of other types are not even sent
        jdbc.query(connection -> {
            PreparedStatement ps = connection.prepareStatement("select " + columns(payloads.upcasting()).replace(
                    "payload_revision, payload", "payload_revision, "
                            + "case when ?::text[] is null or payload_type = any(?::text[]) then payload end as payload")
                    + " from domain_event_entry where global_index > ? or global_index = any(?) order by global_index limit ?");
            java.sql.Array filter = payloads.storedTypes() == null ? null
                    : connection.createArrayOf("text", payloads.storedTypes().toArray());
            ps.setArray(1, filter);
            ps.setArray(2, filter);
            ps.setLong(3, after);
            ps.setArray(4, connection.createArrayOf("bigint", asked));
            ps.setInt(5, limit);
            return ps;
        }, (ResultSet rs) -> {
            present.add(rs.getLong(1));
            if (rs.getBytes(6) != null) {
                rows.add(Row.of(rs, payloads.upcasting()));
            }
        });
        List<StoredEvent> events = payloads.upcasting() ? toList(payloads.upcast(rows.iterator())) : payloads.read(rows);
        long head = present.isEmpty() ? after : Math.max(after, present.last());
        TreeSet<Long> stillMissing = new TreeSet<>(missing);
        stillMissing.removeAll(present);
        stillMissing.addAll(gaps(present.tailSet(after, false), after, head));
        stillMissing.headSet(head - GAP_WINDOW, true).clear();
        return new Tail(events, head, stillMissing, present.size() == limit);
    }

    /** One stored event's columns, as read ({@link #COLUMNS}, and with {@code full} the upcasters' too). */
    private record Row(long index, String type, String aggregateId, long sequence, String eventId, String timestamp,
                       String payloadType, String payloadRevision, byte[] payload, byte[] metadata) {

        /** A row of {@link #INDEXED_COLUMNS}: the type is one of {@code types}' (the same String, its hash known). */
        static Row indexed(ResultSet rs, List<String> types) throws SQLException {
            return new Row(rs.getLong(1), null, null, rs.getLong(2), rs.getString(3), null, types.get(rs.getInt(4) - 1),
                    rs.getString(5), rs.getBytes(6), null);
        }

        static Row of(ResultSet rs, boolean full) throws SQLException {
            return new Row(rs.getLong(1), full ? rs.getString(7) : null, full ? rs.getString(8) : null, rs.getLong(2),
                    rs.getString(3), full ? rs.getString(9) : null, rs.getString(4), rs.getString(5), rs.getBytes(6),
                    full ? rs.getBytes(10) : null);
        }

        TrackedEventData<?> tracked() {
            return new TrackedDomainEventData<>(new GlobalSequenceTrackingToken(index), new GenericDomainEventEntry<>(
                    type, aggregateId, sequence, eventId, timestamp, payloadType, payloadRevision, payload,
                    metadata == null ? NO_METADATA : metadata));
        }
    }

    /**
     * How one read turns rows into events of one payload type: through the upcaster chain (when any upcaster is
     * registered), else straight through the serializer's object mapper (a Jackson serializer's), else through the
     * serializer.
     */
    private final class Payloads {
        private final Class<?> payloadType;
        private final Serializer serializer;
        private final boolean upcasting;
        private final List<String> storedTypes;
        private final Map<String, ObjectReader> readers = new ConcurrentHashMap<>();

        Payloads(Class<?> payloadType) {
            this.payloadType = payloadType;
            this.serializer = EventStoreReader.this.serializer.get();
            this.upcasting = EventStoreReader.this.upcasting.getAsBoolean();
            // an upcaster may turn a stored type of another name into one of ours: then no row is left out in SQL
            this.storedTypes = upcasting ? null
                    : EventStoreReader.this.storedTypes.computeIfAbsent(payloadType, EventStoreReader::concreteTypes);
        }

        boolean upcasting() {
            return upcasting;
        }

        /** The stored type names to select in SQL, or null for every row. */
        List<String> storedTypes() {
            return storedTypes;
        }

        /**
         * Rows read without upcasting: each payload of the type deserialized as the serializer would. A Jackson
         * serializer's mapper reads the rows' payloads one after the other from one parser (a parser per payload
         * cost a quarter of the reading).
         */
        List<StoredEvent> read(List<Row> rows) {
            List<StoredEvent> events = new ArrayList<>(rows.size());
            if (!(serializer instanceof JacksonSerializer jackson)) {
                for (Row row : rows) {
                    if (type(row) != null) {
                        events.add(event(row, serializer.deserialize(new SimpleSerializedObject<>(row.payload(),
                                byte[].class, row.payloadType(), row.payloadRevision()))));
                    }
                }
                return events;
            }
            int size = 0;
            for (Row row : rows) {
                size += row.payload().length + 1;
            }
            byte[] all = new byte[size];
            int at = 0;
            for (Row row : rows) {
                System.arraycopy(row.payload(), 0, all, at, row.payload().length);
                at += row.payload().length;
                all[at++] = ' ';
            }
            Row current = null;
            try (JsonParser parser = jackson.getObjectMapper().getFactory().createParser(all)) {
                for (Row row : rows) {
                    current = row;
                    ObjectReader reader = readers.computeIfAbsent(row.payloadType(), name -> {
                        Class<?> type = type(row);
                        return type == null ? NOT_OURS : jackson.getObjectMapper().readerFor(type);
                    });
                    parser.nextToken();
                    if (reader == NOT_OURS) {
                        parser.skipChildren();
                        continue;
                    }
                    events.add(event(row, reader.readValue(parser)));
                }
            } catch (java.io.IOException e) {
                throw new IllegalStateException("event " + (current == null ? "?" : current.eventId()) + " ("
                        + (current == null ? "?" : current.payloadType()) + ") is unreadable", e);
            }
            return events;
        }

        private StoredEvent event(Row row, Object payload) {
            return new StoredEvent(row.index(), row.sequence(), row.eventId(), payload);
        }

        /** The class of the row's payload if it is the type asked for, else null. */
        private Class<?> type(Row row) {
            Class<?> type = serializer.classForType(new SimpleSerializedType(row.payloadType(), row.payloadRevision()));
            return payloadType.isAssignableFrom(type) ? type : null;
        }

        /** Rows upcast in one stream, in order, as the event store does; only the events of the type come out. */
        Iterator<StoredEvent> upcast(Iterator<Row> rows) {
            Iterator<TrackedEventMessage<?>> messages = EventUtils.upcastAndDeserializeTrackedEvents(
                    java.util.stream.StreamSupport.stream(java.util.Spliterators.spliteratorUnknownSize(rows,
                            java.util.Spliterator.ORDERED), false).map(Row::tracked),
                    serializer, upcasterChain.get()).iterator();
            return new Iterator<>() {
                private StoredEvent next;

                @Override
                public boolean hasNext() {
                    while (next == null && messages.hasNext()) {
                        TrackedEventMessage<?> m = messages.next();
                        if (payloadType.isAssignableFrom(m.getPayloadType())) {
                            long sequence = m instanceof DomainEventMessage<?> d ? d.getSequenceNumber() : 0;
                            next = new StoredEvent(m.trackingToken().position().orElseThrow(), sequence,
                                    m.getIdentifier(), m.getPayload());
                        }
                    }
                    return next != null;
                }

                @Override
                public StoredEvent next() {
                    if (!hasNext()) {
                        throw new java.util.NoSuchElementException();
                    }
                    StoredEvent e = next;
                    next = null;
                    return e;
                }
            };
        }
    }

    private Payloads payloads(Class<?> payloadType) {
        return new Payloads(payloadType);
    }

    private static List<StoredEvent> toList(Iterator<StoredEvent> events) {
        List<StoredEvent> list = new ArrayList<>();
        events.forEachRemaining(list::add);
        return list;
    }

    private static List<StoredEvent> unwrap(CompletableFuture<List<StoredEvent>> chunk) throws Exception {
        try {
            return chunk.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    private static ThreadFactory daemon(String name) {
        return runnable -> {
            Thread t = new Thread(runnable, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** The indexes in ({@code from}, {@code to}] not in {@code present}. */
    private static TreeSet<Long> gaps(Set<Long> present, long from, long to) {
        TreeSet<Long> gaps = new TreeSet<>();
        for (long i = from + 1; i <= to; i++) {
            if (!present.contains(i)) {
                gaps.add(i);
            }
        }
        return gaps;
    }

    private static String columns(boolean upcasting) {
        return upcasting ? UPCASTING_COLUMNS : COLUMNS;
    }

    /** The names of the concrete classes of {@code type}'s package (and below) that are {@code type}s. */
    static List<String> concreteTypes(Class<?> type) {
        ClassPathScanningCandidateComponentProvider scan = new ClassPathScanningCandidateComponentProvider(false);
        scan.addIncludeFilter(new AssignableTypeFilter(type));
        return scan.findCandidateComponents(type.getPackageName()).stream()
                .map(b -> b.getBeanClassName()).sorted().collect(Collectors.toList());
    }
}
