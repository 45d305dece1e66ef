package io.papertrading.command.trade;

import io.papertrading.kernel.error.FieldChecks;
import io.papertrading.kernel.error.FieldError;
import io.papertrading.kernel.error.IdempotencyKeyReusedException;
import io.papertrading.kernel.error.IllegalTransitionException;
import io.papertrading.kernel.error.RiskLimitException;
import io.papertrading.kernel.error.TradeNotFoundException;
import io.papertrading.kernel.error.ValidationFailedException;
import io.papertrading.kernel.error.VersionConflictException;
import io.papertrading.kernel.money.Money;
import io.papertrading.kernel.money.ProfitAndLoss;
import io.papertrading.kernel.trade.Actor;
import io.papertrading.kernel.trade.CloseReason;
import io.papertrading.kernel.trade.OrderType;
import io.papertrading.kernel.trade.TradeAck;
import io.papertrading.kernel.trade.TradeId;
import io.papertrading.kernel.trade.TradeOrder;
import io.papertrading.kernel.trade.TradeStatus;
import io.papertrading.kernel.trade.command.AnnotateTradeCommand;
import io.papertrading.kernel.trade.command.CancelTradeCommand;
import io.papertrading.kernel.trade.command.ChangeBracketsCommand;
import io.papertrading.kernel.trade.command.CloseTradeCommand;
import io.papertrading.kernel.trade.command.ExpireTradeCommand;
import io.papertrading.kernel.trade.command.PlaceTradeCommand;
import io.papertrading.kernel.trade.command.RecordEntryFillCommand;
import io.papertrading.kernel.trade.command.RecordEntryOrderCommand;
import io.papertrading.kernel.trade.command.RecordExitOrderCommand;
import io.papertrading.kernel.trade.command.RecordPartialExitCommand;
import io.papertrading.kernel.trade.command.RejectExitCommand;
import io.papertrading.kernel.trade.command.RejectTradeCommand;
import io.papertrading.kernel.trade.command.ReportBrokerProblemCommand;
import io.papertrading.kernel.trade.command.RequestCloseCommand;
import io.papertrading.kernel.trade.event.BracketsChangedEvent;
import io.papertrading.kernel.trade.event.BrokerProblemClearedEvent;
import io.papertrading.kernel.trade.event.BrokerProblemReportedEvent;
import io.papertrading.kernel.trade.event.CancelRequestedEvent;
import io.papertrading.kernel.trade.event.EntryFilledWhileClosingEvent;
import io.papertrading.kernel.trade.event.CloseRequestedEvent;
import io.papertrading.kernel.trade.event.EntryOrderSubmittedEvent;
import io.papertrading.kernel.trade.event.EntryPartiallyFilledEvent;
import io.papertrading.kernel.trade.event.ExitOrderSubmittedEvent;
import io.papertrading.kernel.trade.event.ExitRejectedEvent;
import io.papertrading.kernel.trade.event.PositionReducedEvent;
import io.papertrading.kernel.trade.event.TradeAnnotatedEvent;
import io.papertrading.kernel.trade.event.TradeCanceledEvent;
import io.papertrading.kernel.trade.event.TradeClosedEvent;
import io.papertrading.kernel.trade.event.TradeEvent;
import io.papertrading.kernel.trade.event.TradeExpiredEvent;
import io.papertrading.kernel.trade.event.TradeOpenedEvent;
import io.papertrading.kernel.trade.event.TradePlacedEvent;
import io.papertrading.kernel.trade.event.TradeRejectedEvent;
import io.papertrading.kernel.trade.event.TradeStatusEvent;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateCreationPolicy;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.modelling.command.CreationPolicy;
import org.axonframework.spring.stereotype.Aggregate;

import java.math.BigDecimal;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import static io.papertrading.kernel.trade.TradeStatus.CANCELED;
import static io.papertrading.kernel.trade.TradeStatus.CLOSED;
import static io.papertrading.kernel.trade.TradeStatus.CLOSING;
import static io.papertrading.kernel.trade.TradeStatus.EXPIRED;
import static io.papertrading.kernel.trade.TradeStatus.OPEN;
import static io.papertrading.kernel.trade.TradeStatus.PARTIALLY_FILLED;
import static io.papertrading.kernel.trade.TradeStatus.PENDING;
import static org.axonframework.modelling.command.AggregateLifecycle.apply;

