package io.papertrading.query.trade;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.papertrading.kernel.trade.CloseReason;
import io.papertrading.kernel.trade.TradeId;
import io.papertrading.kernel.trade.event.BracketsChangedEvent;
import io.papertrading.kernel.trade.event.BrokerProblemClearedEvent;
import io.papertrading.kernel.trade.event.BrokerProblemReportedEvent;
import io.papertrading.kernel.trade.event.CloseRequestedEvent;
import io.papertrading.kernel.trade.event.EntryOrderSubmittedEvent;
import io.papertrading.kernel.trade.event.EntryPartiallyFilledEvent;
import io.papertrading.kernel.trade.event.ExitOrderSubmittedEvent;
import io.papertrading.kernel.trade.event.ExitRejectedEvent;
import io.papertrading.kernel.trade.event.PositionReducedEvent;
import io.papertrading.kernel.trade.event.PriceObservedEvent;
import io.papertrading.kernel.trade.event.TradeAnnotatedEvent;
import io.papertrading.kernel.trade.event.TradeCanceledEvent;
import io.papertrading.kernel.trade.event.TradeClosedEvent;
import io.papertrading.kernel.trade.event.TradeEvent;
import io.papertrading.kernel.trade.event.TradeExpiredEvent;
import io.papertrading.kernel.trade.event.TradeOpenedEvent;
import io.papertrading.kernel.trade.event.TradePlacedEvent;
import io.papertrading.kernel.trade.event.TradeRejectedEvent;
import io.papertrading.query.support.EventStoreReader;
import io.papertrading.query.support.ProjectionRebuild;
import org.axonframework.eventhandling.AnnotationEventHandlerAdapter;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.serialization.json.JacksonSerializer;
import org.axonframework.serialization.upcasting.event.EventUpcasterChain;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;

import static io.papertrading.query.trade.ProjectionHarness.money;
import static io.papertrading.query.trade.ProjectionHarness.newTradeId;
import static io.papertrading.query.trade.ProjectionHarness.optionOrder;
import static io.papertrading.query.trade.ProjectionHarness.stockOrder;
import static io.papertrading.query.trade.ProjectionHarness.uniqueUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The bulk rebuild writes the rows the live projection writes: the same events go into the event store (as Axon's
 * storage engine stores them) and through the live projection, then the shadow tables are loaded from the store,
 * caught up with what came during the load, switched in, and compared row for row. The events cover every rule
 * the fold has (partial fills and exits, a rejected exit, brackets, notes, broker problems, expiry, price history
 * thinned past its maximum both within the load and across the catch-up, a note on a closed trade, an event of an
 * unknown trade, a stale price). Its own class: the switch replaces the tables other tests' rows live in.
 */
class TradeRebuildIT {

    private static final Instant T0 = Instant.parse("2026-05-04T14:00:00Z");
    private static final ObjectMapper STORAGE = JsonMapper.builder().addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();
    private static final JacksonSerializer SERIALIZER = JacksonSerializer.builder().objectMapper(STORAGE).build();

    private final ProjectionHarness h = new ProjectionHarness();
    private final AnnotationEventHandlerAdapter live = new AnnotationEventHandlerAdapter(h.projection);
    private final TradeRebuild rebuild = new TradeRebuild(h.engineDataSource, h.jdbc, h.signal);
    private final TransactionTemplate tx = new TransactionTemplate(h.transactionManager);
    private final String alice = uniqueUser("alice");
    private final String bob = uniqueUser("bob");

