package io.papertrading.command.trade;

import io.papertrading.kernel.trade.Actor;
import io.papertrading.kernel.trade.CloseReason;
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
import io.papertrading.kernel.trade.command.RequestCloseCommand;
import io.papertrading.kernel.trade.event.BracketsChangedEvent;
import io.papertrading.kernel.trade.event.CloseRequestedEvent;
import io.papertrading.kernel.trade.event.EntryOrderSubmittedEvent;
import io.papertrading.kernel.trade.event.EntryPartiallyFilledEvent;
import io.papertrading.kernel.trade.event.ExitOrderSubmittedEvent;
import io.papertrading.kernel.trade.event.ExitRejectedEvent;
import io.papertrading.kernel.trade.event.TradeAnnotatedEvent;
import io.papertrading.kernel.trade.event.CancelRequestedEvent;
import io.papertrading.kernel.trade.event.TradeCanceledEvent;
import io.papertrading.kernel.trade.event.TradeClosedEvent;
import io.papertrading.kernel.trade.event.TradeExpiredEvent;
import io.papertrading.kernel.trade.event.TradeOpenedEvent;
import io.papertrading.kernel.trade.event.TradeRejectedEvent;
import io.papertrading.kernel.trade.event.TradeStatusEvent;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.axonframework.test.aggregate.ResultValidator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static io.papertrading.command.trade.TradeFixtures.ALICE;
import static io.papertrading.command.trade.TradeFixtures.AAPL_CALL;
import static io.papertrading.command.trade.TradeFixtures.ID;
import static io.papertrading.command.trade.TradeFixtures.NOW;
import static io.papertrading.command.trade.TradeFixtures.illegalTransition;
import static io.papertrading.command.trade.TradeFixtures.money;
import static io.papertrading.command.trade.TradeFixtures.newFixture;
import static io.papertrading.command.trade.TradeFixtures.optionOrder;
import static io.papertrading.command.trade.TradeFixtures.placed;
import static io.papertrading.kernel.trade.TradeStatus.CANCELED;
import static io.papertrading.kernel.trade.TradeStatus.CLOSED;
import static io.papertrading.kernel.trade.TradeStatus.CLOSING;
import static io.papertrading.kernel.trade.TradeStatus.EXPIRED;
import static io.papertrading.kernel.trade.TradeStatus.OPEN;
import static io.papertrading.kernel.trade.TradeStatus.PARTIALLY_FILLED;
import static io.papertrading.kernel.trade.TradeStatus.PENDING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every state × every command, allowed and refused, with the expected outcome of each cell written out by hand
 * (not derived from {@link TradeStatus}), then tied back to the table: every allowed cell of the table is reached
 * and no accepted command leaves it.
 *
 * <p>The trade: BUY 4 AAPL 2026-06-19 260 calls, LIMIT 2.20. In PARTIALLY_FILLED 1 contract filled at 2.10; OPEN
 * and later states hold 4 at 2.15.
 */
class TradeTransitionMatrixTest {

    static final TradeOrder ORDER = optionOrder(AAPL_CALL, "BUY", 4, "2.20");

    /** The commands that change a trade's status, each with the state it tries to reach. */
    enum Move {
        FILL_ALL(OPEN), FILL_PART(PARTIALLY_FILLED), REJECT(CANCELED), CANCEL(CANCELED), REQUEST_CLOSE(CLOSING),
        REJECT_EXIT(OPEN), CLOSE(CLOSED), EXPIRE(EXPIRED);

        final TradeStatus target;

        Move(TradeStatus target) {
            this.target = target;
        }

        Object command() {
            return switch (this) {
                case FILL_ALL -> new RecordEntryFillCommand(ID, 4, money("2.15"));
                case FILL_PART -> new RecordEntryFillCommand(ID, 2, money("2.12"));
                case REJECT -> new RejectTradeCommand(ID, "insufficient buying power");
                case CANCEL -> new CancelTradeCommand(ID, CloseReason.CANCELED, "canceled by the broker", Actor.Engine.SAGA,
                        null);
                case REQUEST_CLOSE -> new RequestCloseCommand(ID, CloseReason.MANUAL, Actor.user(ALICE), null);
                case REJECT_EXIT -> new RejectExitCommand(ID, "market closed");
                case CLOSE -> new CloseTradeCommand(ID, money("3.00"), CloseReason.TAKE_PROFIT);
                case EXPIRE -> new ExpireTradeCommand(ID, money("262.50"));
            };
        }
    }

    /** Commands that never change the status: allowed in some states, refused naming the current state in others. */
    enum Mutation {
        CHANGE_BRACKETS, RECORD_ENTRY_ORDER, RECORD_EXIT_ORDER, ANNOTATE, REQUEST_CANCEL;