/**
 * One paper trade, event-sourced: from placement through the entry fills to its close, expiry or
 * cancellation. Command handlers only decide (validate, then apply events); the event sourcing handlers are the
 * only code that changes state. Which status may follow which is {@link TradeStatus}'s table, checked in one
 * guard; a few commands are narrower than the table's cell they land in (a fill only concerns a working entry,
 * an exit rejection only a closing trade) and say so with an explicit set of source states.
 *
 * <p>{@code version} counts the events of this trade's stream (1 after {@link TradePlacedEvent}); it is what
 * clients send back as {@code If-Match} and what every command answers in its {@link TradeAck}.
 */
@Aggregate
public class Trade {

    /** An entry order is working: fills, broker rejections and cancels concern only these states. */
    private static final Set<TradeStatus> ENTRY_WORKING = EnumSet.of(PENDING, PARTIALLY_FILLED);
    /** An exit order exists only while closing. */
    private static final Set<TradeStatus> EXITING = EnumSet.of(CLOSING);
    /** A position is held, and exit or bracket orders may sell part of it. */
    private static final Set<TradeStatus> HOLDING = EnumSet.of(OPEN, CLOSING);
    /**
     * Brackets may change until an exit is under way: once CLOSING, the exit order at the broker no longer
     * follows them, so changing them would be a lie.
     */
    private static final Set<TradeStatus> BRACKETS_EDITABLE = EnumSet.of(PENDING, PARTIALLY_FILLED, OPEN);
    /** A bracket leg filling at the broker closes an OPEN trade without a close request first. */
    private static final Set<CloseReason> BRACKET_REASONS = EnumSet.of(CloseReason.STOP_LOSS, CloseReason.TAKE_PROFIT);
    private static final Set<CloseReason> CLOSE_REQUEST_REASONS =
            EnumSet.of(CloseReason.MANUAL, CloseReason.STOP_LOSS, CloseReason.TAKE_PROFIT);
    private static final Set<CloseReason> CANCEL_REASONS = EnumSet.of(CloseReason.CANCELED, CloseReason.TIMEOUT);
    /** The limit a refused placement names ({@link RiskLimitException#limit()}). */
    public static final String MAX_OPEN_TRADES = "maxOpenTrades";
    private static final int MAX_ANNOTATION = 2000;
    private static final int MAX_PROBLEM = 500;

    @AggregateIdentifier
    private TradeId id;
    private String username;
    private TradeOrder order;
    private String requestHash;
    private TradeStatus status;
    private long version;
    private String entryOrderId;
    private String exitOrderId;
    /** Cumulative entry fill and its average price; the position once the entry is complete. */
    private int filledQuantity;
    private Money entryPrice;
    private Money stopLoss;
    private Money takeProfit;
    /** Why the pending close was requested (null unless CLOSING). */
    private CloseReason closeReason;
    /** Realized so far: by partial exits while live, the trade's total once it ended. */
    private Money realizedPnl;
    /** How much of the entry fill partial exits have sold. */
    private int exitedQuantity;
    /** What keeps the broker account from answering, as last reported by the saga (null: nothing). */
    private String brokerProblem;
    /** The user's cancel waiting for the broker's final word on the entry (null: none asked for). */
    private CancelRequestedEvent cancelRequest;
    /**
     * Asked to close while partly filled: the rest of the entry works until the broker ends it (the exit goes out
     * after that) and may still fill. Counts only while CLOSING.
     */
    private boolean entryWorkingWhileClosing;

    /** For Axon: the aggregate is created by {@link #place} under {@code CREATE_IF_MISSING}. */
    protected Trade() {
    }

    // ---------------------------------------------------------------------------------------------- commands

