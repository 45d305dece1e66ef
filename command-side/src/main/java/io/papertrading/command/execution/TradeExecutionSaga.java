package io.papertrading.command.execution;

import io.papertrading.command.CommandNode;
import io.papertrading.broker.BrokerException;
import io.papertrading.broker.BrokerOrderRejectedException;
import io.papertrading.broker.BrokerOutcomeUnknownException;
import io.papertrading.broker.BrokerRateLimitException;
import io.papertrading.broker.BrokerUnavailableException;
import io.papertrading.broker.OcoRequest;
import io.papertrading.broker.OrderRequest;
import io.papertrading.broker.OrderSide;
import io.papertrading.broker.OrderState;
import io.papertrading.broker.OrderStatusReport;
import io.papertrading.broker.PlacedOrder;
import io.papertrading.broker.PriceType;
import io.papertrading.broker.Quote;
import io.papertrading.broker.TimeInForce;
import io.papertrading.kernel.instrument.OptionSymbol;
import io.papertrading.kernel.money.Money;
import io.papertrading.kernel.trade.Actor;
import io.papertrading.kernel.trade.CloseReason;
import io.papertrading.kernel.trade.OrderType;
import io.papertrading.kernel.trade.TradeId;
import io.papertrading.kernel.trade.TradeOrder;
import io.papertrading.kernel.trade.command.CancelTradeCommand;
import io.papertrading.kernel.trade.command.CloseTradeCommand;
import io.papertrading.kernel.trade.command.ExpireTradeCommand;
import io.papertrading.kernel.trade.command.RecordEntryFillCommand;
import io.papertrading.kernel.trade.command.RecordEntryOrderCommand;
import io.papertrading.kernel.trade.command.RecordExitOrderCommand;
import io.papertrading.kernel.trade.command.RecordPartialExitCommand;
import io.papertrading.kernel.trade.command.RejectExitCommand;
import io.papertrading.kernel.trade.command.RejectTradeCommand;
import io.papertrading.kernel.trade.event.BracketsChangedEvent;
import io.papertrading.kernel.trade.event.BrokerOrderObservedEvent;
import io.papertrading.kernel.trade.event.CloseRequestedEvent;
import io.papertrading.kernel.trade.event.ExitRejectedEvent;
import io.papertrading.kernel.trade.event.PositionReducedEvent;
import io.papertrading.kernel.trade.event.TradeCanceledEvent;
import io.papertrading.kernel.trade.event.TradeClosedEvent;
import io.papertrading.kernel.trade.event.TradeExpiredEvent;
import io.papertrading.kernel.trade.event.TradeOpenedEvent;
import io.papertrading.kernel.trade.event.TradePlacedEvent;
import io.papertrading.kernel.trade.event.TradeRejectedEvent;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.deadline.DeadlineManager;
import org.axonframework.deadline.annotation.DeadlineHandler;
import org.axonframework.modelling.saga.EndSaga;
import org.axonframework.modelling.saga.SagaEventHandler;
import org.axonframework.modelling.saga.StartSaga;
import org.axonframework.spring.stereotype.Saga;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;

/**
 * Takes one trade through the broker: places the entry order (tagged with the trade id), watches it until the
 * broker fills, rejects, cancels or expires it, hands the brackets to the broker as an OCO exit while the trade
 * is open, places and watches the exit order of a close request, and settles option trades at expiry.
 *
 * <p>Exactly one broker order is watched at a time ({@code watch*} fields): the entry order while the entry
 * works, the bracket order while the trade is open, the exit order while it closes. Every placement goes
 * through the same three steps: <em>reconcile</em> (look for the tag at the broker: a redelivered event, a lost
 * answer or a crash must never produce a second order), <em>send</em> only if the tag is absent, then
 * <em>follow</em>: the order is entered in {@link WatchedOrders}, and its account's {@link AccountOrderPoller}
 * reports it as a {@link BrokerOrderObservedEvent} when the watch starts and at each change, handled here on the
 * node that owns this saga. What each broker state means for the trade is decided in {@link #onEntryReport},
 * {@link #onBracketReport} and {@link #onExitReport}, side by side.
 *
 * <p>Persisted with Jackson: every stored field has a getter and a setter (STACK.md trap 4); services are
 * {@code @Autowired transient}. Deadlines go to the application's DeadlineManager (db-scheduler in PostgreSQL),
 * so a JVM killed mid-poll resumes polling on whichever node picks the deadline up.
 */
@CommandNode
@Saga
public class TradeExecutionSaga {

    /** Polls of an earlier version, still scheduled in an upgraded database: they start following the order. */
    static final String POLL = "execution-poll";
    static final String CONFIRM = "execution-confirm";
    static final String RECONCILE = "execution-reconcile";
    static final String EXPIRY = "execution-expiry";
    /** Options stop trading and settle at 16:00 New York time on their expiry date. */
    static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
    static final LocalTime EXPIRY_TIME = LocalTime.of(16, 0);
    /**
     * An order whose placement has an unknown outcome is waited for this many confirmation windows while the
     * broker cannot even be asked whether it exists; the trade then ends, saying so.
     */
    static final int UNKNOWN_PATIENCE = 10;

    private static final Logger log = LoggerFactory.getLogger(TradeExecutionSaga.class);

    /** Which order of the trade is being worked on. */
    public enum Phase { ENTRY, OPEN, EXIT, ENDED }

    /** Where the watched order's placement stands. */
    public enum Placement {
        /** Nothing to place. */
        NONE,
        /** Not sent (or certainly not received): reconcile by tag, then send if the broker has no such order. */
        TO_SEND,
        /** Sent without an answer (timeout): the order may exist; reconcile by tag only, never send again. */
        UNKNOWN,
        /** The broker gave the order an id. */
        SENT
    }