    @Test
    void rebuildsWhatTheLiveProjectionWroteIncludingWhatCameDuringTheRebuild() throws Exception {
        TradeId closed = newTradeId();
        TradeId rejected = newTradeId();
        TradeId canceled = newTradeId();
        TradeId expiring = newTradeId();
        TradeId placedLate = newTradeId();
        // before the load: a whole option lifecycle with 600 prices (thinned), a note after its close; a rejection;
        // a cancel; a trade still open at the load's end with 450 prices; an event of a trade never placed
        trade(closed, 0, new TradePlacedEvent(closed, alice, optionOrder("AAPL260619C00260000", 5, "2.10", "1.50", "3.20",
                "earnings run-up"), "key-closed", "hash-closed", T0));
        trade(closed, 1, new EntryOrderSubmittedEvent(closed, "SIMULATED", "SIM-1", T0.plusSeconds(1)));
        trade(closed, 2, new EntryPartiallyFilledEvent(closed, 2, money("2.08"), T0.plusSeconds(2)));
        prices(closed, alice, T0.plusSeconds(3), 20, "2.00");
        trade(closed, 3, new TradeOpenedEvent(closed, 5, money("2.093"), "entry filled", T0.plusSeconds(30)));
        prices(closed, alice, T0.plusSeconds(40), 300, "2.10");
        trade(closed, 4, new BracketsChangedEvent(closed, money("1.40"), null, alice, T0.plusSeconds(400)));
        trade(closed, 5, new BrokerProblemReportedEvent(closed, "Tradier refused the token (HTTP 401)", T0.plusSeconds(401)));
        trade(closed, 6, new BrokerProblemClearedEvent(closed, T0.plusSeconds(402)));
        prices(closed, alice, T0.plusSeconds(410), 280, "2.40");
        trade(closed, 7, new CloseRequestedEvent(closed, CloseReason.MANUAL, alice, T0.plusSeconds(700)));
        trade(closed, 8, new ExitOrderSubmittedEvent(closed, "SIM-2", T0.plusSeconds(701)));
        trade(closed, 9, new PositionReducedEvent(closed, 2, money("2.50"), money("81.40"), 3, "2 of 5 sold",
                T0.plusSeconds(702)));
        trade(closed, 10, new ExitRejectedEvent(closed, "canceled by the exchange", T0.plusSeconds(703)));
        price(new PriceObservedEvent(closed, alice, money("2.55"), money("2.65"), null, money("2.60"), money("262.10"),
                new BigDecimal("0.312345678"), new BigDecimal("0.55"), T0.plusSeconds(704)));
        // a price not newer than the latest snapshot changes nothing
        price(new PriceObservedEvent(closed, alice, null, null, null, money("9.99"), null, null, null, T0.plusSeconds(704)));
        trade(closed, 11, new CloseRequestedEvent(closed, CloseReason.TAKE_PROFIT, "system", T0.plusSeconds(705)));
        trade(closed, 12, new TradeClosedEvent(closed, CloseReason.TAKE_PROFIT, 3, money("3.25"), money("428.50"),
                T0.plusSeconds(706)));
        price(new PriceObservedEvent(closed, alice, null, null, null, money("3.30"), null, null, null, T0.plusSeconds(707)));
        trade(closed, 13, new TradeAnnotatedEvent(closed, "took profit\tat 3.25 — done", alice, T0.plusSeconds(708)));
        trade(rejected, 0, new TradePlacedEvent(rejected, bob, stockOrder("MSFT", "SELL", 10, "fade"), "key-r", "hash-r",
                T0.plusSeconds(5)));
        trade(rejected, 1, new TradeRejectedEvent(rejected, "insufficient buying power", T0.plusSeconds(6)));
        trade(canceled, 0, new TradePlacedEvent(canceled, alice, stockOrder("IBM", "BUY", 1, null), null, "hash-c",
                T0.plusSeconds(7)));
        trade(canceled, 1, new TradeCanceledEvent(canceled, CloseReason.TIMEOUT, "no confirmation", "system",
                T0.plusSeconds(37)));
        trade(expiring, 0, new TradePlacedEvent(expiring, bob, optionOrder("SPY260619P00400000", 2, "5.00", null, null, null),
                "key-e", "hash-e", T0.plusSeconds(8)));
        trade(expiring, 1, new TradeOpenedEvent(expiring, 2, money("5.00"), "entry filled", T0.plusSeconds(9)));
        prices(expiring, bob, T0.plusSeconds(10), 450, "5.00");
        TradeId unknown = newTradeId();
        trade(unknown, 1, new TradeOpenedEvent(unknown, 1, money("1"), "entry filled", T0.plusSeconds(11)));

        ProjectionRebuild.Load load = rebuild.begin();
        try {
            EventStoreReader reader = reader(false);
            long head;
            TreeSet<Long> missing;
            try (EventStoreReader.BulkRead read = reader.bulkRead(TradeEvent.class)) {
                head = read.head();
                missing = read.missing();
                read.forEach(load::bulk);
            }
            for (long late : load.loaded()) {
                missing.add(late);
            }
            assertThat(missing).as("the note on the closed trade and the unknown trade's event").hasSize(2);
            // during the load: the open trade's prices pass the maximum with stored snapshots; a trade placed
            trade(placedLate, 0, new TradePlacedEvent(placedLate, alice, stockOrder("NVDA", "BUY", 3, "momentum"),
                    "key-late", "hash-late", T0.plusSeconds(900)));
            prices(expiring, bob, T0.plusSeconds(1000), 100, "4.00");
            // in pages of seven rows (the late and unknown events first, the prices spread over pages)
            EventStoreReader.Tail tail = tx.execute(s -> {
                EventStoreReader.Tail t = reader.tail(head, missing, TradeEvent.class, 7);
                load.catchUp(t.events());
                while (t.more()) {
                    t = reader.tail(t.head(), t.missing(), TradeEvent.class, 7);
                    load.catchUp(t.events());
                }
                return t;
            });
            // between the catch-up and the switch: the open trade expires, the late one opens
            trade(expiring, 2, new TradeExpiredEvent(expiring, money("397.50"), money("2.50"), 2, money("-500"),
                    T0.plusSeconds(2000)));
            trade(placedLate, 1, new TradeOpenedEvent(placedLate, 3, money("120"), "entry filled", T0.plusSeconds(2001)));
            Rows before = rows();
            assertThat(before.snapshots()).hasSizeGreaterThan(400);

            tx.executeWithoutResult(s -> {
                // a row at a time
                EventStoreReader.Tail last = reader.tail(tail.head(), tail.missing(), TradeEvent.class, 1);
                load.catchUp(last.events());
                while (last.more()) {
                    last = reader.tail(last.head(), last.missing(), TradeEvent.class, 1);
                    load.catchUp(last.events());
                }
                load.switchIn();
            });

            assertThat(rows()).isEqualTo(before);
        } finally {
            load.close();
        }
        assertSwitchedTablesAreTheLiveOnes(closed);

        // again, through the upcaster chain's path, and back to the first pair of tables
        Rows before = rows();
        rebuildAtOnce(reader(true));
        assertThat(rows()).isEqualTo(before);
        assertSwitchedTablesAreTheLiveOnes(closed);
    }