    @CommandHandler
    @CreationPolicy(AggregateCreationPolicy.CREATE_IF_MISSING)
    public TradeAck place(PlaceTradeCommand cmd, Clock clock, LiveTrades liveTrades) {
        validatePlacement(cmd);
        if (id != null) {
            // Same (username, key) → same aggregate. A retry of the same request answers with the trade as it is
            // now; a different request under the same key must not silently get the earlier trade.
            if (username.equals(cmd.username()) && requestHash.equals(cmd.order().fingerprint())) {
                return ack();
            }
            throw new IdempotencyKeyReusedException();
        }
        if (cmd.maxOpenTrades() != null) {
            // counted under the user's lock, held until this command commits the trade (and its ledger row)
            int live = liveTrades.lockAndCount(cmd.username());
            if (live >= cmd.maxOpenTrades()) {
                throw new RiskLimitException(MAX_OPEN_TRADES, "you have " + live + " live trades and your limit is "
                        + cmd.maxOpenTrades());
            }
        }
        apply(new TradePlacedEvent(cmd.tradeId(), cmd.username(), cmd.order(), cmd.idempotencyKey(),
                cmd.order().fingerprint(), clock.instant()));
        return ack();
    }

    @CommandHandler
    public TradeAck recordEntryOrder(RecordEntryOrderCommand cmd, Clock clock) {
        requireIn(ENTRY_WORKING, status);
        requireText("brokerOrderId", cmd.brokerOrderId());
        if (cmd.brokerOrderId().equals(entryOrderId)) {
            return ack(); // the saga recorded this order already (a retried step)
        }
        apply(new EntryOrderSubmittedEvent(id, cmd.broker(), cmd.brokerOrderId(), clock.instant()));
        return ack();
    }

    @CommandHandler
    public TradeAck recordEntryFill(RecordEntryFillCommand cmd, Clock clock) {
        boolean newOrder = cmd.brokerOrderId() != null && !cmd.brokerOrderId().equals(entryOrderId);
        if (newOrder) {
            requireIn(ENTRY_WORKING, status);
            requireText("brokerOrderId", cmd.brokerOrderId());
        }
        // closing a partly filled trade: what the rest of the entry fills before its cancel takes effect is held,
        // and exited with the rest
        boolean whileClosing = entryWorkingWhileClosing && status == CLOSING;
        TradeStatus target = cmd.filledQuantity() >= order.quantity() ? OPEN : PARTIALLY_FILLED;
        if (!whileClosing) {
            requireIn(ENTRY_WORKING, target);
        }
        boolean fills = cmd.filledQuantity() > filledQuantity; // else a repeated poll reporting nothing new
        if (fills) {
            if (cmd.filledQuantity() > order.quantity()) {
                throw ValidationFailedException.of("filledQuantity",
                        "filled " + cmd.filledQuantity() + " exceeds the ordered " + order.quantity());
            }
            requirePositive("averagePrice", cmd.averagePrice());
            if (!whileClosing) {
                requireTransition(target);
            }
        }
        if (newOrder) {
            apply(new EntryOrderSubmittedEvent(id, cmd.broker(), cmd.brokerOrderId(), clock.instant()));
        }
        if (!fills) {
            return ack();
        }
        if (whileClosing) {
            apply(new EntryFilledWhileClosingEvent(id, cmd.filledQuantity(), cmd.averagePrice(), clock.instant()));
            return ack();
        }
        if (target == OPEN) {
            apply(new TradeOpenedEvent(id, cmd.filledQuantity(), cmd.averagePrice(),
                    cancelRequest == null ? "entry filled" : "entry filled before the cancel took effect",
                    clock.instant()));
        } else {
            apply(new EntryPartiallyFilledEvent(id, cmd.filledQuantity(), cmd.averagePrice(), clock.instant()));
        }
        return ack();
    }

    @CommandHandler
    public TradeAck reject(RejectTradeCommand cmd, Clock clock) {
        requireIn(ENTRY_WORKING, CANCELED);
        if (filledQuantity > 0) {
            // The broker refused the rest, but what was bought is a real position and must not vanish.
            openWithWhatWasFilled("remainder rejected: " + cmd.reason(), clock);
        } else {
            requireTransition(CANCELED);
            apply(new TradeRejectedEvent(id, cmd.reason(), clock.instant()));
        }
        return ack();
    }