    @Autowired
    private transient CommandGateway commandGateway;
    @Autowired
    private transient DeadlineManager deadlineManager;
    @Autowired
    private transient BrokerResolver brokerResolver;
    @Autowired
    private transient OrderStatusBook orderStatusBook;
    @Autowired
    private transient ExecutionSettings settings;
    @Autowired
    private transient Clock clock;
    @Autowired
    private transient WatchedOrders watchedOrders;
    private transient BrokerAccount account;

    private String tradeId;
    private String username;
    private TradeOrder order;
    private Phase phase;
    private Money stopLoss;
    private Money takeProfit;
    /** Entry quantity filled as reported to the aggregate, and the position held once open. */
    private int filledQuantity;
    private int position;

    private String entryOrderId;
    private boolean entryWorking;
    private String bracketOrderId;
    private boolean bracketWorking;
    private String exitOrderId;
    private boolean exitWorking;
    private int bracketAttempts;
    private int exitAttempts;

    private String watchTag;
    private String watchOrderId;
    /** When the watched order was (last) sent: a list older than this cannot show it. */
    private Instant watchSentAt;
    private boolean watchAcknowledged;
    private Placement placement = Placement.NONE;
    private long pollDelayMillis;
    private long retryDelayMillis;
    /** Which watch is current: a sighting for an earlier one is old news (see {@link #on(BrokerOrderObservedEvent)}). */
    private long watchGeneration;
    /** A cancel of the bracket order was asked for; the exit or the new brackets wait for it to end. */
    private boolean bracketWithdrawing;
    private String confirmDeadlineId;
    private String reconcileDeadlineId;
    private String expiryDeadlineId;

    // ------------------------------------------------------------------------------------------------ events

    @StartSaga
    @SagaEventHandler(associationProperty = "tradeId")
    public void on(TradePlacedEvent e) {
        tradeId = e.tradeId().value();
        username = e.username();
        order = e.order();
        stopLoss = order.stopLoss();
        takeProfit = order.takeProfit();
        phase = Phase.ENTRY;
        if (order.instrument().isOption()) {
            // a delay from the injected clock rather than an absolute instant: the engine's notion of now decides
            expiryDeadlineId = deadlineManager.schedule(untilExpiry(order.instrument().optionSymbol()), EXPIRY);
        }
        // Notice the event time, not now: an order sent by an earlier delivery of this event is newer than it.
        startPlacement(tag(""), e.occurredAt());
    }

    @SagaEventHandler(associationProperty = "tradeId")
    public void on(TradeOpenedEvent e) {
        if (entryWorking) {
            // Opened with less than ordered (the user canceled the remainder): the remainder must not fill later.
            cancelAtBroker(entryOrderId);
            entryWorking = false;
        }
        phase = Phase.OPEN;
        filledQuantity = e.filledQuantity();
        position = e.filledQuantity();
        stopWatching();
        placeBrackets(e.occurredAt());
    }

    @SagaEventHandler(associationProperty = "tradeId")
    public void on(BracketsChangedEvent e) {
        stopLoss = e.stopLoss();
        takeProfit = e.takeProfit();
        if (phase == Phase.OPEN && withdrawBracket() == Withdrawal.DONE) {
            placeBrackets(e.occurredAt());
        } // WAITING: the new brackets go out once the old order has ended (see onBracketReport)
    }

    @SagaEventHandler(associationProperty = "tradeId")
    public void on(CloseRequestedEvent e) {
        if (phase == Phase.OPEN && position <= 0) {
            // A bracket leg sold the position before this request reached the saga (a poll handled first): the
            // close is under way with that fill; an exit now would sell what is no longer held.
            return;
        }
        Phase before = phase;
        phase = Phase.EXIT;
        if (before == Phase.ENTRY) {
            // Closing a partly filled trade: stop the rest of the entry, then exit what was filled.
            if (entryWorking) {
                cancelAtBroker(entryOrderId);
                entryWorking = false;
            }
            position = filledQuantity;
            stopWatching();
        }
        switch (withdrawBracket()) {
            case DONE -> placeExit(e.occurredAt());
            case UNKNOWN -> {
                refuseExitIfClosing("the bracket order could not be withdrawn (its state could not be read); "
                        + "it stays in place");
                resumeBracketWatch();
            }
            default -> { } // CLOSED: a bracket leg sold everything; WAITING: the exit follows the bracket's end
        }
    }

    private void placeExit(Instant notBefore) {
        stopWatching();
        exitAttempts++;
        startPlacement(tag("x" + exitAttempts), notBefore);
    }

    @SagaEventHandler(associationProperty = "tradeId")
    public void on(PositionReducedEvent e) {
        position = e.remainingQuantity();
    }

    @SagaEventHandler(associationProperty = "tradeId")
    public void on(ExitRejectedEvent e) {
        phase = Phase.OPEN;
        exitWorking = false;
        stopWatching();
        if (bracketWorking) {
            resumeBracketWatch(); // never withdrawn: keep following the order that is there, never add a second
        } else {
            placeBrackets(e.occurredAt()); // the brackets were withdrawn for the exit: re-arm them
        }
    }

    @EndSaga
    @SagaEventHandler(associationProperty = "tradeId")
    public void on(TradeClosedEvent e) {
        end();
    }

    @EndSaga
    @SagaEventHandler(associationProperty = "tradeId")
    public void on(TradeExpiredEvent e) {
        end();
    }

    @EndSaga
    @SagaEventHandler(associationProperty = "tradeId")
    public void on(TradeCanceledEvent e) {
        end();
    }

    @EndSaga
    @SagaEventHandler(associationProperty = "tradeId")
    public void on(TradeRejectedEvent e) {
        end();
    }

    // --------------------------------------------------------------------------------------------- deadlines

