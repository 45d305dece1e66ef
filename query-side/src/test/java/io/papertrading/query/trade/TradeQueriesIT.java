package io.papertrading.query.trade;

import io.papertrading.kernel.trade.CloseReason;
import io.papertrading.kernel.trade.TradeId;
import io.papertrading.kernel.trade.TradeStatus;
import io.papertrading.kernel.trade.event.TradeCanceledEvent;
import io.papertrading.kernel.trade.event.TradeOpenedEvent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static io.papertrading.query.trade.ProjectionHarness.eventId;
import static io.papertrading.query.trade.ProjectionHarness.money;
import static io.papertrading.query.trade.ProjectionHarness.newTradeId;
import static io.papertrading.query.trade.ProjectionHarness.optionOrder;
import static io.papertrading.query.trade.ProjectionHarness.stockOrder;
import static io.papertrading.query.trade.ProjectionHarness.uniqueUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The trade queries on PostgreSQL through the RLS-bound app role: filters, paging, isolation. */
class TradeQueriesIT {

    private static final ProjectionHarness h = new ProjectionHarness();
    private static final String ALICE = uniqueUser("alice");
    private static final String BOB = uniqueUser("bob");
    /** Alice's trades, oldest first. */
    private static final List<String> aliceTrades = new ArrayList<>();
    private static String bobsTrade;

    @BeforeAll
    static void aliceHasSevenTradesAndBobThree() {
        // one trade a day from 2026-03-01: AAPL ×4 (momentum), MSFT ×3 (swing)
        for (int day = 0; day < 7; day++) {
            TradeId id = newTradeId();
            Instant at = Instant.parse("2026-03-01T15:00:00Z").plusSeconds(86_400L * day);
            if (day < 4) {
                h.place(id, ALICE, optionOrder("AAPL300621C00260000", 1, "2.00", null, null, null), at);
            } else {
                h.place(id, ALICE, stockOrder("MSFT", "BUY", 10, "swing"), at);
            }
            if (day % 3 == 1) {
                h.projection.on(new TradeOpenedEvent(id, 1, money("2.00"), "entry filled", at.plusSeconds(5)), 1, eventId());
            }
            if (day == 6) {
                h.projection.on(new TradeCanceledEvent(id, CloseReason.CANCELED, null, ALICE, at.plusSeconds(5)), 1, eventId());
            }
            aliceTrades.add(id.value());
        }
        for (int i = 0; i < 3; i++) {
            TradeId id = newTradeId();
            h.place(id, BOB, stockOrder("AAPL", "BUY", 1, "momentum"), Instant.parse("2026-03-03T10:00:00Z").plusSeconds(i));
            bobsTrade = id.value();
        }
    }

    private static FindTradesQuery all(String user) {
        return new FindTradesQuery(user, null, null, null, null, null, 0, 50);
    }

    @Test
    void listsTheUsersTradesNewestFirstWithTheTotal() {
        FindTradesResponse r = h.queries.find(all(ALICE));

        assertThat(r.total()).isEqualTo(7);
        assertThat(r.items()).extracting(TradeView::tradeId).containsExactlyElementsOf(reversed(aliceTrades));
        assertThat(r.items()).extracting(TradeView::username).containsOnly(ALICE);
        assertThat(r.page()).isZero();
        assertThat(r.size()).isEqualTo(50);
    }

    @Test
    void filtersByStatusesSymbolStrategyAndDates() {
        FindTradesResponse openOrCanceled = h.queries.find(new FindTradesQuery(ALICE,
                Set.of(TradeStatus.OPEN, TradeStatus.CANCELED), null, null, null, null, 0, 50));
        FindTradesResponse msft = h.queries.find(new FindTradesQuery(ALICE, null, "MSFT", null, null, null, 0, 50));
        FindTradesResponse momentum = h.queries.find(new FindTradesQuery(ALICE, null, null, "momentum", null, null, 0, 50));
        FindTradesResponse march2to4 = h.queries.find(new FindTradesQuery(ALICE, null, null, null,
                LocalDate.of(2026, 3, 2), LocalDate.of(2026, 3, 4), 0, 50));
        FindTradesResponse pendingAapl = h.queries.find(new FindTradesQuery(ALICE, Set.of(TradeStatus.PENDING), "AAPL",
                "momentum", LocalDate.of(2026, 3, 1), null, 0, 50));

        // opened: days 1 and 4; canceled: day 6
        assertThat(openOrCanceled.items()).extracting(TradeView::tradeId)
                .containsExactly(aliceTrades.get(6), aliceTrades.get(4), aliceTrades.get(1));
        assertThat(openOrCanceled.total()).isEqualTo(3);
        assertThat(msft.items()).extracting(TradeView::tradeId)
                .containsExactly(aliceTrades.get(6), aliceTrades.get(5), aliceTrades.get(4));
        assertThat(momentum.total()).isEqualTo(4);
        assertThat(momentum.items()).extracting(TradeView::symbol).containsOnly("AAPL");
        assertThat(march2to4.items()).extracting(TradeView::tradeId)
                .containsExactly(aliceTrades.get(3), aliceTrades.get(2), aliceTrades.get(1));
        assertThat(pendingAapl.items()).extracting(TradeView::tradeId)
                .containsExactly(aliceTrades.get(3), aliceTrades.get(2), aliceTrades.get(0));
    }