        Object command() {
            return switch (this) {
                case REQUEST_CANCEL -> new CancelTradeCommand(ID, CloseReason.CANCELED, "changed my mind",
                        Actor.user(ALICE), null);
                case CHANGE_BRACKETS -> new ChangeBracketsCommand(ID, money("1.50"), money("3.50"), Actor.user(ALICE), null);
                case RECORD_ENTRY_ORDER -> new RecordEntryOrderCommand(ID, "simulated", "ord-1");
                case RECORD_EXIT_ORDER -> new RecordExitOrderCommand(ID, "ord-2");
                case ANNOTATE -> new AnnotateTradeCommand(ID, "thesis: earnings drift", Actor.user(ALICE), null);
            };
        }

        Object event() {
            return switch (this) {
                case CHANGE_BRACKETS -> new BracketsChangedEvent(ID, money("1.50"), money("3.50"), ALICE, NOW);
                case RECORD_ENTRY_ORDER -> new EntryOrderSubmittedEvent(ID, "simulated", "ord-1", NOW);
                case RECORD_EXIT_ORDER -> new ExitOrderSubmittedEvent(ID, "ord-2", NOW);
                case ANNOTATE -> new TradeAnnotatedEvent(ID, "thesis: earnings drift", ALICE, NOW);
                case REQUEST_CANCEL -> new CancelRequestedEvent(ID, "changed my mind", ALICE, NOW);
            };
        }

        /** The state a refusal names: a user's cancel is refused as the cancel it would become. */
        TradeStatus refusedAs(TradeStatus state) {
            return this == REQUEST_CANCEL ? CANCELED : state;
        }
    }

    /** The events that put the trade into {@code state}. */
    static List<Object> history(TradeStatus state) {
        List<Object> events = new ArrayList<>();
        events.add(placed(ORDER));
        switch (state) {
            case PENDING -> { }
            case PARTIALLY_FILLED -> events.add(new EntryPartiallyFilledEvent(ID, 1, money("2.10"), NOW));
            case OPEN -> events.add(opened());
            case CLOSING -> {
                events.add(opened());
                events.add(new CloseRequestedEvent(ID, CloseReason.MANUAL, ALICE, NOW));
            }
            case CLOSED -> {
                events.add(opened());
                events.add(new CloseRequestedEvent(ID, CloseReason.MANUAL, ALICE, NOW));
                events.add(new TradeClosedEvent(ID, CloseReason.MANUAL, 4, money("3.00"), money("340.00"), NOW));
            }
            case EXPIRED -> {
                events.add(opened());
                events.add(new TradeExpiredEvent(ID, money("255"), money("0"), 4, money("-860.00"), NOW));
            }
            case CANCELED -> events.add(new TradeCanceledEvent(ID, CloseReason.CANCELED, null, ALICE, NOW));
        }
        return events;
    }

    private static TradeOpenedEvent opened() {
        return new TradeOpenedEvent(ID, 4, money("2.15"), "entry filled", NOW);
    }

    /** The hand-written outcome of each cell: the events it emits, or null where the command is refused. */
    static List<Object> expectedEvents(TradeStatus state, Move move) {
        return switch (move) {
            case FILL_ALL -> switch (state) {
                case PENDING, PARTIALLY_FILLED -> List.of(new TradeOpenedEvent(ID, 4, money("2.15"), "entry filled", NOW));
                default -> null;
            };
            case FILL_PART -> switch (state) {
                case PENDING, PARTIALLY_FILLED -> List.of(new EntryPartiallyFilledEvent(ID, 2, money("2.12"), NOW));
                default -> null;
            };
            case REJECT -> switch (state) {
                case PENDING -> List.of(new TradeRejectedEvent(ID, "insufficient buying power", NOW));
                case PARTIALLY_FILLED -> List.of(new TradeOpenedEvent(ID, 1, money("2.10"),
                        "remainder rejected: insufficient buying power", NOW));
                default -> null;
            };
            case CANCEL -> switch (state) {
                case PENDING -> List.of(new TradeCanceledEvent(ID, CloseReason.CANCELED, "canceled by the broker",
                        Actor.Engine.SAGA.id(), NOW));
                case PARTIALLY_FILLED -> List.of(new TradeOpenedEvent(ID, 1, money("2.10"), "remainder canceled", NOW));
                default -> null;
            };
            case REQUEST_CLOSE -> switch (state) {
                case PARTIALLY_FILLED, OPEN -> List.of(new CloseRequestedEvent(ID, CloseReason.MANUAL, ALICE, NOW));
                default -> null;
            };
            case REJECT_EXIT -> state == CLOSING ? List.of(new ExitRejectedEvent(ID, "market closed", NOW)) : null;
            case CLOSE -> switch (state) {
                // (3.00 - 2.15) × 4 × 100
                case OPEN, CLOSING -> List.of(new TradeClosedEvent(ID, CloseReason.TAKE_PROFIT, 4, money("3.00"),
                        money("340.00"), NOW));
                default -> null;
            };
            case EXPIRE -> switch (state) {
                // 260 call with the underlying at 262.50 settles at 2.50
                case PENDING -> List.of(new TradeExpiredEvent(ID, money("262.50"), money("2.50"), 0, money("0"), NOW));
                // (2.50 - 2.10) × 1 × 100
                case PARTIALLY_FILLED -> List.of(new TradeExpiredEvent(ID, money("262.50"), money("2.50"), 1,
                        money("40.00"), NOW));
                // (2.50 - 2.15) × 4 × 100
                case OPEN, CLOSING -> List.of(new TradeExpiredEvent(ID, money("262.50"), money("2.50"), 4,
                        money("140.00"), NOW));
                default -> null;
            };
        };
    }