    /**
     * The account's poller saw the watched order: first when the watch started, then at each change. A sighting
     * for a watch this saga has left (the order ended, another order is followed now, the trade ended) changes
     * nothing; a repeated one (a new poller reports every watch once) is news already acted on.
     */
    @SagaEventHandler(associationProperty = "tradeId")
    public void on(BrokerOrderObservedEvent e) {
        if (phase == Phase.ENDED || e.watch() != watchGeneration || !e.orderId().equals(watchOrderId)) {
            return;
        }
        acknowledge();
        onReport(report(e));
    }

    /** A poll an earlier version scheduled (an upgraded database): follow the order the new way instead. */
    @DeadlineHandler(deadlineName = POLL)
    public void onLegacyPoll() {
        if (phase != Phase.ENDED && watchOrderId != null && placement == Placement.SENT) {
            follow();
        }
    }

    /** Looks for the watched order by its tag; sends it when it is certainly absent and was never sent. */
    @DeadlineHandler(deadlineName = RECONCILE)
    public void onReconcile() {
        reconcileDeadlineId = null;
        if (phase != Phase.ENDED) {
            reconcile();
        }
    }

    /**
     * The watched order had its time to show up at the broker. A last look by tag in the broker's full history
     * adopts it if it is there; otherwise the step ends with a reason that says what is known: never acknowledged
     * (canceled at the broker), never sent, or sent with an unknown outcome and nowhere to be found (never resent).
     */
    @DeadlineHandler(deadlineName = CONFIRM)
    public void onConfirmationDue() {
        confirmDeadlineId = null;
        if (bracketWithdrawing) {
            withdrawalTimedOut();
            return;
        }
        if (phase == Phase.ENDED || watchTag == null || watchAcknowledged || placement == Placement.NONE) {
            return;
        }
        boolean looked = true;
        try {
            Optional<OrderStatusReport> found = account().provider().findOrderByTag(watchTag);
            if (found.isPresent()) {
                adopt(found.get());
                return;
            }
        } catch (RuntimeException ex) {
            looked = false;
            log.info("trade {}: last look for order {} failed: {}", tradeId, watchTag, ex.getMessage());
        }
        if (!looked && placement == Placement.UNKNOWN
                && now().isBefore(watchSentAt.plus(settings.confirmationTimeout().multipliedBy(UNKNOWN_PATIENCE)))) {
            // The order may exist and the broker cannot be asked: ending now could leave it working unwatched.
            confirmDeadlineId = deadlineManager.schedule(nextRetryDelay(), CONFIRM);
            return;
        }
        if (watchOrderId != null) {
            cancelAtBroker(watchOrderId); // never acknowledged: it must not fill behind the trade's back
        }
        String detail = unconfirmedDetail(looked);
        if (placement == Placement.UNKNOWN) {
            log.error("trade {}: placement of order {} has an unknown outcome and the order was not found; "
                    + "the step ends without resending it", tradeId, watchTag);
        }
        Phase watched = phase;
        stopWatching();
        switch (watched) {
            case ENTRY -> {
                entryWorking = false;
                send(new CancelTradeCommand(id(), CloseReason.TIMEOUT, detail, Actor.Engine.SAGA, null));
            }
            case EXIT -> {
                exitWorking = false;
                send(new RejectExitCommand(id(), detail));
            }
            case OPEN -> {
                bracketWorking = false;
                log.warn("trade {}: bracket order not confirmed; the brackets stay with the price monitor", tradeId);
            }
            default -> { }
        }
    }

    /** What a trader reads on the trade when its order never showed up at the broker. */
    private String unconfirmedDetail(boolean looked) {
        long seconds = settings.confirmationTimeout().toSeconds();
        return switch (placement) {
            case TO_SEND -> "the broker could not take the order within " + seconds
                    + " s (unavailable or rate limited); nothing was placed";
            case UNKNOWN -> (looked
                    ? "the broker did not say whether it took the order, and no order tagged " + watchTag
                            + " appeared within " + seconds + " s"
                    : "the broker did not say whether it took the order, and could not be asked within " + seconds
                            + " s; check for an order tagged " + watchTag)
                    + "; it was not sent again";
            default -> "the broker did not confirm the order within " + seconds + " s";
        };
    }

    /** 16:00 New York on the contract's expiry date: settle whatever is still live. */
    @DeadlineHandler(deadlineName = EXPIRY)
    public void onExpiry() {
        expiryDeadlineId = null;
        if (phase != Phase.ENDED) {
            expireTrade();
        }
    }

    // ------------------------------------------------------------------- broker state → trade (in one place)

    private void onReport(OrderStatusReport report) {
        if (bracketWithdrawing) { // the watched order is the bracket being taken off, whatever the phase
            onWithdrawnBracketReport(report);
            return;
        }
        switch (phase) {
            case ENTRY -> onEntryReport(report);
            case OPEN -> onBracketReport(report);
            case EXIT -> onExitReport(report);
            default -> { }
        }
    }

    private void onEntryReport(OrderStatusReport r) {
        int filled = quantity(r.execQuantity());
        Money price = fillPrice(r);
        switch (r.state()) {
            case FILLED -> {
                entryWorking = false;
                stopWatching();
                // The aggregate opens the trade; TradeOpenedEvent moves this saga on.
                recordEntryFill(Math.max(filled, order.quantity()), price);
            }
            case PARTIALLY_FILLED -> recordEntryFill(filled, price);
            case REJECTED, ERROR -> {
                entryWorking = false;
                stopWatching();
                recordEntryFill(filled, price); // what did fill is a position: the aggregate opens with it
                send(new RejectTradeCommand(id(), reason(r, "rejected by the broker")));
            }
            case CANCELED -> {
                entryWorking = false;
                stopWatching();
                recordEntryFill(filled, price);
                send(new CancelTradeCommand(id(), CloseReason.CANCELED,
                        "canceled by the broker" + (r.reasonDescription() == null ? "" : ": " + r.reasonDescription()),
                        Actor.Engine.SAGA, null));
            }
            case EXPIRED -> {
                entryWorking = false;
                stopWatching();
                recordEntryFill(filled, price);
                if (contractExpired()) {
                    expireTrade(); // the order died with its option contract
                } else {
                    send(new CancelTradeCommand(id(), CloseReason.CANCELED, "order expired", Actor.Engine.SAGA, null));
                }
            }
            // Accepted and working (a resting limit), or a state we do not know: the poller reports the next change.
            default -> { }
        }
    }

