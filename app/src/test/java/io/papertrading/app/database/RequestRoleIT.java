package io.papertrading.app.database;

import io.papertrading.app.IntegrationTestBase;
import io.papertrading.query.support.UserScope;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.transaction.support.TransactionTemplate;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The running app's request connections (the pool query and settings requests use) as a user bound to them: after
 * real trades went through the engine (placed, projected, filled at the simulated exchange, OPEN), the request
 * role reads its user's rows and nobody else's, and cannot read a single engine table (event store, snapshots,
 * sagas, tokens, dead letters, deadlines, order desk, live-trade book, simulated exchange, owner lookups) nor call
 * the reset and owner-lookup functions. The engine's connections are another role.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RequestRoleIT extends IntegrationTestBase {

    private static final String INSUFFICIENT_PRIVILEGE = "42501";
    private static final String ORDER = """
            {"symbol":"AAPL","side":"BUY","quantity":3,"orderType":"MARKET","strategy":"roles"}""";

    /** Named, so that a table renamed or dropped cannot make the refusals below pass vacuously. */
    private static final List<String> ENGINE_TABLES = List.of("domain_event_entry", "snapshot_event_entry",
            "token_entry", "saga_entry", "association_value_entry", "dead_letter_entry", "scheduled_tasks",
            "monitor_live_trades", "desk_orders", "sim_market", "sim_accounts", "sim_holdings", "sim_orders",
            "paper_trade_owners", "analytics_trade_owners");

    private static final String ALICE = user("alice");
    private static final String BOB = user("bob");
    private String alicesTrade;
    private String bobsTrade;

    @Autowired
    private RequestDatabase requests;
    @Autowired
    private UserScope primaryScope;

    @BeforeAll
    void aliceAndBobTradeThroughTheEngine() {
        // placed over HTTP: the engine role stores the events, runs the saga and the desk, fills at the exchange
        alicesTrade = json(placeTrade(ALICE, "roles-a", ORDER)).get("tradeId").asText();
        bobsTrade = json(placeTrade(BOB, "roles-b", ORDER)).get("tradeId").asText();
        for (String[] trade : new String[][] {{ALICE, alicesTrade}, {BOB, bobsTrade}}) {
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                var r = send("GET", "/api/trades/" + trade[1], trade[0], null, Map.of());
                return r.statusCode() == 200 && "OPEN".equals(json(r).get("status").asText());
            });
        }
    }

    @Test
    void requestsAndTheEngineConnectAsTheirOwnRoles() {
        assertThat(requests.jdbc().queryForObject("select current_user", String.class)).isEqualTo("paper_app");
        assertThat(engineJdbc.queryForObject("select current_user", String.class)).isEqualTo("paper_engine");
        // what request handling gets when it asks for a scope without naming one is the request role's
        String scopeRole = primaryScope.read(ALICE, jdbc -> jdbc.queryForObject("select current_user", String.class));
        assertThat(scopeRole).isEqualTo("paper_app");
    }

    @Test
    void theRequestRoleReadsItsUsersOwnRowsOnly() {
        List<String> alicesTrades = asAlice(jdbc -> jdbc.queryForList("select id from paper_trades", String.class));
        String status = asAlice(jdbc -> jdbc.queryForObject("select status from paper_trades where id = ?", String.class,
                alicesTrade));
        Integer transitions = asAlice(jdbc -> jdbc.queryForObject(
                "select count(*) from state_transitions where trade_id = ?", Integer.class, alicesTrade));
        Integer bobsSeen = asAlice(jdbc -> jdbc.queryForObject(
                "select count(*) from paper_trades where id = ? or username = ?", Integer.class, bobsTrade, BOB));
        Integer analytics = asAlice(jdbc -> jdbc.queryForObject(
                "select count(*) from analytics_trades where username <> ?", Integer.class, ALICE));
        Integer unbound = requests.jdbc().queryForObject("select count(*) from paper_trades", Integer.class);

        assertThat(alicesTrades).containsExactly(alicesTrade);
        assertThat(status).isEqualTo("OPEN");
        assertThat(transitions).isGreaterThanOrEqualTo(2);
        assertThat(bobsSeen).isZero();
        assertThat(analytics).isZero();
        assertThat(unbound).as("no user bound").isZero();
    }

    @Test
    void aQueryKeepsItsBindingEveryTimeItRunsWhateverItsArguments() {
        // In auto-commit, pgjdbc sent the binding and the query of a request in separate implicit transactions once
        // the statement was server-prepared with other argument types (the 7th run here): the query then ran with
        // no user bound and saw nothing. In a transaction the binding holds for every statement of it.
        String sql = "select id from paper_trades where id = ? and created_at >= coalesce(?::timestamptz, '-infinity')";
        for (int run = 0; run < 12; run++) {
            Object since = run % 2 == 0 ? java.time.OffsetDateTime.parse("2000-01-01T00:00:00Z") : null;
            assertThat(primaryScope.query(ALICE, sql, (rs, n) -> rs.getString(1), alicesTrade, since))
                    .as("run %d", run).containsExactly(alicesTrade);
        }
    }

    @Test
    void aQuerySentWithItsBindingSeesItsUsersRowsOnlyAndLeavesNoBindingBehind() {
        RowMapper<String> id = (rs, n) -> rs.getString(1);
        String both = "select id from paper_trades where id in (?, ?) order by id";

        List<String> alicesView = primaryScope.query(ALICE, both, id, alicesTrade, bobsTrade);
        List<String> bobsView = primaryScope.query(BOB, both, id, alicesTrade, bobsTrade);
        List<String> withANullArgument = primaryScope.query(ALICE,
                "select id from paper_trades where id = coalesce(?::text, ?)", id, null, alicesTrade);
        assertThatThrownBy(() -> primaryScope.query(ALICE, "select no_such_column from paper_trades", id))
                .isInstanceOf(DataAccessException.class);
        List<String> afterTheFailure = primaryScope.query(BOB, both, id, alicesTrade, bobsTrade);
        Integer unbound = requests.jdbc().queryForObject("select count(*) from paper_trades", Integer.class);
        // a query inside a transaction on the scope's connection joins it
        List<Integer> sameSession = primaryScope.read(ALICE, jdbc -> List.of(
                jdbc.queryForObject("select pg_backend_pid()", Integer.class),
                primaryScope.query(ALICE, "select pg_backend_pid()", (rs, n) -> rs.getInt(1)).get(0)));

        assertThat(alicesView).containsExactly(alicesTrade);
        assertThat(bobsView).containsExactly(bobsTrade);
        assertThat(withANullArgument).containsExactly(alicesTrade);
        assertThat(afterTheFailure).containsExactly(bobsTrade);
        assertThat(unbound).as("no user bound after the queries").isZero();
        assertThat(sameSession.get(1)).as("a query in a transaction joins it").isEqualTo(sameSession.get(0));
    }

    @Test
    void theRequestRoleCannotReadAnyEngineTable() {
        List<String> beyondTheReadModel = engineJdbc.queryForList("""
                select tablename from pg_tables where schemaname = current_schema()
                and tablename <> all (?::text[]) order by tablename""", String.class,
                (Object) RowLevelSecurityGuard.REQUEST_PRIVILEGES.keySet().toArray(String[]::new));
        // the engine's books are full of both users' work, so a refusal is not an empty table
        Integer events = ownerJdbc.queryForObject(
                "select count(*) from domain_event_entry where aggregate_identifier in (?, ?)", Integer.class,
                alicesTrade, bobsTrade);

        assertThat(events).isGreaterThanOrEqualTo(4);
        assertThat(beyondTheReadModel).containsAll(ENGINE_TABLES);
        for (String table : beyondTheReadModel) {
            assertRefused(() -> asAlice(jdbc -> jdbc.queryForObject("select count(*) from " + table, Long.class)), table);
        }
    }

    @Test
    void theRequestRoleCannotCallTheResetOrOwnerLookupFunctions() {
        for (String call : List.of("paper_reset_trade_projection()", "analytics_reset_projection()",
                "paper_trade_owner('" + bobsTrade + "')", "analytics_trade_owner('" + bobsTrade + "')")) {
            assertRefused(() -> asAlice(jdbc -> jdbc.queryForList("select " + call)), call);
        }
        // and TRUNCATE, which row-level security would not filter
        assertRefused(() -> asAlice(jdbc -> jdbc.update("truncate paper_trades")), "truncate paper_trades");
        assertThat(ownerJdbc.queryForObject("select count(*) from paper_trades where id in (?, ?)", Integer.class,
                alicesTrade, bobsTrade)).isEqualTo(2);
    }

    private <T> T asAlice(Function<JdbcTemplate, T> work) {
        return new TransactionTemplate(requests.transactions()).execute(tx -> {
            requests.jdbc().queryForObject("select set_config('app.current_user', ?, true)", String.class, ALICE);
            return work.apply(requests.jdbc());
        });
    }

    private static void assertRefused(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String what) {
        assertThatThrownBy(call).as(what).satisfies(e -> {
            Throwable t = e;
            while (t != null && !(t instanceof SQLException)) {
                t = t.getCause();
            }
            assertThat(t).as(what + ": " + e).isInstanceOf(SQLException.class);
            assertThat(((SQLException) t).getSQLState()).as(what).isEqualTo(INSUFFICIENT_PRIVILEGE);
        });
    }
}