    @CommandHandler
    public TradeAck cancel(CancelTradeCommand cmd, Clock clock) {
        requireOwner(cmd.actor());
        requireVersion(cmd.expectedVersion());
        if (cmd.reason() == null || !CANCEL_REASONS.contains(cmd.reason())) {
            throw ValidationFailedException.of("reason", "must be one of " + CANCEL_REASONS);
        }
        requireIn(ENTRY_WORKING, CANCELED);
        if (cmd.actor() instanceof Actor.User) {
            // Only the broker knows whether the entry filled meanwhile: the saga withdraws the order and ends the
            // trade on its final word, so a fill made while the cancel travelled is kept, not lost.
            if (cancelRequest == null) {
                apply(new CancelRequestedEvent(id, cmd.detail(), cmd.actor().id(), clock.instant()));
            }
            return ack();
        }
        if (filledQuantity > 0) {
            openWithWhatWasFilled("remainder canceled", clock);
        } else {
            requireTransition(CANCELED);
            boolean asked = cancelRequest != null && cmd.reason() == CloseReason.CANCELED;
            apply(new TradeCanceledEvent(id, cmd.reason(), asked ? cancelRequest.detail() : cmd.detail(),
                    asked ? cancelRequest.actor() : cmd.actor().id(), clock.instant()));
        }
        return ack();
    }

    @CommandHandler
    public TradeAck changeBrackets(ChangeBracketsCommand cmd, Clock clock) {
        requireOwner(cmd.actor());
        requireVersion(cmd.expectedVersion());
        requireIn(BRACKETS_EDITABLE, status);
        List<FieldError> errors = new ArrayList<>();
        checkPositive("stopLoss", cmd.stopLoss(), errors);
        checkPositive("takeProfit", cmd.takeProfit(), errors);
        if (errors.isEmpty()) {
            TradeOrder.checkBrackets(order.side(), amount(bracketReference()), amount(cmd.stopLoss()),
                    amount(cmd.takeProfit()), errors);
        }
        if (!errors.isEmpty()) {
            throw new ValidationFailedException(errors);
        }
        apply(new BracketsChangedEvent(id, cmd.stopLoss(), cmd.takeProfit(), cmd.actor().id(), clock.instant()));
        return ack();
    }

    @CommandHandler
    public TradeAck requestClose(RequestCloseCommand cmd, Clock clock) {
        requireOwner(cmd.actor());
        requireVersion(cmd.expectedVersion());
        if (cmd.reason() == null || !CLOSE_REQUEST_REASONS.contains(cmd.reason())) {
            throw ValidationFailedException.of("reason", "must be one of " + CLOSE_REQUEST_REASONS);
        }
        // From PARTIALLY_FILLED this closes what was filled; the saga cancels the unfilled remainder.
        requireTransition(CLOSING);
        apply(new CloseRequestedEvent(id, cmd.reason(), cmd.actor().id(), clock.instant()));
        return ack();
    }

    @CommandHandler
    public TradeAck recordExitOrder(RecordExitOrderCommand cmd, Clock clock) {
        requireIn(EXITING, status);
        requireText("brokerOrderId", cmd.brokerOrderId());
        if (cmd.brokerOrderId().equals(exitOrderId)) {
            return ack();
        }
        apply(new ExitOrderSubmittedEvent(id, cmd.brokerOrderId(), clock.instant()));
        return ack();
    }

    @CommandHandler
    public TradeAck rejectExit(RejectExitCommand cmd, Clock clock) {
        requireIn(EXITING, OPEN);
        requireTransition(OPEN);
        apply(new ExitRejectedEvent(id, cmd.reason(), clock.instant()));
        return ack();
    }