    private void onBracketReport(OrderStatusReport r) {
        switch (r.state()) {
            case FILLED -> {
                bracketWorking = false;
                stopWatching();
                closeWithBracketFill(r);
            }
            case CANCELED, REJECTED, EXPIRED, ERROR -> {
                bracketWorking = false;
                stopWatching();
                recordPartialExit(r, "bracket order " + r.state().name().toLowerCase());
                log.warn("trade {}: bracket order {} ended {} ({}); the brackets stay with the price monitor",
                        tradeId, r.orderId(), r.state(), r.reasonDescription());
            }
            // Working, or a leg filling in parts (the trade closes in one go once it is done).
            default -> { }
        }
    }

    private void onExitReport(OrderStatusReport r) {
        switch (r.state()) {
            case FILLED -> {
                exitWorking = false;
                stopWatching();
                send(new CloseTradeCommand(id(), fillPrice(r), null));
            }
            case REJECTED, ERROR, CANCELED, EXPIRED -> {
                exitWorking = false;
                stopWatching();
                String ended = "exit order " + r.state().name().toLowerCase();
                if (filledOf(r) >= position) { // every share sold before the order ended: that is a close
                    send(new CloseTradeCommand(id(), fillPrice(r), null));
                    return;
                }
                recordPartialExit(r, ended);
                send(new RejectExitCommand(id(), reason(r, ended)));
            }
            default -> { }
        }
    }

    // ------------------------------------------------------------------------------------------- placement

    /** Starts placing a new watched order: reconcile first (never two orders for one tag), then send. */
    private void startPlacement(String tag, Instant notBefore) {
        watchTag = tag;
        watchOrderId = null;
        watchAcknowledged = false;
        watchSentAt = notBefore;
        placement = Placement.TO_SEND;
        pollDelayMillis = 0;
        retryDelayMillis = 0;
        confirmDeadlineId = deadlineManager.schedule(settings.confirmationTimeout(), CONFIRM);
        reconcile();
    }

    private void reconcile() {
        if (placement != Placement.TO_SEND && placement != Placement.UNKNOWN) {
            return;
        }
        OrderStatusBook.Lookup lookup;
        try {
            lookup = placement == Placement.UNKNOWN ? orderStatusBook.inHistory(account(), watchTag)
                    : orderStatusBook.byTag(account(), watchTag, watchSentAt);
        } catch (BrokerRateLimitException | BrokerUnavailableException | BrokerOutcomeUnknownException ex) {
            log.info("trade {}: reconciling {} deferred: {}", tradeId, watchTag, ex.getMessage());
            scheduleReconcile(nextRetryDelay());
            return;
        } catch (RuntimeException ex) {
            if (placement == Placement.UNKNOWN) { // the order may exist: keep looking until the confirmation deadline
                log.warn("trade {}: reconciling {} failed: {}", tradeId, watchTag, ex.getMessage());
                scheduleReconcile(nextRetryDelay());
            } else { // no usable broker (e.g. credentials): the order cannot be placed
                placementRefused(ex.getMessage());
            }
            return;
        }
        switch (lookup.found()) {
            case STALE -> scheduleReconcile(settings.snapshotTick());
            case FOUND -> adopt(lookup.report());
            case ABSENT -> {
                if (placement == Placement.TO_SEND) {
                    sendOrder();
                } else {
                    // Sent without an answer and not listed (yet): never resend; the confirmation deadline ends the wait.
                    scheduleReconcile(nextPollDelay());
                }
            }
        }
    }

    private void sendOrder() {
        watchSentAt = now();
        try {
            BrokerAccount broker = account();
            PlacedOrder placed = switch (phase) {
                case ENTRY -> broker.provider().placeOrder(entryRequest());
                case EXIT -> broker.provider().placeOrder(OrderRequest.market(watchTag, order.instrument(),
                        OrderSide.closing(order.side()), position));
                case OPEN -> placeBracket(broker);
                case ENDED -> null;
            };
            if (placed == null) {
                return;
            }
            placement = Placement.SENT;
            recordOrderId(placed.orderId());
            follow();
        } catch (BrokerOrderRejectedException ex) { // includes insufficient funds
            placementRefused(ex.getMessage());
        } catch (BrokerOutcomeUnknownException ex) {
            // The order may exist: a resend could double it. Reconcile by tag until the confirmation deadline.
            log.warn("trade {}: placing {} has an unknown outcome ({}); reconciling by tag", tradeId, watchTag,
                    ex.getMessage());
            placement = Placement.UNKNOWN;
            scheduleReconcile(firstPoll());
        } catch (BrokerRateLimitException | BrokerUnavailableException ex) {
            // Certainly not placed (refused before anything was sent): check the tag again, then send.
            log.info("trade {}: placing {} deferred: {}", tradeId, watchTag, ex.getMessage());
            placement = Placement.TO_SEND;
            scheduleReconcile(nextRetryDelay());
        } catch (RuntimeException ex) {
            placementRefused(ex.getMessage());
        }
    }

    private OrderRequest entryRequest() {
        OrderSide side = OrderSide.opening(order.side());
        return order.orderType() == OrderType.LIMIT
                ? OrderRequest.limit(watchTag, order.instrument(), side, order.quantity(), order.limitPrice(), TimeInForce.DAY)
                : OrderRequest.market(watchTag, order.instrument(), side, order.quantity());
    }