    static final Set<TradeStatus> BRACKETS_ALLOWED = EnumSet.of(PENDING, PARTIALLY_FILLED, OPEN);
    static final Set<TradeStatus> ENTRY_ORDER_ALLOWED = EnumSet.of(PENDING, PARTIALLY_FILLED);
    static final Set<TradeStatus> EXIT_ORDER_ALLOWED = EnumSet.of(CLOSING);

    static boolean mutationAllowed(TradeStatus state, Mutation mutation) {
        return switch (mutation) {
            case CHANGE_BRACKETS -> BRACKETS_ALLOWED.contains(state);
            case RECORD_ENTRY_ORDER -> ENTRY_ORDER_ALLOWED.contains(state);
            case RECORD_EXIT_ORDER -> EXIT_ORDER_ALLOWED.contains(state);
            case ANNOTATE -> true;
            case REQUEST_CANCEL -> ENTRY_ORDER_ALLOWED.contains(state);
        };
    }

    static Stream<Arguments> everyStateAndMove() {
        return Stream.of(TradeStatus.values())
                .flatMap(state -> Stream.of(Move.values()).map(move -> Arguments.of(state, move)));
    }

    static Stream<Arguments> everyStateAndMutation() {
        return Stream.of(TradeStatus.values())
                .flatMap(state -> Stream.of(Mutation.values()).map(m -> Arguments.of(state, m)));
    }

    private AggregateTestFixture<Trade> fixture;

    @BeforeEach
    void setUp() {
        fixture = newFixture();
    }

    @ParameterizedTest(name = "{0} + {1}")
    @MethodSource("everyStateAndMove")
    void statusChangingCommandFollowsTheTable(TradeStatus state, Move move) {
        List<Object> expected = expectedEvents(state, move);
        List<Object> given = history(state);
        ResultValidator<Trade> result = fixture.given(given).when(move.command());
        if (expected == null) {
            result.expectNoEvents().expectException(illegalTransition(state, move.target));
        } else {
            TradeStatus reached = ((TradeStatusEvent) expected.get(expected.size() - 1)).newStatus();
            result.expectEvents(expected.toArray())
                    .expectResultMessagePayload(new TradeAck(ID, reached, given.size() + expected.size()));
        }
    }

    @ParameterizedTest(name = "{0} + {1}")
    @MethodSource("everyStateAndMutation")
    void commandsThatKeepTheStatusApplyOnlyWhereTheyMakeSense(TradeStatus state, Mutation mutation) {
        List<Object> given = history(state);
        ResultValidator<Trade> result = fixture.given(given).when(mutation.command());
        if (mutationAllowed(state, mutation)) {
            result.expectEvents(mutation.event())
                    .expectResultMessagePayload(new TradeAck(ID, state, given.size() + 1));
        } else {
            result.expectNoEvents().expectException(illegalTransition(state, mutation.refusedAs(state)));
        }
    }

    @Test
    void everyAllowedCellOfTheTableIsExercisedAndNoAcceptedCommandLeavesTheTable() {
        Set<String> reached = new TreeSet<>();
        for (TradeStatus from : TradeStatus.values()) {
            for (Move move : Move.values()) {
                List<Object> events = expectedEvents(from, move);
                if (events == null) {
                    continue;
                }
                TradeStatus current = from;
                for (Object event : events) {
                    TradeStatus to = ((TradeStatusEvent) event).newStatus();
                    assertTrue(current.canTransitionTo(to), move + " moves " + current + " to " + to);
                    reached.add(current + "->" + to);
                    current = to;
                }
            }
        }
        // PARTIALLY_FILLED -> CANCELED ("canceled with nothing filled") needs a partial fill of nothing, which the
        // aggregate never records itself; TradeTest.cancelsAPartiallyFilledTradeThatFilledNothingOutright covers it.
        reached.add(PARTIALLY_FILLED + "->" + CANCELED);
        Set<String> allowed = new TreeSet<>();
        for (TradeStatus from : TradeStatus.values()) {
            for (TradeStatus to : from.allowedTargets()) {
                allowed.add(from + "->" + to);
            }
        }
        assertThat(reached).isEqualTo(allowed);
    }
}