    /** Part of the position left at the broker through an exit or bracket order that ended without the rest. */
    @CommandHandler
    public TradeAck recordPartialExit(RecordPartialExitCommand cmd, Clock clock) {
        requireIn(HOLDING, status);
        if (cmd.quantity() < 1 || cmd.quantity() >= position()) {
            throw ValidationFailedException.of("quantity", "1 to " + (position() - 1) + " (the position is "
                    + position() + "; a fill of all of it closes the trade)");
        }
        requirePositive("averagePrice", cmd.averagePrice());
        Money part = pnlAt(cmd.averagePrice(), cmd.quantity());
        apply(new PositionReducedEvent(id, cmd.quantity(), cmd.averagePrice(), part, position() - cmd.quantity(),
                cmd.detail(), clock.instant()));
        return ack();
    }

    @CommandHandler
    public TradeAck close(CloseTradeCommand cmd, Clock clock) {
        requireTransition(CLOSED);
        CloseReason reason = cmd.reason();
        if (status == OPEN) {
            // Without a close request, only a bracket leg filling at the broker can close the position.
            if (reason == null || !BRACKET_REASONS.contains(reason)) {
                throw ValidationFailedException.of("reason", "closing an OPEN trade needs one of " + BRACKET_REASONS);
            }
        } else if (reason == null) {
            reason = closeReason;
        } else if (!CLOSE_REQUEST_REASONS.contains(reason)) {
            throw ValidationFailedException.of("reason", "must be one of " + CLOSE_REQUEST_REASONS);
        }
        requireNotNegative("exitPrice", cmd.exitPrice());
        apply(new TradeClosedEvent(id, reason, position(), cmd.exitPrice(), realizedWith(pnlAt(cmd.exitPrice())),
                clock.instant()));
        return ack();
    }

    @CommandHandler
    public TradeAck expire(ExpireTradeCommand cmd, Clock clock) {
        if (!order.instrument().isOption()) {
            throw ValidationFailedException.of("instrument", "a stock trade has no expiry");
        }
        requireTransition(EXPIRED);
        requireNotNegative("underlyingPrice", cmd.underlyingPrice());
        Money settlement = new Money(order.instrument().optionSymbol().intrinsicValue(cmd.underlyingPrice().amount()));
        // Nothing filled (PENDING): the order dies with the contract and nothing is realized.
        Money pnl = filledQuantity > 0 ? realizedWith(pnlAt(settlement)) : Money.ZERO;
        apply(new TradeExpiredEvent(id, cmd.underlyingPrice(), settlement, position(), pnl, clock.instant()));
        return ack();
    }

    /**
     * Puts the saga's account trouble on the trade while it is live, once per distinct problem; a null problem
     * clears it. Nothing happens once the trade has ended: its broker orders are final.
     */
    @CommandHandler
    public TradeAck reportBrokerProblem(ReportBrokerProblemCommand cmd, Clock clock) {
        String problem = cmd.problem() == null ? null : abbreviate(cmd.problem());
        if (status.isTerminal() || Objects.equals(problem, brokerProblem)) {
            return ack();
        }
        apply(problem == null ? new BrokerProblemClearedEvent(id, clock.instant())
                : new BrokerProblemReportedEvent(id, problem, clock.instant()));
        return ack();
    }

    @CommandHandler
    public TradeAck annotate(AnnotateTradeCommand cmd, Clock clock) {
        requireOwner(cmd.actor());
        requireVersion(cmd.expectedVersion());
        FieldChecks.requireText("text", cmd.text(), MAX_ANNOTATION, true);
        apply(new TradeAnnotatedEvent(id, cmd.text(), cmd.actor().id(), clock.instant()));
        return ack();
    }

    // ----------------------------------------------------------------------------------------------- guards

    /** The one check of the transition table. */
    private void requireTransition(TradeStatus to) {
        if (!status.canTransitionTo(to)) {
            throw new IllegalTransitionException(status, to);
        }
    }

    /**
     * For commands narrower than the table: refuses unless the trade is in one of {@code from}. {@code to} is
     * what the refusal names as the attempted state (the current state for commands that change no status).
     */
    private void requireIn(Set<TradeStatus> from, TradeStatus to) {
        if (!from.contains(status)) {
            throw new IllegalTransitionException(status, to);
        }
    }

