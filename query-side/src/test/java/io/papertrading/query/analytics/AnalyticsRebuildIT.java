package io.papertrading.query.analytics;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.papertrading.kernel.trade.CloseReason;
import io.papertrading.kernel.trade.TradeId;
import io.papertrading.kernel.trade.TradeOrder;
import io.papertrading.kernel.trade.event.BracketsChangedEvent;
import io.papertrading.kernel.trade.event.CloseRequestedEvent;
import io.papertrading.kernel.trade.event.EntryOrderSubmittedEvent;
import io.papertrading.kernel.trade.event.EntryPartiallyFilledEvent;
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
import io.papertrading.migrations.TestDatabase;
import io.papertrading.query.support.EventStoreReader;
import io.papertrading.query.support.ProjectionRebuild;
import io.papertrading.query.support.UserScope;
import org.axonframework.eventhandling.AnnotationEventHandlerAdapter;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.serialization.json.JacksonSerializer;
import org.axonframework.serialization.upcasting.event.EventUpcasterChain;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;

import static io.papertrading.query.analytics.AnalyticsHarness.money;
import static io.papertrading.query.analytics.AnalyticsHarness.newTradeId;
import static io.papertrading.query.analytics.AnalyticsHarness.option;
import static io.papertrading.query.analytics.AnalyticsHarness.stock;
import static io.papertrading.query.analytics.AnalyticsHarness.uniqueUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The analytics bulk rebuild writes the tables the live analytics projection writes: the same events go into the
 * event store (as Axon's storage engine stores them) and through the live projection, then the shadows are loaded
 * from the store, caught up with what came during the load, switched in, and all four tables compared row for row.
 * The events cover every rule (partial fills and exits, a rejected exit, wins, losses, a break-even, a short, an
 * option expired with and without a position, cancel and reject, no strategy, prices of live trades moving the
 * excursions, a stale price, a price naming another user, events the projection has no handler for, an event of a
 * trade never placed; trades finishing during the load, during the catch-up and before the switch). Its own class:
 * the switch replaces the tables other tests' rows live in.
 */
class AnalyticsRebuildIT {

    private static final Instant T0 = Instant.parse("2026-03-02T14:30:00Z");
    private static final ObjectMapper STORAGE = JsonMapper.builder().addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();
    private static final JacksonSerializer SERIALIZER = JacksonSerializer.builder().objectMapper(STORAGE).build();

    private final DataSource engine = TestDatabase.get().pooledEngine();
    private final JdbcTemplate jdbc = new JdbcTemplate(engine);
    private final DataSourceTransactionManager transactionManager = new DataSourceTransactionManager(engine);
    private final UserScope engineScope = new UserScope(jdbc, transactionManager);
    private final AnnotationEventHandlerAdapter live =
            new AnnotationEventHandlerAdapter(new AnalyticsProjection(jdbc, engineScope, transactionManager));
    private final AnalyticsRebuild rebuild = new AnalyticsRebuild(engine, jdbc, engineScope, transactionManager);
    private final TransactionTemplate tx = new TransactionTemplate(transactionManager);
    private final JdbcTemplate ownerJdbc = new JdbcTemplate(TestDatabase.get().pooledOwner());
    private final Map<String, Long> sequences = new HashMap<>();
    private final String alice = uniqueUser("alice");
    private final String bob = uniqueUser("bob");
    private final String carol = uniqueUser("carol");

    @Test
    void rebuildsWhatTheLiveProjectionWroteIncludingWhatCameDuringTheRebuild() throws Exception {
        // alice, momentum: a win with a path of prices (and a bracket change the projection ignores)
        TradeId win = place(alice, stock("AAPL", "BUY", 10, "momentum"), 0);
        emit(new EntryOrderSubmittedEvent(win, "SIMULATED", "SIM-1", at(1)));
        emit(new TradeOpenedEvent(win, 10, money("100"), "filled", at(2)));
        prices(win, alice, 3, "103", "98", "107", "101");
        emit(new BracketsChangedEvent(win, money("95"), null, alice, at(20)));
        // a price naming another user, and one not newer than the last, change nothing
        price(win, bob, "150", at(21));
        price(win, alice, "140", at(6));
        emit(new TradeClosedEvent(win, CloseReason.MANUAL, 10, money("105"), money("50"), at(30)));
        emit(new TradeAnnotatedEvent(win, "done", alice, at(31)));
        // alice, momentum: a partial fill, a partial exit, a rejected exit, then the close
        TradeId partial = place(alice, stock("MSFT", "BUY", 10, "momentum"), 40);
        emit(new EntryPartiallyFilledEvent(partial, 4, money("50"), at(41)));
        prices(partial, alice, 42, "51", "49.5");
        emit(new TradeOpenedEvent(partial, 10, money("50.4"), "filled", at(50)));
        prices(partial, alice, 51, "52.25", "48.10");
        emit(new CloseRequestedEvent(partial, CloseReason.MANUAL, alice, at(60)));
        emit(new PositionReducedEvent(partial, 4, money("52"), money("6.40"), 6, "4 of 10 sold", at(61)));
        emit(new ExitRejectedEvent(partial, "canceled by the exchange", at(62)));
        prices(partial, alice, 63, "47.5");
        emit(new TradeClosedEvent(partial, CloseReason.MANUAL, 6, money("49"), money("-2.00"), at(70)));
        // alice, no strategy: a short that loses, and a break-even
        TradeId shortLoss = place(alice, stock("KO", "SELL", 5, null), 80);
        emit(new TradeOpenedEvent(shortLoss, 5, money("40"), "filled", at(81)));
        prices(shortLoss, alice, 82, "41", "39");
        emit(new TradeClosedEvent(shortLoss, CloseReason.STOP_LOSS, 5, money("42"), money("-10"), at(90)));
        TradeId even = place(alice, stock("PG", "BUY", 4, null), 91);
        emit(new TradeOpenedEvent(even, 4, money("150"), "filled", at(92)));
        emit(new TradeClosedEvent(even, CloseReason.MANUAL, 4, money("150"), money("0"), at(93)));
        // bob, meanrev: options expiring with and without a position; a cancel; a rejection
        TradeId worthless = place(bob, option("AAPL260320C00100000", 2, "meanrev"), 100);
        emit(new TradeOpenedEvent(worthless, 2, money("1.50"), "filled", at(101)));
        prices(worthless, bob, 102, "1.80", "0.40");
        emit(new TradeExpiredEvent(worthless, money("95"), money("0"), 2, money("-300"), at(110)));
        TradeId unfilled = place(bob, option("SPY260320P00400000", 1, "meanrev"), 111);
        emit(new TradeExpiredEvent(unfilled, money("505"), money("0"), 0, null, at(112)));
        TradeId canceled = place(bob, stock("IBM", "BUY", 1, "meanrev"), 113);
        emit(new TradeCanceledEvent(canceled, CloseReason.CANCELED, null, bob, at(114)));
        TradeId rejected = place(bob, stock("TSLA", "BUY", 1, "meanrev"), 115);
        emit(new TradeRejectedEvent(rejected, "not enough buying power", at(116)));
        // open when the load ends: bob's until the switch, carol's finishing during the catch-up
        TradeId bobOpen = place(bob, option("SPY260320C00500000", 3, "meanrev"), 120);
        emit(new TradeOpenedEvent(bobOpen, 3, money("4"), "filled", at(121)));
        prices(bobOpen, bob, 122, "4.5", "3.75", "5.10");
        TradeId carolOpen = place(carol, stock("NVDA", "BUY", 10, "swing"), 130);
        emit(new TradeOpenedEvent(carolOpen, 10, money("100"), "filled", at(131)));
        prices(carolOpen, carol, 132, "104", "99");
        TradeId carolDone = place(carol, stock("AMD", "BUY", 2, "swing"), 140);
        emit(new TradeOpenedEvent(carolDone, 2, money("80"), "filled", at(141)));
        prices(carolDone, carol, 142, "85", "78");
        emit(new TradeClosedEvent(carolDone, CloseReason.TAKE_PROFIT, 2, money("90"), money("20"), at(150)));
        // an event of a trade never placed
        TradeId unknown = newTradeId();
        emit(new TradeOpenedEvent(unknown, 1, money("1"), "filled", at(151)));

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
            assertThat(shadowFacts(List.of(win, partial, bobOpen, carolOpen, unknown)))
                    .as("finished and still-open trades loaded; the unknown trade not").hasSize(4);
            // during the load: prices, carol's open trade closes (its group's excursions recounted), a trade placed
            prices(bobOpen, bob, 200, "5.5", "3.10");
            emit(new TradeClosedEvent(carolOpen, CloseReason.MANUAL, 10, money("97"), money("-30"), at(210)));
            TradeId late = place(carol, stock("META", "SELL", 3, null), 220);
            // in pages of three
            EventStoreReader.Tail tail = tx.execute(s -> {
                EventStoreReader.Tail t = reader.tail(head, missing, TradeEvent.class, 3);
                load.catchUp(t.events());
                while (t.more()) {
                    t = reader.tail(t.head(), t.missing(), TradeEvent.class, 3);
                    load.catchUp(t.events());
                }
                return t;
            });
            // between the catch-up and the switch: the late trade opens and is priced, bob's open trade expires
            emit(new TradeOpenedEvent(late, 3, money("300"), "filled", at(230)));
            prices(late, carol, 231, "310", "290.55");
            emit(new TradeExpiredEvent(bobOpen, money("505.50"), money("5.50"), 3, money("450"), at(240)));
            Tables before = tables();
            assertThat(before.stats()).hasSize(5);
            assertThat(before.excursions()).hasSize(4);

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

            assertThat(tables()).isEqualTo(before);
        } finally {
            load.close();
        }
        assertSwitchedTablesAreTheLiveOnes();

        // again, through the upcaster chain's path, and back to the first set of tables
        Tables before = tables();
        rebuildAtOnce(reader(true));
        assertThat(tables()).isEqualTo(before);
        assertSwitchedTablesAreTheLiveOnes();
        // and the live projection goes on on the switched tables
        TradeId after = place(alice, stock("AAPL", "BUY", 1, "momentum"), 300);
        emit(new TradeCanceledEvent(after, CloseReason.CANCELED, null, alice, at(301)));
        assertThat(ownerJdbc.queryForObject("select status from analytics_trades where trade_id = ?", String.class,
                after.value())).isEqualTo("CANCELED");
    }

    @Test
    void aTradeTheDatabaseRefusesIsLeftOutOfTheFactsAndTheTotalsAsTheLiveProjectionLeavesIt() throws Exception {
        // a user name longer than the column allows: only events from outside the command API can carry one
        String tooLong = "x".repeat(65);
        TradeId refused = newTradeId();
        TradeId kept = place(alice, stock("AAPL", "BUY", 1, "momentum"), 0);
        emit(new TradeOpenedEvent(kept, 1, money("100"), "filled", at(1)));
        emit(new TradeClosedEvent(kept, CloseReason.MANUAL, 1, money("101"), money("1"), at(2)));
        emitRefusedByTheLiveProjection(new TradePlacedEvent(refused, tooLong, stock("MSFT", "BUY", 1, "momentum"),
                "key-refused", "hash", at(3)));
        emit(new TradeOpenedEvent(refused, 1, money("50"), "filled", at(4)));
        emit(new TradeClosedEvent(refused, CloseReason.MANUAL, 1, money("60"), money("10"), at(5)));
        Tables before = tables();
        assertThat(ownerJdbc.queryForList("select username from analytics_strategy_stats where username = ?",
                String.class, tooLong)).isEmpty();

        rebuildAtOnce(reader(false));

        assertThat(tables()).isEqualTo(before);
        assertThat(ownerJdbc.queryForList("select username from analytics_strategy_stats where username = ?",
                String.class, tooLong)).isEmpty();
        assertThat(ownerJdbc.queryForList("select trade_id from analytics_trades where trade_id = ?", String.class,
                refused.value())).isEmpty();
    }

    @Test
    void theRebuildFoldsExactlyTheEventTypesTheProjectionHandles() {
        List<Class<?>> handled = Arrays.stream(AnalyticsProjection.class.getDeclaredMethods())
                .filter(m -> m.isAnnotationPresent(EventHandler.class))
                .<Class<?>>map(m -> m.getParameterTypes()[0]).collect(Collectors.toList());
        List<Class<?>> folded = List.copyOf(AnalyticsProjection.FOLDED);
        assertThat(folded).containsExactlyInAnyOrderElementsOf(handled);
    }

    @Test
    void theRequestRoleCannotReadTheRebuildTables() {
        JdbcTemplate request = new JdbcTemplate(TestDatabase.get().app());
        for (String table : List.of("analytics_trades_rebuild", "analytics_strategy_stats_rebuild",
                "analytics_daily_pnl_rebuild", "analytics_excursions_rebuild")) {
            assertThatThrownBy(() -> request.queryForList("select * from " + table)).as(table)
                    .hasStackTraceContaining("permission denied");
        }
        assertThatThrownBy(() -> request.execute("select analytics_rebuild_switch()"))
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

    /** The live tables have the migrations' names and row-level security, the request role's reads; shadows empty. */
    private void assertSwitchedTablesAreTheLiveOnes() {
        assertThat(ownerJdbc.queryForList("select indexname from pg_indexes where tablename like 'analytics\\_%' "
                + "and tablename not like '%\\_rebuild'", String.class)).contains("analytics_trades_pkey",
                "ix_analytics_trades_user_strategy", "ix_analytics_trades_user_close_date",
                "analytics_strategy_stats_pkey", "analytics_daily_pnl_pkey", "analytics_excursions_pkey");
        assertThat(ownerJdbc.queryForList("""
                select relname from pg_class where relname in ('analytics_trades', 'analytics_strategy_stats',
                  'analytics_daily_pnl', 'analytics_excursions') and relrowsecurity and relforcerowsecurity""",
                String.class)).hasSize(4);
        assertThat(ownerJdbc.queryForList("""
                select relname from pg_class where relname like '%\\_rebuild' and relrowsecurity""", String.class)).isEmpty();
        assertThat(ownerJdbc.queryForObject("""
                select bool_and(has_table_privilege(?, t, 'SELECT')) from unnest(array['analytics_trades',
                  'analytics_strategy_stats', 'analytics_daily_pnl', 'analytics_excursions']) t""", Boolean.class,
                TestDatabase.get().appUser())).isTrue();
        assertThat(ownerJdbc.queryForList("select tgname from pg_trigger where tgrelid = 'analytics_strategy_stats'::regclass"
                + " and not tgisinternal and tgenabled = 'O'", String.class)).containsExactly("analytics_strategy_stats_changed");
        assertThat(ownerJdbc.queryForObject("select count(*) from analytics_trades_rebuild", Long.class)).isZero();
    }

    private record Tables(List<String> trades, List<String> stats, List<String> daily, List<String> excursions) {
    }

    /** Our users' rows of the four tables, every column. */
    private Tables tables() {
        Object[] users = {alice, bob, carol};
        String mine = " where username in (?, ?, ?) order by ";
        return new Tables(
                ownerJdbc.queryForList("select to_jsonb(t)::text from analytics_trades t" + mine + "trade_id",
                        String.class, users),
                ownerJdbc.queryForList("select to_jsonb(t)::text from analytics_strategy_stats t" + mine
                        + "username, strategy", String.class, users),
                ownerJdbc.queryForList("select to_jsonb(t)::text from analytics_daily_pnl t" + mine + "username, day",
                        String.class, users),
                ownerJdbc.queryForList("select to_jsonb(t)::text from analytics_excursions t" + mine
                        + "username, strategy", String.class, users));
    }

    private List<String> shadowFacts(List<TradeId> ids) {
        return ownerJdbc.queryForList("select trade_id from analytics_trades_rebuild where trade_id = any(?)",
                String.class, (Object) ids.stream().map(TradeId::value).toArray(String[]::new));
    }

    private EventStoreReader reader(boolean upcasting) {
        return new EventStoreReader(engine, jdbc, () -> SERIALIZER, EventUpcasterChain::new, () -> upcasting);
    }

    private static Instant at(long seconds) {
        return T0.plusSeconds(seconds);
    }

    private TradeId place(String user, TradeOrder order, long seconds) {
        TradeId id = newTradeId();
        emit(new TradePlacedEvent(id, user, order, "key-" + id.value(), "hash", at(seconds)));
        return id;
    }

    /** Marks a second apart from {@code seconds}. */
    private void prices(TradeId id, String user, long seconds, String... marks) {
        for (int i = 0; i < marks.length; i++) {
            price(id, user, marks[i], at(seconds + i));
        }
    }

    private void price(TradeId id, String user, String mark, Instant when) {
        PriceObservedEvent event = new PriceObservedEvent(id, user, null, null, null, money(mark), null,
                new BigDecimal("0.25"), null, when);
        String eventId = UUID.randomUUID().toString();
        store(null, eventId, 0, eventId, event);
        handle(new GenericEventMessage<>(eventId, event, Map.of(), event.occurredAt()));
    }

    /** The next event of the trade's stream, stored as Axon's storage engine stores it and projected live. */
    private void emit(TradeEvent event) {
        String id = event.tradeId().value();
        long sequence = sequences.merge(id, 0L, (a, b) -> a + 1);
        String eventId = UUID.randomUUID().toString();
        store("Trade", id, sequence, eventId, event);
        handle(new GenericDomainEventMessage<>("Trade", id, sequence, event, Map.of(), eventId, event.occurredAt()));
    }

    /** An event stored in the trade's stream whose projection the database refuses (the live processor parks it). */
    private void emitRefusedByTheLiveProjection(TradeEvent event) {
        String id = event.tradeId().value();
        long sequence = sequences.merge(id, 0L, (a, b) -> a + 1);
        String eventId = UUID.randomUUID().toString();
        store("Trade", id, sequence, eventId, event);
        assertThatThrownBy(() -> live.handle(new GenericDomainEventMessage<>("Trade", id, sequence, event, Map.of(),
                eventId, event.occurredAt()))).isInstanceOf(Exception.class);
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
            ownerJdbc.update("""
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
