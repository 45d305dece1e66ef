package io.papertrading.command.trade;

import io.papertrading.kernel.error.IllegalTransitionException;
import io.papertrading.kernel.error.VersionConflictException;
import io.papertrading.kernel.money.Money;
import io.papertrading.kernel.trade.TradeId;
import io.papertrading.kernel.trade.TradeOrder;
import io.papertrading.kernel.trade.TradeStatus;
import io.papertrading.kernel.trade.event.TradePlacedEvent;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.hamcrest.Description;
import org.hamcrest.Matcher;
import org.hamcrest.TypeSafeMatcher;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/** Shared test data for the Trade aggregate: a fixed clock, orders built through the kernel's validation, matchers. */
final class TradeFixtures {

    static final Instant NOW = Instant.parse("2026-03-02T15:30:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    static final LocalDate TODAY = LocalDate.of(2026, 3, 2);
    static final String ALICE = "alice";
    static final String KEY = "7d1e0c3a-idem";
    static final TradeId ID = TradeId.forSubmission(ALICE, KEY);
    static final String AAPL_CALL = "AAPL260619C00260000";
    static final String AAPL_PUT = "AAPL260619P00260000";

    private TradeFixtures() {
    }

    static AggregateTestFixture<Trade> newFixture() {
        return newFixture(new InMemoryLiveTrades());
    }

    /** A fixture whose placements count {@code liveTrades} (what the command side's ledger holds). */
    static AggregateTestFixture<Trade> newFixture(LiveTrades liveTrades) {
        AggregateTestFixture<Trade> fixture = new AggregateTestFixture<>(Trade.class);
        fixture.registerInjectableResource(CLOCK);
        fixture.registerInjectableResource(liveTrades);
        return fixture;
    }

    static Money money(String amount) {
        return Money.of(amount);
    }

    static TradeOrder optionOrder(String occ, String side, int quantity, String limit) {
        return TradeOrder.validated("AAPL", occ, side, quantity, limit == null ? "MARKET" : "LIMIT", decimal(limit),
                null, null, null, null, TODAY);
    }

    static TradeOrder stockOrder(String symbol, String side, int quantity, String limit) {
        return TradeOrder.validated(symbol, null, side, quantity, limit == null ? "MARKET" : "LIMIT", decimal(limit),
                null, null, null, null, TODAY);
    }

    static TradePlacedEvent placed(TradeOrder order) {
        return new TradePlacedEvent(ID, ALICE, order, KEY, order.fingerprint(), NOW);
    }

    private static BigDecimal decimal(String s) {
        return s == null ? null : new BigDecimal(s);
    }

    /** The refusal names both states, so the API's 409 can say what was attempted from where. */
    static Matcher<IllegalTransitionException> illegalTransition(TradeStatus from, TradeStatus to) {
        return new TypeSafeMatcher<>() {
            @Override
            protected boolean matchesSafely(IllegalTransitionException e) {
                return e.from() == from && e.to() == to
                        && e.getMessage().contains(from.name()) && e.getMessage().contains(to.name());
            }

            @Override
            public void describeTo(Description description) {
                description.appendText("IllegalTransitionException from " + from + " to " + to);
            }
        };
    }

    static Matcher<VersionConflictException> versionConflict(long current) {
        return new TypeSafeMatcher<>() {
            @Override
            protected boolean matchesSafely(VersionConflictException e) {
                return e.currentVersion() == current;
            }

            @Override
            public void describeTo(Description description) {
                description.appendText("VersionConflictException with current version " + current);
            }
        };
    }
}