    /**
     * A user may act only on their own trades; to anyone else the trade does not exist (a 404, never a hint that
     * it does). The engine's own actors may act on any trade.
     */
    private void requireOwner(Actor actor) {
        if (actor == null) {
            throw ValidationFailedException.of("actor", "required");
        }
        if (actor instanceof Actor.User user && !username.equals(user.username())) {
            throw new TradeNotFoundException(id.value());
        }
    }

    private void requireVersion(Long expectedVersion) {
        if (expectedVersion != null && expectedVersion != version) {
            throw new VersionConflictException(expectedVersion, version);
        }
    }

    /** Placement re-checks what {@link TradeOrder#validated} enforces, since a command can be built without it. */
    private static void validatePlacement(PlaceTradeCommand cmd) {
        List<FieldError> errors = new ArrayList<>();
        if (cmd.tradeId() == null) {
            errors.add(new FieldError("tradeId", "required"));
        }
        if (cmd.username() == null || cmd.username().isBlank()) {
            errors.add(new FieldError("username", "required"));
        }
        TradeOrder order = cmd.order();
        if (order == null || order.instrument() == null || order.side() == null || order.orderType() == null) {
            errors.add(new FieldError("order", "instrument, side and orderType are required"));
            throw new ValidationFailedException(errors);
        }
        if (order.quantity() < 1 || order.quantity() > TradeOrder.MAX_QUANTITY) {
            errors.add(new FieldError("quantity", "an integer from 1 to " + TradeOrder.MAX_QUANTITY));
        }
        if ((order.orderType() == OrderType.LIMIT) != (order.limitPrice() != null)) {
            errors.add(new FieldError("limitPrice", "required for a LIMIT order and only for one"));
        }
        checkPositive("limitPrice", order.limitPrice(), errors);
        checkPositive("stopLoss", order.stopLoss(), errors);
        checkPositive("takeProfit", order.takeProfit(), errors);
        TradeOrder.checkBrackets(order.side(), amount(order.limitPrice()), amount(order.stopLoss()),
                amount(order.takeProfit()), errors);
        if (!errors.isEmpty()) {
            throw new ValidationFailedException(errors);
        }
    }

    private static void checkPositive(String field, Money value, List<FieldError> errors) {
        if (value != null && value.signum() <= 0) {
            errors.add(new FieldError(field, "must be greater than 0"));
        }
    }

    private static void requirePositive(String field, Money value) {
        if (value == null || value.signum() <= 0) {
            throw ValidationFailedException.of(field, "required, greater than 0");
        }
    }

    private static void requireNotNegative(String field, Money value) {
        if (value == null || value.signum() < 0) {
            throw ValidationFailedException.of(field, "required, not negative");
        }
    }

    private static void requireText(String field, String value) {
        if (value == null || value.isBlank()) {
            throw ValidationFailedException.of(field, "required");
        }
    }

    // ---------------------------------------------------------------------------------------------- helpers

    private void openWithWhatWasFilled(String detail, Clock clock) {
        requireTransition(OPEN);
        apply(new TradeOpenedEvent(id, filledQuantity, entryPrice, detail, clock.instant()));
    }

    /** Brackets are judged against the actual entry once there is one, else the limit (a market order has none). */
    private Money bracketReference() {
        return filledQuantity > 0 ? entryPrice : order.limitPrice();
    }

    /** P&L of the position still held, were it closed at {@code exit}. */
    private Money pnlAt(Money exit) {
        return pnlAt(exit, position());
    }

    /** P&L of {@code quantity} of the entry fill sold at {@code exit}. */
    private Money pnlAt(Money exit, int quantity) {
        return ProfitAndLoss.of(order.side(), entryPrice, exit, BigDecimal.valueOf(quantity), order.multiplier());
    }

    /** The trade's total realized P&L once the rest of the position realizes {@code last}. */
    private Money realizedWith(Money last) {
        return realizedPnl == null ? last : realizedPnl.plus(last);
    }

    /** What is still held: the entry fill less what partial exits sold. */
    private int position() {
        return filledQuantity - exitedQuantity;
    }

    private static String abbreviate(String text) {
        return text.length() <= MAX_PROBLEM ? text : text.substring(0, MAX_PROBLEM - 3) + "...";
    }

    private static BigDecimal amount(Money money) {
        return money == null ? null : money.amount();
    }