    @Test
    void theRequestRoleCannotReadTheRebuildTables() {
        JdbcTemplate request = new JdbcTemplate(io.papertrading.migrations.TestDatabase.get().app());
        for (String table : List.of("paper_trades_rebuild", "state_transitions_rebuild", "price_snapshots_rebuild")) {
            assertThatThrownBy(() -> request.queryForList("select * from " + table)).as(table)
                    .hasStackTraceContaining("permission denied");
        }
        assertThatThrownBy(() -> request.execute("select paper_trade_rebuild_switch()"))
                .hasStackTraceContaining("permission denied");
    }

    private void rebuildAtOnce(EventStoreReader reader) throws Exception {
        try (ProjectionRebuild.Load load = rebuild.begin()) {
            long head;
            TreeSet<Long> missing;
            try (EventStoreReader.BulkRead read = reader.bulkRead(TradeEvent.class)) {
                head = read.head();
                missing = read.missing();
                read.forEach(load::bulk);
            }
            for (long late : load.loaded()) {
                missing.add(late);
            }
            tx.executeWithoutResult(s -> {
                load.catchUp(reader.tail(head, missing, TradeEvent.class, 1_000_000).events());
                load.switchIn();
            });
        }
    }

    /** The live tables have the migrations' names, row-level security and the request role's reads. */
    private void assertSwitchedTablesAreTheLiveOnes(TradeId trade) {
        assertThat(h.ownerJdbc.queryForList("select indexname from pg_indexes where tablename = 'paper_trades'",
                String.class)).containsExactlyInAnyOrder("paper_trades_pkey", "paper_trades_id_username_key",
                "paper_trades_username_idempotency_key_key", "ix_paper_trades_username_status",
                "ix_paper_trades_username_created", "ix_paper_trades_context_gin");
        assertThat(h.ownerJdbc.queryForList("""
                select relname from pg_class where relname in ('paper_trades', 'state_transitions', 'price_snapshots')
                  and relrowsecurity and relforcerowsecurity""", String.class)).hasSize(3);
        assertThat(h.ownerJdbc.queryForList("""
                select relname from pg_class where relname like '%\\_rebuild' and relrowsecurity""", String.class)).isEmpty();
        assertThat(h.queries.find(alice, trade.value())).isPresent();
        assertThat(h.queries.find(bob, trade.value())).isEmpty();
        assertThat(h.queries.transitions(alice, trade.value()).orElseThrow()).hasSize(7);
        assertThat(h.ownerJdbc.queryForObject("select count(*) from paper_trades_rebuild", Long.class)).isZero();
    }