    @Test
    void pagesThroughTheListWithoutOverlapAndKeepsTheTotal() {
        FindTradesResponse p0 = h.queries.find(new FindTradesQuery(ALICE, null, null, null, null, null, 0, 3));
        FindTradesResponse p1 = h.queries.find(new FindTradesQuery(ALICE, null, null, null, null, null, 1, 3));
        FindTradesResponse p2 = h.queries.find(new FindTradesQuery(ALICE, null, null, null, null, null, 2, 3));
        FindTradesResponse beyond = h.queries.find(new FindTradesQuery(ALICE, null, null, null, null, null, 9, 3));

        List<String> paged = new ArrayList<>();
        for (FindTradesResponse p : List.of(p0, p1, p2)) {
            assertThat(p.total()).isEqualTo(7);
            p.items().forEach(t -> paged.add(t.tradeId()));
        }
        assertThat(p0.items()).hasSize(3);
        assertThat(p2.items()).hasSize(1);
        assertThat(paged).containsExactlyElementsOf(reversed(aliceTrades));
        assertThat(beyond.items()).isEmpty();
        assertThat(beyond.total()).isEqualTo(7);
    }

    @Test
    void findsOneTradeWithEveryFieldOfTheContract() {
        TradeView t = h.queries.find(ALICE, aliceTrades.get(1)).orElseThrow();

        assertThat(t.tradeId()).isEqualTo(aliceTrades.get(1));
        assertThat(t.status()).isEqualTo(TradeStatus.OPEN);
        assertThat(t.optionSymbol()).isEqualTo("AAPL300621C00260000");
        assertThat(t.expiry()).isEqualTo(LocalDate.of(2030, 6, 21));
        assertThat(t.entryPrice()).isEqualByComparingTo("2.00");
        assertThat(t.version()).isEqualTo(2);
        // excursions start at 0 on the first fill and are mirrored into the context
        assertThat(t.tradeContext()).containsOnlyKeys("mfe", "mae");
        assertThat(t.mfe()).isEqualByComparingTo("0");
        assertThat(t.mae()).isEqualByComparingTo("0");
        assertThat(t.createdAt()).isEqualTo(Instant.parse("2026-03-02T15:00:00Z"));
    }

    @Test
    void isolatesAliceFromBob() {
        FindTradesResponse bobs = h.queries.find(all(BOB));
        FindTradesResponse bobsAapl = h.queries.find(new FindTradesQuery(BOB, null, "AAPL", null, null, null, 0, 50));

        assertThat(bobs.total()).isEqualTo(3);
        assertThat(bobs.items()).extracting(TradeView::username).containsOnly(BOB);
        assertThat(bobsAapl.total()).isEqualTo(3);
        assertThat(h.queries.find(BOB, aliceTrades.get(0))).isEmpty();
        assertThat(h.queries.transitions(BOB, aliceTrades.get(0))).isEmpty();
        assertThat(h.queries.find(ALICE, bobsTrade)).isEmpty();
        assertThat(h.queries.transitions(ALICE, aliceTrades.get(0)).orElseThrow()).hasSize(1);
    }

    @Test
    void aHostileUsernameIsBoundAsDataAndSeesNothing() {
        String[] hostile = {"x'; drop table paper_trades; --", ALICE + "' or '1'='1", "%", "*"};

        for (String name : hostile) {
            assertThat(h.queries.find(all(name)).total()).as(name).isZero();
            assertThat(h.queries.find(name, aliceTrades.get(0))).as(name).isEmpty();
        }
        assertThat(h.queries.find(all(ALICE)).total()).isEqualTo(7);
    }

    @Test
    void withoutABoundUserNothingIsVisible() {
        Long visible = h.jdbc.queryForObject("select count(*) from paper_trades", Long.class);

        assertThat(visible).isZero();
    }

    @Test
    void aUserIsRequired() {
        assertThatThrownBy(() -> h.userScope.read(" ", jdbc -> 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> h.userScope.read(null, jdbc -> 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> h.userScope.bindCurrentTransaction(ALICE)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aScopeBindsAUserOnlyInATransactionOnItsOwnConnections() {
        // a projection's transaction is the engine's: the request role's scope must not pretend to bind in it
        new TransactionTemplate(h.transactionManager).executeWithoutResult(tx -> {
            assertThatThrownBy(() -> h.userScope.bindCurrentTransaction(ALICE))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("this scope's database connection");
            h.engineScope.bindCurrentTransaction(ALICE);
            assertThat(h.jdbc.queryForObject("select count(*) from paper_trades", Long.class)).isEqualTo(7);
        });
    }

    @Test
    void theQueryHandlersAnswerFromTheSameReadModel() {
        TradeQueryHandlers handlers = new TradeQueryHandlers(h.queries);

        assertThat(handlers.handle(all(ALICE)).total()).isEqualTo(7);
        assertThat(handlers.handle(new FindTradeQuery(ALICE, aliceTrades.get(1), 2))).get()
                .extracting(TradeView::version).isEqualTo(2L);
        assertThat(handlers.handle(new FindTradeQuery(BOB, aliceTrades.get(1)))).isEmpty();
        assertThat(handlers.handle(new FindTransitionsQuery(ALICE, aliceTrades.get(1)))).hasSize(2);
        assertThat(handlers.handle(new FindTransitionsQuery(BOB, aliceTrades.get(1)))).isEmpty();
    }

    private static List<String> reversed(List<String> ids) {
        List<String> copy = new ArrayList<>(ids);
        java.util.Collections.reverse(copy);
        return copy;
    }
}