    /** Both brackets: an OCO; one: a single stop or limit order. Good until canceled. */
    private PlacedOrder placeBracket(BrokerAccount broker) {
        OrderSide side = OrderSide.closing(order.side());
        if (stopLoss != null && takeProfit != null) {
            return broker.provider().placeOco(new OcoRequest(watchTag, order.instrument(), side, position, takeProfit,
                    stopLoss, TimeInForce.GTC));
        }
        return broker.provider().placeOrder(stopLoss != null
                ? OrderRequest.stop(watchTag, order.instrument(), side, position, stopLoss, TimeInForce.GTC)
                : OrderRequest.limit(watchTag, order.instrument(), side, position, takeProfit, TimeInForce.GTC));
    }

    /** The broker knows the order under this id: record it (once) on the trade. */
    private void recordOrderId(String orderId) {
        watchOrderId = orderId;
        switch (phase) {
            case ENTRY -> {
                entryOrderId = orderId;
                entryWorking = true;
                send(new RecordEntryOrderCommand(id(), account().brokerName(), orderId));
            }
            case EXIT -> {
                exitOrderId = orderId;
                exitWorking = true;
                send(new RecordExitOrderCommand(id(), orderId));
            }
            case OPEN -> {
                bracketOrderId = orderId;
                bracketWorking = true;
            }
            default -> { }
        }
    }

    /** Reconciliation found the order at the broker: continue with it as if its placement had answered. */
    private void adopt(OrderStatusReport report) {
        log.info("trade {}: order {} found at the broker by tag {}", tradeId, report.orderId(), watchTag);
        placement = Placement.SENT;
        recordOrderId(report.orderId());
        follow();
        acknowledge();
        onReport(report);
    }

    private void placementRefused(String reason) {
        Phase refused = phase;
        stopWatching();
        switch (refused) {
            case ENTRY -> send(new RejectTradeCommand(id(), reason == null ? "refused by the broker" : reason));
            case EXIT -> send(new RejectExitCommand(id(), reason == null ? "refused by the broker" : reason));
            case OPEN -> log.warn("trade {}: bracket order refused ({}); the brackets stay with the price monitor",
                    tradeId, reason);
            default -> { }
        }
    }

    private void placeBrackets(Instant notBefore) {
        if (stopLoss == null && takeProfit == null) {
            return;
        }
        try {
            if (!account().supportsOco()) {
                return; // the price monitor requests the close when a bracket is crossed
            }
        } catch (RuntimeException ex) {
            log.warn("trade {}: no broker for the brackets: {}", tradeId, ex.getMessage());
            return;
        }
        bracketAttempts++;
        startPlacement(tag("b" + bracketAttempts), notBefore);
    }

    /** How taking the bracket order off the broker went. */
    enum Withdrawal {
        /** No bracket order works any more (what it sold is recorded): go on. */
        DONE,
        /** A leg sold the whole position: the trade closes with it. */
        CLOSED,
        /** The cancel was asked for and the order still works: followed until it ends, then the next step. */
        WAITING,
        /** Whether it still works could not be read: it stays in place and is followed as before. */
        UNKNOWN
    }

    /**
     * Takes the bracket order off the broker before an exit or new brackets: cancels it and reads its final state,
     * so what a leg sold meanwhile is recorded (or closes the trade) and never sold a second time. A bracket whose
     * placement has an unknown outcome is looked up by its tag first: it may exist.
     */
    private Withdrawal withdrawBracket() {
        if (phase != Phase.ENTRY && watchTag != null && !bracketWorking && isBracketTag(watchTag)) {
            if (placement == Placement.UNKNOWN) {
                Optional<OrderStatusReport> found;
                try {
                    found = account().provider().findOrderByTag(watchTag);
                } catch (BrokerException ex) {
                    log.warn("trade {}: bracket {} may exist and could not be looked up: {}", tradeId, watchTag,
                            ex.getMessage());
                    return Withdrawal.UNKNOWN;
                }
                found.ifPresent(o -> {
                    bracketOrderId = o.orderId();
                    bracketWorking = true;
                });
            }
            stopWatching(); // TO_SEND: certainly never sent
        }
        if (!bracketWorking || bracketOrderId == null) {
            return Withdrawal.DONE;
        }
        try {
            account().provider().cancelOrder(bracketOrderId);
        } catch (BrokerException ex) {
            // already ended (filled, canceled), or the broker is away: its state says which
            log.info("trade {}: cancel of bracket {} failed: {}", tradeId, bracketOrderId, ex.getMessage());
        }
        OrderStatusReport last;
        try {
            last = account().provider().getOrder(bracketOrderId);
        } catch (BrokerException ex) {
            log.warn("trade {}: bracket {}: state unreadable after the cancel: {}", tradeId, bracketOrderId,
                    ex.getMessage());
            return Withdrawal.UNKNOWN;
        }
        if (!last.state().isTerminal()) {
            bracketWithdrawing = true;
            resumeBracketWatch();
            // a cancel the broker never completes must not hold the exit for ever
            confirmDeadlineId = deadlineManager.schedule(settings.confirmationTimeout(), CONFIRM);
            return Withdrawal.WAITING;
        }
        return endedBracket(last) ? Withdrawal.CLOSED : Withdrawal.DONE;
    }

    /**
     * The broker took the bracket's cancel but never completed it within the confirmation window: the bracket
     * stays in place and watched; an exit that waited for it is refused with the reason (new brackets are not
     * placed over it).
     */
    private void withdrawalTimedOut() {
        bracketWithdrawing = false;
        String reason = "the bracket order was not canceled at the broker within "
                + settings.confirmationTimeout().toSeconds() + " s; it stays in place";
        log.warn("trade {}: {}", tradeId, reason);
        refuseExitIfClosing(reason);
        if (phase != Phase.EXIT) {
            resumeBracketWatch();
        }
    }