    private record Rows(List<String> trades, List<String> transitions, List<String> snapshots) {
    }

    /** Our users' rows, every column but the ids and the writing transaction. */
    private Rows rows() {
        Object[] users = {alice, bob};
        return new Rows(
                h.ownerJdbc.queryForList("select (to_jsonb(t) - 'change_tx')::text from paper_trades t "
                        + "where username in (?, ?) order by id", String.class, users),
                h.ownerJdbc.queryForList("select (to_jsonb(s) - 'id')::text from state_transitions s "
                        + "where username in (?, ?) order by event_id", String.class, users),
                h.ownerJdbc.queryForList("select (to_jsonb(p) - 'id')::text from price_snapshots p "
                        + "where username in (?, ?) order by trade_id, at", String.class, users));
    }

    private EventStoreReader reader(boolean upcasting) {
        return new EventStoreReader(h.engineDataSource, h.jdbc, () -> SERIALIZER, EventUpcasterChain::new, () -> upcasting);
    }

    /** {@code count} prices a second apart, moving a cent at a time from {@code from}. */
    private void prices(TradeId id, String user, Instant start, int count, String from) {
        BigDecimal mark = new BigDecimal(from);
        for (int i = 0; i < count; i++) {
            BigDecimal m = mark.add(BigDecimal.valueOf((i * 7 % 23) - 11, 2));
            price(new PriceObservedEvent(id, user, money(m.subtract(new BigDecimal("0.05")).toPlainString()),
                    money(m.add(new BigDecimal("0.05")).toPlainString()), null, money(m.toPlainString()), null,
                    new BigDecimal("0.25"), null, start.plusSeconds(i)));
        }
    }

    /** An event of the trade's stream, stored as Axon's storage engine stores it and projected live. */
    private void trade(TradeId id, long sequence, TradeEvent event) {
        String eventId = UUID.randomUUID().toString();
        store("Trade", id.value(), sequence, eventId, event);
        handle(new GenericDomainEventMessage<>("Trade", id.value(), sequence, event, Map.of(), eventId, event.occurredAt()));
    }

    /** A published event (outside any stream), stored and projected live. */
    private void price(PriceObservedEvent event) {
        String eventId = UUID.randomUUID().toString();
        store(null, eventId, 0, eventId, event);
        handle(new GenericEventMessage<>(eventId, event, Map.of(), event.occurredAt()));
    }

    private void handle(EventMessage<?> message) {
        try {
            live.handle(message);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void store(String type, String aggregateId, long sequence, String eventId, Object payload) {
        try {
            h.ownerJdbc.update("""
                    insert into domain_event_entry (global_index, aggregate_identifier, sequence_number, type,
                        event_identifier, meta_data, payload, payload_revision, payload_type, time_stamp)
                    values (nextval('domain_event_global_index_seq'), ?, ?, ?, ?, ?, ?, '1', ?, ?)""",
                    aggregateId, sequence, type, eventId, "{}".getBytes(), STORAGE.writeValueAsBytes(payload),
                    payload.getClass().getName(), Instant.now().toString());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