    private TradeAck ack() {
        return new TradeAck(id, status, version);
    }

    // ------------------------------------------------------------------------------------------ event sourcing

    /** The single place where the version and the status move: every event of the stream passes here. */
    private void applied(TradeEvent event) {
        version++;
        if (event instanceof TradeStatusEvent statusEvent) {
            status = statusEvent.newStatus();
        }
    }

    @EventSourcingHandler
    void on(TradePlacedEvent e) {
        applied(e);
        id = e.tradeId();
        username = e.username();
        order = e.order();
        requestHash = e.requestHash();
        stopLoss = e.order().stopLoss();
        takeProfit = e.order().takeProfit();
    }

    @EventSourcingHandler
    void on(EntryOrderSubmittedEvent e) {
        applied(e);
        entryOrderId = e.brokerOrderId();
    }

    @EventSourcingHandler
    void on(EntryPartiallyFilledEvent e) {
        applied(e);
        filledQuantity = e.filledQuantity();
        entryPrice = e.averagePrice();
    }

    @EventSourcingHandler
    void on(TradeOpenedEvent e) {
        applied(e);
        filledQuantity = e.filledQuantity();
        entryPrice = e.entryPrice();
    }

    @EventSourcingHandler
    void on(CancelRequestedEvent e) {
        applied(e);
        cancelRequest = e;
    }

    @EventSourcingHandler
    void on(EntryFilledWhileClosingEvent e) {
        applied(e);
        filledQuantity = e.filledQuantity();
        entryPrice = e.averagePrice();
        entryWorkingWhileClosing = filledQuantity < order.quantity();
    }

    @EventSourcingHandler
    void on(TradeRejectedEvent e) {
        applied(e);
    }

    @EventSourcingHandler
    void on(TradeCanceledEvent e) {
        applied(e);
    }

    @EventSourcingHandler
    void on(BracketsChangedEvent e) {
        applied(e);
        stopLoss = e.stopLoss();
        takeProfit = e.takeProfit();
    }

    @EventSourcingHandler
    void on(CloseRequestedEvent e) {
        // the saga withdraws the rest of a partly filled entry and places the exit once the broker has ended it
        entryWorkingWhileClosing = status == PARTIALLY_FILLED && filledQuantity < order.quantity();
        applied(e);
        closeReason = e.reason();
        exitOrderId = null; // a new close attempt gets a new exit order
    }

    @EventSourcingHandler
    void on(ExitOrderSubmittedEvent e) {
        applied(e);
        entryWorkingWhileClosing = false; // the exit goes out once the entry has ended
        exitOrderId = e.brokerOrderId();
    }

    @EventSourcingHandler
    void on(ExitRejectedEvent e) {
        applied(e);
        closeReason = null;
        exitOrderId = null;
    }

    @EventSourcingHandler
    void on(PositionReducedEvent e) {
        applied(e);
        exitedQuantity += e.closedQuantity();
        realizedPnl = realizedWith(e.realizedPnl());
    }

    @EventSourcingHandler
    void on(TradeClosedEvent e) {
        applied(e);
        realizedPnl = e.realizedPnl();
    }

    @EventSourcingHandler
    void on(TradeExpiredEvent e) {
        applied(e);
        realizedPnl = e.realizedPnl();
    }

    @EventSourcingHandler
    void on(TradeAnnotatedEvent e) {
        applied(e);
    }

    @EventSourcingHandler
    void on(BrokerProblemReportedEvent e) {
        applied(e);
        brokerProblem = e.problem();
    }

    @EventSourcingHandler
    void on(BrokerProblemClearedEvent e) {
        applied(e);
        brokerProblem = null;
    }

    // ------------------------------------------------------------------------------- read access for tests

    TradeStatus status() {
        return status;
    }

    long version() {
        return version;
    }

    int filledQuantity() {
        return filledQuantity;
    }

    Money entryPrice() {
        return entryPrice;
    }

    Money realizedPnl() {
        return realizedPnl;
    }

    Money stopLoss() {
        return stopLoss;
    }

    Money takeProfit() {
        return takeProfit;
    }
}