    /** The bracket being withdrawn reported: once it has ended, the step that waited for it goes on. */
    private void onWithdrawnBracketReport(OrderStatusReport r) {
        if (!r.state().isTerminal()) {
            return;
        }
        bracketWithdrawing = false;
        cancelQuietly(CONFIRM, confirmDeadlineId);
        confirmDeadlineId = null;
        if (endedBracket(r)) {
            return;
        }
        if (phase == Phase.EXIT) {
            placeExit(now());
        } else {
            stopWatching();
            placeBrackets(now());
        }
    }

    /** A bracket order ended: true when its fill closed the trade, else what it sold is recorded. */
    private boolean endedBracket(OrderStatusReport last) {
        bracketWorking = false;
        stopWatching();
        if (last.state() == OrderState.FILLED || filledOf(last) >= position) {
            closeWithBracketFill(last);
            return true;
        }
        recordPartialExit(last, "bracket order " + last.state().name().toLowerCase());
        return false;
    }

    /** Follows the bracket order that is at the broker again (after a refused exit or while it is withdrawn). */
    private void resumeBracketWatch() {
        cancelQuietly(RECONCILE, reconcileDeadlineId);
        cancelQuietly(CONFIRM, confirmDeadlineId);
        reconcileDeadlineId = confirmDeadlineId = null;
        watchTag = tag("b" + bracketAttempts);
        watchOrderId = bracketOrderId;
        watchAcknowledged = true;
        watchSentAt = now();
        placement = Placement.SENT;
        pollDelayMillis = 0;
        follow();
    }

    private boolean isBracketTag(String tag) {
        return tag.startsWith(tag("b"));
    }

    /** How much of the position an exit or bracket order sold: its own fill, or its legs' for an OCO. */
    private static int filledOf(OrderStatusReport r) {
        int legs = r.legs().stream().mapToInt(l -> quantity(l.execQuantity())).sum();
        return Math.max(legs, quantity(r.execQuantity()));
    }

    /** An exit or bracket order that ended having sold part of the position: that part is gone. */
    private void recordPartialExit(OrderStatusReport r, String ended) {
        int sold = filledOf(r);
        if (sold <= 0 || sold >= position) {
            return;
        }
        OrderStatusReport leg = r.legs().stream().filter(l -> quantity(l.execQuantity()) > 0).findFirst().orElse(r);
        Money price = fillPrice(leg, r);
        if (price == null) {
            log.error("trade {}: order {} sold {} of {} without a fill price; the position at the broker differs",
                    tradeId, r.orderId(), sold, position);
            return;
        }
        send(new RecordPartialExitCommand(id(), sold, price, ended + " after filling " + sold + " of " + position));
        position -= sold;
    }

    private void refuseExitIfClosing(String reason) {
        if (phase == Phase.EXIT) {
            send(new RejectExitCommand(id(), reason));
        }
    }

    /** A bracket leg filled: the trade closes at its price, as a stop loss or a take profit. */
    private void closeWithBracketFill(OrderStatusReport r) {
        OrderStatusReport leg = r.legs().stream().filter(l -> l.state() == OrderState.FILLED).findFirst().orElse(r);
        CloseReason reason = leg.type() == PriceType.STOP ? CloseReason.STOP_LOSS : CloseReason.TAKE_PROFIT;
        Money price = fillPrice(leg, r);
        position = 0; // sold at the broker: nothing is left for an exit, whatever arrives before TradeClosed
        send(new CloseTradeCommand(id(), price, reason));
    }

    // -------------------------------------------------------------------------------------------- expiry

    private void expireTrade() {
        Money underlying;
        try {
            underlying = underlyingPrice();
        } catch (BrokerException ex) {
            log.info("trade {}: expiry waits for a quote: {}", tradeId, ex.getMessage());
            underlying = null;
        }
        if (underlying == null) {
            cancelQuietly(EXPIRY, expiryDeadlineId);
            expiryDeadlineId = deadlineManager.schedule(nextRetryDelay(), EXPIRY);
            return;
        }
        // Whatever still works at the broker dies with the contract.
        if (entryWorking) {
            cancelAtBroker(entryOrderId);
            entryWorking = false;
        }
        if (bracketWorking) {
            cancelAtBroker(bracketOrderId);
            bracketWorking = false;
        }
        if (exitWorking) {
            cancelAtBroker(exitOrderId);
            exitWorking = false;
        }
        stopWatching();
        cancelQuietly(EXPIRY, expiryDeadlineId); // settled once, whichever came first: the broker's report or 16:00
        expiryDeadlineId = null;
        send(new ExpireTradeCommand(id(), underlying));
    }

    private Money underlyingPrice() {
        List<Quote> quotes = account().provider().getQuotes(List.of(order.instrument().symbol()));
        return quotes.stream().map(q -> q.mark() != null ? q.mark() : q.last()).filter(p -> p != null)
                .findFirst().orElse(null);
    }

    /**
     * An order that expires on (or after) its contract's expiry date died with the contract: a day order cannot
     * outlive it, and brokers report the expiry at their own moment around the close, not at our 16:00 instant.
     */
    private boolean contractExpired() {
        return order.instrument().isOption()
                && !now().atZone(NEW_YORK).toLocalDate().isBefore(order.instrument().optionSymbol().expiry());
    }

    static Instant expiryInstant(OptionSymbol contract) {
        return contract.expiry().atTime(EXPIRY_TIME).atZone(NEW_YORK).toInstant();
    }

    // ------------------------------------------------------------------------------------------------ end

