package io.papertrading.query.trade;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.papertrading.kernel.money.Money;
import io.papertrading.kernel.trade.TradeId;
import io.papertrading.kernel.trade.TradeOrder;
import io.papertrading.kernel.trade.event.TradePlacedEvent;
import io.papertrading.migrations.TestDatabase;
import io.papertrading.query.support.UserScope;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

import javax.sql.DataSource;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Locale;
import java.util.UUID;

/**
 * The query side wired by hand over the shared test database with the application's two roles: the projection on
 * the engine role ({@link #jdbc}, {@link #transactionManager}, {@link #engineScope}), the queries on the request
 * role ({@link #userScope}), both RLS-bound; {@link #ownerJdbc} (bypasses RLS) is for inspection only.
 */
final class ProjectionHarness {

    final DataSource engineDataSource = TestDatabase.get().pooledEngine();
    final JdbcTemplate jdbc = new JdbcTemplate(engineDataSource);
    final DataSourceTransactionManager transactionManager = new DataSourceTransactionManager(engineDataSource);
    final UserScope engineScope = new UserScope(jdbc, transactionManager);
    /** The request role's scope, as the query API reads. */
    final UserScope userScope = requestScope();
    final TradeChangeSignal signal = new TradeChangeSignal();
    final TradeProjection projection = new TradeProjection(jdbc, engineScope, transactionManager, signal);
    final TradeQueries queries = new TradeQueries(userScope, signal, new ObjectMapper());
    final JdbcTemplate ownerJdbc = new JdbcTemplate(TestDatabase.get().pooledOwner());

    /** A projection with an empty owner cache, as after a restart, sharing everything else. */
    TradeProjection freshProjection() {
        return new TradeProjection(jdbc, engineScope, transactionManager, signal);
    }

    /** A scope on the request role's connections, as the application's request handling uses. */
    static UserScope requestScope() {
        DataSource request = TestDatabase.get().pooledApp();
        return new UserScope(new JdbcTemplate(request), new DataSourceTransactionManager(request));
    }

    static String uniqueUser(String base) {
        return base + "-" + UUID.randomUUID().toString().substring(0, 8).toLowerCase(Locale.ROOT);
    }

    static String eventId() {
        return UUID.randomUUID().toString();
    }

    static TradeId newTradeId() {
        return new TradeId(UUID.randomUUID().toString());
    }

    static TradeOrder stockOrder(String symbol, String side, int quantity, String strategy) {
        return TradeOrder.validated(symbol, null, side, quantity, "MARKET", null, null, null, strategy, null,
                LocalDate.of(2026, 1, 2));
    }

    static TradeOrder optionOrder(String optionSymbol, int quantity, String limit, String stopLoss, String takeProfit,
                                  String notes) {
        return TradeOrder.validated(optionSymbol.replaceAll("\\d.*", ""), optionSymbol, "BUY", quantity, "LIMIT",
                new BigDecimal(limit), stopLoss == null ? null : new BigDecimal(stopLoss),
                takeProfit == null ? null : new BigDecimal(takeProfit), "momentum", notes, LocalDate.of(2026, 1, 2));
    }

    /** Projects a TradePlaced as sequence 0 and returns it. */
    TradePlacedEvent place(TradeId id, String username, TradeOrder order, Instant at) {
        TradePlacedEvent placed = new TradePlacedEvent(id, username, order, "key-" + id.value(), "hash-" + id.value(), at);
        projection.on(placed, 0, eventId());
        return placed;
    }

    static Money money(String amount) {
        return Money.of(amount);
    }
}
