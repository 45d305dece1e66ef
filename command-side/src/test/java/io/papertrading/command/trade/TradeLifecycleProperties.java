package io.papertrading.command.trade;

import io.papertrading.kernel.trade.Actor;
import io.papertrading.kernel.error.IllegalTransitionException;
import io.papertrading.kernel.error.RequestRefusedException;
import io.papertrading.kernel.error.VersionConflictException;
import io.papertrading.kernel.money.Money;
import io.papertrading.kernel.money.ProfitAndLoss;
import io.papertrading.kernel.trade.CloseReason;
import io.papertrading.kernel.trade.Side;
import io.papertrading.kernel.trade.TradeAck;
import io.papertrading.kernel.trade.TradeOrder;
import io.papertrading.kernel.trade.TradeStatus;
import io.papertrading.kernel.trade.command.AnnotateTradeCommand;
import io.papertrading.kernel.trade.command.CancelTradeCommand;
import io.papertrading.kernel.trade.command.ChangeBracketsCommand;
import io.papertrading.kernel.trade.command.CloseTradeCommand;
import io.papertrading.kernel.trade.command.ExpireTradeCommand;
import io.papertrading.kernel.trade.command.RecordEntryFillCommand;
import io.papertrading.kernel.trade.command.RecordEntryOrderCommand;
import io.papertrading.kernel.trade.command.RecordExitOrderCommand;
import io.papertrading.kernel.trade.command.RejectExitCommand;
import io.papertrading.kernel.trade.command.RejectTradeCommand;
import io.papertrading.kernel.trade.command.PlaceTradeCommand;
import io.papertrading.kernel.trade.command.RequestCloseCommand;
import io.papertrading.kernel.trade.event.EntryFilledWhileClosingEvent;
import io.papertrading.kernel.trade.event.EntryPartiallyFilledEvent;
import io.papertrading.kernel.trade.event.TradeAnnotatedEvent;
import io.papertrading.kernel.trade.event.TradeClosedEvent;
import io.papertrading.kernel.trade.event.TradeExpiredEvent;
import io.papertrading.kernel.trade.event.TradeOpenedEvent;
import io.papertrading.kernel.trade.event.TradePlacedEvent;
import io.papertrading.kernel.trade.event.TradeStatusEvent;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.test.AxonAssertionError;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.axonframework.test.aggregate.ResultValidator;
import org.hamcrest.BaseMatcher;
import org.hamcrest.Description;
import org.hamcrest.Matcher;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static io.papertrading.command.trade.TradeFixtures.AAPL_CALL;
import static io.papertrading.command.trade.TradeFixtures.AAPL_PUT;
import static io.papertrading.command.trade.TradeFixtures.ALICE;
import static io.papertrading.command.trade.TradeFixtures.ID;
import static io.papertrading.command.trade.TradeFixtures.newFixture;
import static io.papertrading.command.trade.TradeFixtures.optionOrder;
import static io.papertrading.command.trade.TradeFixtures.placed;
import static io.papertrading.command.trade.TradeFixtures.stockOrder;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random command sequences from a small alphabet, sent one by one to a placed trade through the
 * AggregateTestFixture (its illegal-state-change detection stays on). After every step: the trade moved only
 * along {@link TradeStatus}'s table, a refused command changed nothing, an ended trade stays ended, the version
 * counts the events, and any realized P&amp;L is {@link ProfitAndLoss#of} of the fills the broker reported.
 */
class TradeLifecycleProperties {

    static final BigDecimal STRIKE = new BigDecimal("260");

    enum Kind {
        ENTRY_ORDER, FILL, REJECT, CANCEL, BRACKETS, REQUEST_CLOSE, EXIT_ORDER, REJECT_EXIT, CLOSE, EXPIRE, ANNOTATE
    }

    /**
     * One step; which fields matter depends on {@code kind}. {@code pick} chooses among reasons (some of them
     * invalid for the command on purpose) and {@code versionSkew} sends a stale (or future) If-Match when non-zero.
     */
    record Step(Kind kind, int quantity, BigDecimal price, BigDecimal underlying, int pick, int versionSkew) {
    }

    record Setup(boolean option, boolean call, Side side, int quantity) {
        TradeOrder order() {
            return option
                    ? optionOrder(call ? AAPL_CALL : AAPL_PUT, side.name(), quantity, null)
                    : stockOrder("AAPL", side.name(), quantity, null);
        }
    }

    /** What the broker reported as filled (cumulative) and the average price: the test's own record of fills. */
    private int reportedQuantity;
    private AggregateTestFixture<Trade> fixture;
    private Money reportedPrice;

    @Property(tries = 200)
    void randomCommandsKeepTheTradeInsideTheTableWithConsistentProfitAndLoss(
            @ForAll("setups") Setup setup, @ForAll("steps") List<Step> steps) {
        TradeOrder order = setup.order();
        List<Object> history = new ArrayList<>(List.of(placed(order)));
        TradeStatus status = TradeStatus.PENDING;
        reportedQuantity = 0;
        reportedPrice = null;
        fixture = newFixture();

        for (Step step : steps) {
            long version = history.size();
            Object command = command(step, version, order.quantity());
            Outcome outcome = run(history, command);

            if (outcome.refusal() != null) {
                assertThat(outcome.refusal()).isInstanceOf(RequestRefusedException.class);
                assertThat(outcome.events()).isEmpty();
                assertThat(outcome.status()).isEqualTo(status);
                assertThat(outcome.version()).isEqualTo(version);
                if (outcome.refusal() instanceof IllegalTransitionException e) {
                    assertThat(e.from()).isEqualTo(status);
                }
                if (step.versionSkew() != 0 && carriesVersion(step.kind())) {
                    assertThat(outcome.refusal()).isInstanceOfSatisfying(VersionConflictException.class,
                            e -> assertThat(e.currentVersion()).isEqualTo(version));
                }
                continue;
            }
            assertThat(step.versionSkew() != 0 && carriesVersion(step.kind()))
                    .as("a stale If-Match is never accepted").isFalse();

            TradeStatus current = status;
            for (Object event : outcome.events()) {
                if (status.isTerminal()) {
                    assertThat(event).as("an ended trade only takes notes").isInstanceOf(TradeAnnotatedEvent.class);
                }
                if (event instanceof TradeStatusEvent moved) {
                    assertThat(current.canTransitionTo(moved.newStatus()))
                            .as(current + " -> " + moved.newStatus()).isTrue();
                    current = moved.newStatus();
                }
                checkFillsAndProfit(event, setup, order, command);
            }
            assertThat(outcome.status()).isEqualTo(current);
            assertThat(outcome.version()).isEqualTo(version + outcome.events().size());
            assertThat(outcome.ack()).isEqualTo(new TradeAck(ID, current, version + outcome.events().size()));
            boolean ended = current == TradeStatus.CLOSED || current == TradeStatus.EXPIRED;
            assertThat(outcome.realizedPnl() != null).as("P&L is realized exactly when the trade closes or expires")
                    .isEqualTo(ended);

            history.addAll(outcome.events());
            status = current;
        }
        // shows in the report that the generated walks do reach every state, including the ends
        Statistics.collect(status);
    }

    /** Fill events repeat what the broker reported; P&amp;L is the one formula over those fills. */
    private void checkFillsAndProfit(Object event, Setup setup, TradeOrder order, Object command) {
        if (event instanceof EntryPartiallyFilledEvent partial) {
            RecordEntryFillCommand fill = (RecordEntryFillCommand) command;
            assertThat(partial.filledQuantity()).isEqualTo(fill.filledQuantity()).isLessThan(order.quantity());
            reportedQuantity = fill.filledQuantity();
            reportedPrice = fill.averagePrice();
        } else if (event instanceof EntryFilledWhileClosingEvent more) {
            // the rest of a partly filled entry, filling while its close waited for the broker to cancel it
            RecordEntryFillCommand fill = (RecordEntryFillCommand) command;
            assertThat(more.filledQuantity()).isEqualTo(fill.filledQuantity()).isGreaterThan(reportedQuantity)
                    .isLessThanOrEqualTo(order.quantity());
            reportedQuantity = fill.filledQuantity();
            reportedPrice = fill.averagePrice();
        } else if (event instanceof TradeOpenedEvent opened) {
            if (command instanceof RecordEntryFillCommand fill) {
                reportedQuantity = fill.filledQuantity();
                reportedPrice = fill.averagePrice();
                assertThat(opened.filledQuantity()).isEqualTo(order.quantity());
            }
            // a canceled or rejected remainder opens with exactly what was reported filled, never more or less
            assertThat(opened.filledQuantity()).isEqualTo(reportedQuantity).isPositive();
            assertThat(opened.entryPrice()).isEqualTo(reportedPrice);
        } else if (event instanceof TradeClosedEvent closed) {
            assertThat(reportedQuantity).as("no close without fills").isPositive();
            assertThat(closed.quantity()).isEqualTo(reportedQuantity);
            assertThat(closed.exitPrice()).isEqualTo(((CloseTradeCommand) command).exitPrice());
            assertThat(closed.realizedPnl()).isEqualTo(ProfitAndLoss.of(order.side(), reportedPrice,
                    closed.exitPrice(), BigDecimal.valueOf(reportedQuantity), order.multiplier()));
        } else if (event instanceof TradeExpiredEvent expired) {
            assertThat(setup.option()).isTrue();
            BigDecimal s = ((ExpireTradeCommand) command).underlyingPrice().amount();
            BigDecimal intrinsic = (setup.call() ? s.subtract(STRIKE) : STRIKE.subtract(s)).max(BigDecimal.ZERO);
            assertThat(expired.settlementPrice()).isEqualTo(new Money(intrinsic));
            assertThat(expired.quantity()).isEqualTo(reportedQuantity);
            Money expected = reportedQuantity == 0 ? Money.ZERO : ProfitAndLoss.of(order.side(), reportedPrice,
                    new Money(intrinsic), BigDecimal.valueOf(reportedQuantity), order.multiplier());
            assertThat(expired.realizedPnl()).isEqualTo(expected);
        }
    }

    private static boolean carriesVersion(Kind kind) {
        return kind == Kind.CANCEL || kind == Kind.BRACKETS || kind == Kind.REQUEST_CLOSE || kind == Kind.ANNOTATE;
    }

    private Object command(Step step, long version, int orderQuantity) {
        Long ifMatch = null; // If-Match is optional: half the steps without it, half with the right or a wrong one
        if (step.versionSkew() != 0) {
            ifMatch = version + step.versionSkew();
        } else if (step.pick() % 2 == 1) {
            ifMatch = version;
        }
        Money price = new Money(step.price());
        return switch (step.kind()) {
            case ENTRY_ORDER -> new RecordEntryOrderCommand(ID, "simulated", "entry-" + step.pick() % 2);
            // a third of the reports name the entry order (as the saga's first report of an order filled at once)
            case FILL -> step.pick() % 3 == 0
                    ? new RecordEntryFillCommand(ID, fillQuantity(step.quantity(), orderQuantity), price, "simulated",
                            "entry-" + step.pick() % 2)
                    : new RecordEntryFillCommand(ID, fillQuantity(step.quantity(), orderQuantity), price);
            case REJECT -> new RejectTradeCommand(ID, "rejected by broker");
            // a user's cancel asks the broker first; the saga's ends the trade (after a user's request or not)
            case CANCEL -> new CancelTradeCommand(ID, pick(step, CloseReason.CANCELED, CloseReason.TIMEOUT,
                    CloseReason.MANUAL), null, step.pick() % 4 < 2 ? Actor.user(ALICE) : Actor.Engine.SAGA, ifMatch);
            case BRACKETS -> new ChangeBracketsCommand(ID, price, new Money(step.price().add(BigDecimal.ONE)), Actor.user(ALICE),
                    ifMatch);
            case REQUEST_CLOSE -> new RequestCloseCommand(ID, pick(step, CloseReason.MANUAL, CloseReason.STOP_LOSS,
                    CloseReason.TAKE_PROFIT, CloseReason.EXPIRED), Actor.user(ALICE), ifMatch);
            case EXIT_ORDER -> new RecordExitOrderCommand(ID, "exit-" + step.pick() % 2);
            case REJECT_EXIT -> new RejectExitCommand(ID, "exit canceled");
            case CLOSE -> new CloseTradeCommand(ID, price, pick(step, null, CloseReason.STOP_LOSS,
                    CloseReason.TAKE_PROFIT, CloseReason.MANUAL));
            case EXPIRE -> new ExpireTradeCommand(ID, new Money(step.underlying()));
            case ANNOTATE -> new AnnotateTradeCommand(ID, step.pick() % 5 == 0 ? "" : "note " + step.pick(), Actor.user(ALICE),
                    ifMatch);
        };
    }

    /** Cumulative fill reports around the interesting boundaries: nothing, some, all, too much, a repeat. */
    private int fillQuantity(int code, int orderQuantity) {
        return switch (code) {
            case 0 -> 0;
            case 1 -> 1;
            case 2 -> orderQuantity - 1;
            case 3, 4 -> orderQuantity;
            case 5 -> orderQuantity + 1;
            default -> reportedQuantity;
        };
    }

    @SafeVarargs
    private static <T> T pick(Step step, T... choices) {
        return choices[step.pick() % choices.length];
    }

    // ------------------------------------------------------------------------------------------- generators

    @Provide
    Arbitrary<Setup> setups() {
        return Combinators.combine(Arbitraries.of(true, false), Arbitraries.of(true, false),
                Arbitraries.of(Side.class), Arbitraries.integers().between(1, 5)).as(Setup::new);
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        // weighted so that walks get past the entry: the ending commands are rarer than the ones that progress
        Arbitrary<Kind> kinds = Arbitraries.frequency(Tuple.of(6, Kind.FILL), Tuple.of(4, Kind.REQUEST_CLOSE),
                Tuple.of(4, Kind.CLOSE), Tuple.of(2, Kind.ENTRY_ORDER), Tuple.of(2, Kind.EXIT_ORDER),
                Tuple.of(2, Kind.REJECT_EXIT), Tuple.of(2, Kind.BRACKETS), Tuple.of(2, Kind.ANNOTATE),
                Tuple.of(1, Kind.REJECT), Tuple.of(2, Kind.CANCEL), Tuple.of(1, Kind.EXPIRE));
        Arbitrary<Integer> quantities = Arbitraries.integers().between(0, 6);
        Arbitrary<BigDecimal> prices = Arbitraries.bigDecimals().between(new BigDecimal("0.01"), new BigDecimal("9.99"))
                .ofScale(2);
        Arbitrary<BigDecimal> underlyings = Arbitraries.bigDecimals()
                .between(new BigDecimal("240"), new BigDecimal("280")).ofScale(2);
        Arbitrary<Integer> picks = Arbitraries.integers().between(0, 59);
        Arbitrary<Integer> skews = Arbitraries.frequency(Tuple.of(8, 0), Tuple.of(1, -1), Tuple.of(1, 1));
        return Combinators.combine(kinds, quantities, prices, underlyings, picks, skews).as(Step::new)
                .list().ofMinSize(1).ofMaxSize(20);
    }

    // --------------------------------------------------------------------------------- driving the fixture

    record Outcome(List<Object> events, Throwable refusal, TradeAck ack, TradeStatus status, long version,
                   Money realizedPnl) {
    }

    /** Runs one command on the trade rebuilt from {@code history} and records what happened, without asserting. */
    private Outcome run(List<Object> history, Object command) {
        ResultValidator<Trade> result = fixture.given(history).when(command);
        List<Object> events = new ArrayList<>();
        result.expectEventsMatching(capturing(published -> {
            for (Object message : published) {
                events.add(((EventMessage<?>) message).getPayload());
            }
        }));
        Object[] answer = new Object[1];
        try {
            result.expectSuccessfulHandlerExecution();
            result.expectResultMessagePayloadMatching(capturing(payload -> answer[0] = payload));
        } catch (AxonAssertionError refused) {
            // the fixture reports a handler exception this way; capture the exception itself
            result.expectException(capturing(exception -> answer[0] = exception));
        }
        if (answer[0] instanceof Throwable refusal) {
            // A refused command's unit of work is rolled back, so the fixture cannot show its aggregate; ask the
            // trade as the store now has it instead (a retried placement answers the current status and version).
            // and a fixture keeps the aggregate of its last rolled-back unit of work: start a fresh one
            fixture = newFixture();
            TradeAck now = currentAck(history);
            return new Outcome(events, refusal, null, now.status(), now.version(), null);
        }
        Object[] state = new Object[3];
        result.expectState(trade -> {
            state[0] = trade.status();
            state[1] = trade.version();
            state[2] = trade.realizedPnl();
        });
        return new Outcome(events, null, (TradeAck) answer[0], (TradeStatus) state[0], (Long) state[1],
                (Money) state[2]);
    }

    private TradeAck currentAck(List<Object> history) {
        TradePlacedEvent placement = (TradePlacedEvent) history.get(0);
        Object[] ack = new Object[1];
        fixture.given(history)
                .when(new PlaceTradeCommand(ID, placement.username(), placement.order(), placement.idempotencyKey()))
                .expectNoEvents()
                .expectResultMessagePayloadMatching(capturing(payload -> ack[0] = payload));
        return (TradeAck) ack[0];
    }

    /** A matcher that accepts anything and hands it to {@code sink}: the fixture's way of letting us look. */
    @SuppressWarnings("unchecked")
    private static <T> Matcher<T> capturing(Consumer<? super T> sink) {
        return new BaseMatcher<>() {
            @Override
            public boolean matches(Object actual) {
                sink.accept((T) actual);
                return true;
            }

            @Override
            public void describeTo(Description description) {
                description.appendText("anything (captured)");
            }
        };
    }
}