    private void end() {
        phase = Phase.ENDED;
        if (entryWorking) { // canceled by the user while the entry order works
            cancelAtBroker(entryOrderId);
        } else if (entryOrderId == null && (placement == Placement.UNKNOWN || placement == Placement.TO_SEND)
                && watchTag != null) {
            cancelByTag(watchTag); // an entry whose placement never answered may still exist
        }
        if (bracketWorking) {
            cancelAtBroker(bracketOrderId);
        }
        if (exitWorking) {
            cancelAtBroker(exitOrderId);
        }
        entryWorking = bracketWorking = exitWorking = false;
        stopWatching();
        cancelQuietly(EXPIRY, expiryDeadlineId);
        expiryDeadlineId = null;
        sweepStrayOrders();
    }

    /**
     * Cancels any order of this trade (by its tags) still working at the broker that the saga does not know of:
     * a bracket or exit placed by a step whose saga write then lost a race with another node. One list request,
     * only for trades that ever placed a bracket or an exit.
     */
    private void sweepStrayOrders() {
        if (bracketAttempts == 0 && exitAttempts == 0) {
            return;
        }
        String prefix = tag("");
        try {
            for (OrderStatusReport o : account().provider().listOrders()) {
                if (o.tag() != null && o.tag().startsWith(prefix + "-") && o.state().isWorking()
                        && !o.orderId().equals(bracketOrderId) && !o.orderId().equals(exitOrderId)) {
                    log.warn("trade {}: order {} ({}) still worked at the broker after the trade ended; canceling it",
                            tradeId, o.orderId(), o.tag());
                    cancelAtBroker(o.orderId());
                }
            }
        } catch (RuntimeException ex) {
            log.warn("trade {}: could not look for stray orders: {}", tradeId, ex.getMessage());
        }
    }

    private void cancelByTag(String tag) {
        try {
            Optional<OrderStatusReport> found = account().provider().findOrderByTag(tag);
            found.filter(o -> o.state().isWorking()).ifPresent(o -> cancelAtBroker(o.orderId()));
        } catch (RuntimeException ex) {
            log.warn("trade {}: could not look for order {} to cancel it: {}", tradeId, tag, ex.getMessage());
        }
    }

    // -------------------------------------------------------------------------------------------- helpers

    /** Stops watching the current order: no more sightings, reconciliations or confirmation for it. */
    private void stopWatching() {
        cancelQuietly(RECONCILE, reconcileDeadlineId);
        cancelQuietly(CONFIRM, confirmDeadlineId);
        reconcileDeadlineId = confirmDeadlineId = null;
        if (watchOrderId != null) {
            watchedOrders.unwatch(tradeId);
        }
        watchGeneration++; // a sighting already on its way is old news
        watchTag = null;
        watchOrderId = null;
        watchAcknowledged = false;
        placement = Placement.NONE;
    }

    /** The broker has shown the order: the confirmation deadline is moot. */
    private void acknowledge() {
        if (!watchAcknowledged) {
            watchAcknowledged = true;
            cancelQuietly(CONFIRM, confirmDeadlineId);
            confirmDeadlineId = null;
        }
    }

    private boolean recordEntryFill(int filled, Money averagePrice) {
        if (filled <= filledQuantity || averagePrice == null) {
            return false;
        }
        filledQuantity = filled;
        send(new RecordEntryFillCommand(id(), filled, averagePrice));
        return true;
    }

    private void cancelAtBroker(String orderId) {
        if (orderId == null) {
            return;
        }
        try {
            account().provider().cancelOrder(orderId);
        } catch (RuntimeException ex) {
            // Already done (filled, canceled) or the broker is away: nothing more to do here, but say so.
            log.warn("trade {}: cancel of order {} failed: {}", tradeId, orderId, ex.getMessage());
        }
    }

    /**
     * Has the account's poller follow the watched order, as a new watch: its first sighting is reported even if
     * the order looks as it did under an earlier watch.
     */
    private void follow() {
        watchGeneration++;
        watchedOrders.watch(new OrderWatch(tradeId, username, account().accountKey(), watchOrderId, watchGeneration,
                watchSentAt));
    }

    private void scheduleReconcile(Duration delay) {
        cancelQuietly(RECONCILE, reconcileDeadlineId);
        reconcileDeadlineId = deadlineManager.schedule(delay, RECONCILE);
    }

    private void cancelQuietly(String name, String id) {
        if (id == null) {
            return;
        }
        try {
            deadlineManager.cancelSchedule(name, id);
        } catch (RuntimeException ex) {
            // db-scheduler refuses to cancel an execution that is running right now; it ends by itself.
            log.debug("trade {}: deadline {} {} not canceled: {}", tradeId, name, id, ex.getMessage());
        }
    }

    private Duration firstPoll() {
        pollDelayMillis = settings.firstPoll().toMillis();
        return settings.firstPoll();
    }

    /** The next, slower poll: ×factor up to a ceiling that is higher once the broker acknowledged the order. */
    private Duration nextPollDelay() {
        long ceiling = (watchAcknowledged ? settings.maxWorkingPoll() : settings.maxUnconfirmedPoll()).toMillis();
        long next = pollDelayMillis <= 0 ? settings.firstPoll().toMillis()
                : Math.round(pollDelayMillis * settings.backoffFactor());
        pollDelayMillis = Math.min(Math.max(next, settings.firstPoll().toMillis()), ceiling);
        return Duration.ofMillis(pollDelayMillis);
    }

    /** Back-off after broker trouble: doubling from the first poll delay, up to its ceiling. */
    private Duration nextRetryDelay() {
        long next = retryDelayMillis <= 0 ? settings.firstPoll().toMillis() : retryDelayMillis * 2;
        retryDelayMillis = Math.min(next, settings.maxBrokerBackoff().toMillis());
        return Duration.ofMillis(retryDelayMillis);
    }

    private void send(Object command) {
        try {
            commandGateway.sendAndWait(command);
        } catch (RuntimeException ex) {
            // The trade moved on meanwhile (e.g. the user canceled it): the aggregate is the judge.
            log.warn("trade {}: {} refused: {}", tradeId, command.getClass().getSimpleName(), ex.getMessage());
        }
    }

    private BrokerAccount account() {
        if (account == null) {
            account = brokerResolver.resolve(username);
        }
        return account;
    }

    private TradeId id() {
        return new TradeId(tradeId);
    }

    private Instant now() {
        return clock.instant();
    }

    private Duration untilExpiry(OptionSymbol contract) {
        Duration left = Duration.between(now(), expiryInstant(contract));
        return left.isNegative() ? Duration.ZERO : left;
    }

    /** Brokers such as Tradier accept letters, digits and '-' in a tag. */
    private String tag(String suffix) {
        String base = tradeId.replaceAll("[^A-Za-z0-9-]", "-");
        return suffix.isEmpty() ? base : base + "-" + suffix;
    }

    private static int quantity(BigDecimal value) {
        return value == null ? 0 : value.intValue();
    }

    /** A sighting as the broker's report it was made from (the fields this saga decides on). */
    private static OrderStatusReport report(BrokerOrderObservedEvent e) {
        List<OrderStatusReport> legs = e.legs().stream()
                .map(l -> new OrderStatusReport(l.orderId(), OrderState.valueOf(l.state()), null, null, null,
                        l.type() == null ? null : PriceType.valueOf(l.type()), null, l.filledQuantity(), null,
                        l.avgFillPrice(), l.lastFillPrice(), null, null, null, List.of()))
                .toList();
        return new OrderStatusReport(e.orderId(), OrderState.valueOf(e.state()), null, null, null, null, null,
                e.filledQuantity(), null, e.avgFillPrice(), e.lastFillPrice(), null, e.reason(), null, legs);
    }

    private static Money fillPrice(OrderStatusReport r) {
        return r.avgFillPrice() != null ? r.avgFillPrice() : r.lastFillPrice();
    }

    /** The price a leg of an OCO filled at, or the group's when the leg carries none. */
    private static Money fillPrice(OrderStatusReport leg, OrderStatusReport group) {
        return fillPrice(leg) != null ? fillPrice(leg) : fillPrice(group);
    }

    private static String reason(OrderStatusReport r, String fallback) {
        return r.reasonDescription() == null || r.reasonDescription().isBlank() ? fallback : r.reasonDescription();
    }

    // ------------------------------------------------------------- bean accessors for the Jackson saga store

    public String getTradeId() { return tradeId; }
    public void setTradeId(String v) { tradeId = v; }
    public String getUsername() { return username; }
    public void setUsername(String v) { username = v; }
    public TradeOrder getOrder() { return order; }
    public void setOrder(TradeOrder v) { order = v; }
    public Phase getPhase() { return phase; }
    public void setPhase(Phase v) { phase = v; }
    public Money getStopLoss() { return stopLoss; }
    public void setStopLoss(Money v) { stopLoss = v; }
    public Money getTakeProfit() { return takeProfit; }
    public void setTakeProfit(Money v) { takeProfit = v; }
    public int getFilledQuantity() { return filledQuantity; }
    public void setFilledQuantity(int v) { filledQuantity = v; }
    public int getPosition() { return position; }
    public void setPosition(int v) { position = v; }
    public String getEntryOrderId() { return entryOrderId; }
    public void setEntryOrderId(String v) { entryOrderId = v; }
    public boolean isEntryWorking() { return entryWorking; }
    public void setEntryWorking(boolean v) { entryWorking = v; }
    public String getBracketOrderId() { return bracketOrderId; }
    public void setBracketOrderId(String v) { bracketOrderId = v; }
    public boolean isBracketWorking() { return bracketWorking; }
    public void setBracketWorking(boolean v) { bracketWorking = v; }
    public String getExitOrderId() { return exitOrderId; }
    public void setExitOrderId(String v) { exitOrderId = v; }
    public boolean isExitWorking() { return exitWorking; }
    public void setExitWorking(boolean v) { exitWorking = v; }
    public int getBracketAttempts() { return bracketAttempts; }
    public void setBracketAttempts(int v) { bracketAttempts = v; }
    public int getExitAttempts() { return exitAttempts; }
    public void setExitAttempts(int v) { exitAttempts = v; }
    public String getWatchTag() { return watchTag; }
    public void setWatchTag(String v) { watchTag = v; }
    public String getWatchOrderId() { return watchOrderId; }
    public void setWatchOrderId(String v) { watchOrderId = v; }
    public Instant getWatchSentAt() { return watchSentAt; }
    public void setWatchSentAt(Instant v) { watchSentAt = v; }
    public boolean isWatchAcknowledged() { return watchAcknowledged; }
    public void setWatchAcknowledged(boolean v) { watchAcknowledged = v; }
    public Placement getPlacement() { return placement; }
    public void setPlacement(Placement v) { placement = v; }
    public long getPollDelayMillis() { return pollDelayMillis; }
    public void setPollDelayMillis(long v) { pollDelayMillis = v; }
    public long getRetryDelayMillis() { return retryDelayMillis; }
    public void setRetryDelayMillis(long v) { retryDelayMillis = v; }
    public long getWatchGeneration() { return watchGeneration; }
    public void setWatchGeneration(long v) { watchGeneration = v; }
    public boolean isBracketWithdrawing() { return bracketWithdrawing; }
    public void setBracketWithdrawing(boolean v) { bracketWithdrawing = v; }
    public String getConfirmDeadlineId() { return confirmDeadlineId; }
    public void setConfirmDeadlineId(String v) { confirmDeadlineId = v; }
    public String getReconcileDeadlineId() { return reconcileDeadlineId; }
    public void setReconcileDeadlineId(String v) { reconcileDeadlineId = v; }
    public String getExpiryDeadlineId() { return expiryDeadlineId; }
    public void setExpiryDeadlineId(String v) { expiryDeadlineId = v; }
}
