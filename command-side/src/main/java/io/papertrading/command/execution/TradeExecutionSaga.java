package io.papertrading.command.execution;

import io.papertrading.command.CommandNode;
import io.papertrading.broker.BrokerException;
import io.papertrading.broker.OcoRequest;
import io.papertrading.broker.OrderRequest;
import io.papertrading.broker.OrderSide;
import io.papertrading.broker.OrderState;
import io.papertrading.broker.OrderStatusReport;
import io.papertrading.broker.PriceType;
import io.papertrading.broker.Quote;
import io.papertrading.broker.TimeInForce;
import io.papertrading.kernel.instrument.OptionSymbol;
import io.papertrading.kernel.money.Money;
import io.papertrading.kernel.trade.Actor;
import io.papertrading.kernel.trade.CloseReason;
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
import io.papertrading.kernel.trade.event.BrokerOrderReportedEvent;
import io.papertrading.kernel.trade.event.CancelRequestedEvent;
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
import org.axonframework.messaging.annotation.MetaDataValue;
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

/**
 * Decides what a trade does at its broker, and what the broker's news means for the trade: places the entry
 * order, hands the brackets to the broker as an OCO exit while the trade is open, places the exit order of a
 * close request, and settles option trades at expiry.
 *
 * <p>It never calls the broker to place, follow or cancel an order. It asks the {@link OrderDesk} for order legs
 * ({@link DeskOrders}, in this saga's own unit of work: a step rolled back asks for nothing) and hears back
 * through {@link BrokerOrderReportedEvent}s, handled on the node that owns this saga, so broker news and a user's
 * command never race. The desk sends each leg once (tagged with the trade id), follows it, cancels it when
 * withdrawn. What each report means for the trade is decided in {@link #onEntryReport}, {@link #onBracketReport}
 * and {@link #onExitReport}, side by side. A trade has at most one live leg of each kind.
 *
 * <p>Persisted with Jackson: every stored field has a getter and a setter (STACK.md trap 4); services are
 * {@code @Autowired transient}. Its deadlines (expiry, a bracket withdrawal that takes too long) go to the
 * application's DeadlineManager (db-scheduler in PostgreSQL).
 */
@CommandNode
@Saga
public class TradeExecutionSaga {

    static final String EXPIRY = "execution-expiry";
    /** A bracket whose cancel the broker never completes must not hold an exit or new brackets for ever. */
    static final String WITHDRAWAL = "execution-withdrawal";
    /** Deadlines of an earlier version, still scheduled in an upgraded database: they hand the leg to the desk. */
    static final String POLL = "execution-poll";
    static final String CONFIRM = "execution-confirm";
    static final String RECONCILE = "execution-reconcile";
    /** Options stop trading and settle at 16:00 New York time on their expiry date. */
    static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
    static final LocalTime EXPIRY_TIME = LocalTime.of(16, 0);

    private static final Logger log = LoggerFactory.getLogger(TradeExecutionSaga.class);

    /** Which order of the trade is being worked on. */
    public enum Phase { ENTRY, OPEN, EXIT, ENDED }

    @Autowired
    private transient CommandGateway commandGateway;
    @Autowired
    private transient DeadlineManager deadlineManager;
    @Autowired
    private transient BrokerResolver brokerResolver;
    @Autowired
    private transient ExecutionSettings settings;
    @Autowired
    private transient Clock clock;
    @Autowired
    private transient DeskOrders desk;
    private transient BrokerAccount account;
    /** The entry order was just reported for the first time and no command recorded it yet (within one event). */
    private transient boolean entryOrderUnrecorded;

    private String tradeId;
    private String username;
    /** The broker account the trade works in, fixed when it is placed (no switch while a trade lives). */
    private String accountKey;
    private String brokerName;
    private TradeOrder order;
    private Phase phase;
    private Money stopLoss;
    private Money takeProfit;
    /** Entry quantity filled as reported to the aggregate, and the position held once open. */
    private int filledQuantity;
    private int position;

    /** The entry leg is at the desk and has not ended. */
    private boolean entryLive;
    /** The user asked to cancel: the entry is being withdrawn and its end decides how the trade ends. */
    private boolean cancelRequested;
    private String entryOrderId;
    /** The live bracket leg's tag, or null. */
    private String bracketTag;
    private String bracketOrderId;
    private int bracketAttempts;
    /** The live exit leg's tag, or null. */
    private String exitTag;
    private String exitOrderId;
    private int exitAttempts;
    /** The bracket leg is being withdrawn; the exit or the new brackets wait for it to end. */
    private boolean bracketWithdrawing;
    private String withdrawalDeadlineId;
    private String expiryDeadlineId;
    private long expiryRetryMillis;

    // ------------------------------------------------------------------------------------------------ events

    @StartSaga
    @SagaEventHandler(associationProperty = "tradeId")
    public void on(TradePlacedEvent e, @MetaDataValue(EntryIntake.HANDED_OVER) String handedOver) {
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
        entryLive = true;
        if (handedOver == null) { // placed by an earlier version, without the intake: the saga hands the leg over
            desk.add(EntryLeg.of(e, accountKey()));
        }
    }

    @SagaEventHandler(associationProperty = "tradeId")
    public void on(TradeOpenedEvent e) {
        if (entryLive) {
            // Opened with less than ordered (the user canceled the remainder): the remainder must not fill later.
            desk.withdraw(tag(""), true);
            entryLive = false;
        }
        phase = Phase.OPEN;
        filledQuantity = e.filledQuantity();
        position = e.filledQuantity();
        placeBrackets(e.occurredAt());
    }

    @SagaEventHandler(associationProperty = "tradeId")
    public void on(BracketsChangedEvent e) {
        stopLoss = e.stopLoss();
        takeProfit = e.takeProfit();
        if (phase != Phase.OPEN || bracketWithdrawing) {
            return; // after a withdrawal under way, the brackets placed are the latest
        }
        if (bracketTag != null) {
            withdrawBracket(); // the new brackets go out once the old order has ended
        } else {
            placeBrackets(e.occurredAt());
        }
    }

    /**
     * The user's cancel: the entry is withdrawn, and the desk reports how it ended (nothing sent, canceled with or
     * without fills, or filled before the cancel arrived); {@link #onEntry} ends the trade accordingly.
     */
    @SagaEventHandler(associationProperty = "tradeId")
    public void on(CancelRequestedEvent e) {
        if (phase != Phase.ENTRY || !entryLive) {
            return; // the entry already ended: the command that ends the trade is on its way
        }
        cancelRequested = true;
        desk.withdraw(tag(""), false);
    }

    @SagaEventHandler(associationProperty = "tradeId")
    public void on(CloseRequestedEvent e) {
        if (phase == Phase.OPEN && position <= 0) {
            // A bracket leg sold the position before this request reached the saga: the close is under way with
            // that fill; an exit now would sell what is no longer held.
            return;
        }
        Phase before = phase;
        phase = Phase.EXIT;
        if (before == Phase.ENTRY) {
            // Closing a partly filled trade: the rest of the entry is withdrawn, and what it fills until the broker
            // ends it is part of the position: the exit is sized and placed once the entry has ended.
            position = filledQuantity;
            if (entryLive) {
                desk.withdraw(tag(""), false);
                return; // see exitAwaitsEntry()
            }
        }
        if (bracketTag != null) {
            withdrawBracket(); // the exit is sized once the bracket's last fill is known
        } else if (!bracketWithdrawing) {
            placeExit(e.occurredAt());
        }
    }

    @SagaEventHandler(associationProperty = "tradeId")
    public void on(PositionReducedEvent e) {
        position = e.remainingQuantity();
    }

    @SagaEventHandler(associationProperty = "tradeId")
    public void on(ExitRejectedEvent e) {
        phase = Phase.OPEN;
        if (exitTag != null) {
            desk.withdraw(exitTag, true);
            exitTag = null;
        }
        if (bracketTag == null && !bracketWithdrawing) {
            placeBrackets(e.occurredAt()); // the brackets were withdrawn for the exit: re-arm them
        } // a bracket never withdrawn stays at the broker, followed: never a second one
    }

    /** The order desk's news of one of this trade's legs; news of a leg this saga has left changes nothing. */
    @SagaEventHandler(associationProperty = "tradeId")
    public void on(BrokerOrderReportedEvent e) {
        if (phase == Phase.ENDED) {
            return;
        }
        if (entryLive && e.tag().equals(tag(""))) {
            onEntry(e);
        } else if (e.tag().equals(bracketTag)) {
            onBracket(e);
        } else if (e.tag().equals(exitTag)) {
            onExit(e);
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

    /** 16:00 New York on the contract's expiry date: settle whatever is still live. */
    @DeadlineHandler(deadlineName = EXPIRY)
    public void onExpiry() {
        expiryDeadlineId = null;
        if (phase != Phase.ENDED) {
            expireTrade();
        }
    }

    /**
     * The broker took the bracket's cancel but never completed it within the confirmation window: the bracket
     * stays in place and followed; an exit that waited for it is refused with the reason (new brackets are not
     * placed over it).
     */
    @DeadlineHandler(deadlineName = WITHDRAWAL)
    public void onWithdrawalOverdue() {
        withdrawalDeadlineId = null;
        if (!bracketWithdrawing || phase == Phase.ENDED) {
            return;
        }
        bracketWithdrawing = false;
        String reason = "the bracket order was not canceled at the broker within "
                + settings.confirmationTimeout().toSeconds() + " s; it stays in place";
        log.warn("trade {}: {}", tradeId, reason);
        if (phase == Phase.EXIT) {
            send(new RejectExitCommand(id(), reason));
        }
    }

    /**
     * A poll, confirmation or reconciliation an earlier version scheduled (an upgraded database): the leg it was
     * about goes to the desk, which looks for its tag in the broker's history before it sends anything.
     */
    @DeadlineHandler(deadlineName = POLL)
    public void onLegacyPoll() {
        handOverLegacyLeg();
    }

    @DeadlineHandler(deadlineName = CONFIRM)
    public void onLegacyConfirm() {
        handOverLegacyLeg();
    }

    @DeadlineHandler(deadlineName = RECONCILE)
    public void onLegacyReconcile() {
        handOverLegacyLeg();
    }

    private void handOverLegacyLeg() {
        // Older than any list covers: the desk asks the broker's history for the tag first.
        Instant longAgo = now().minus(ExecutionSettings.LIST_TRUSTED_FOR).minusSeconds(1);
        switch (phase) {
            case ENTRY -> {
                entryLive = true;
                place(entryTicket(), longAgo);
            }
            case OPEN -> {
                if (bracketAttempts > 0 && (stopLoss != null || takeProfit != null) && bracketTag == null) {
                    bracketTag = tag("b" + bracketAttempts);
                    place(bracketTicket(), longAgo);
                }
            }
            case EXIT -> {
                if (exitAttempts > 0 && exitTag == null) {
                    exitTag = tag("x" + exitAttempts);
                    place(exitTicket(), longAgo);
                }
            }
            default -> { }
        }
    }

    // ------------------------------------------------------------------- broker news → trade (in one place)

    private void onEntry(BrokerOrderReportedEvent e) {
        if (exitAwaitsEntry()) {
            onEntryWhileClosing(e);
            return;
        }
        switch (e.kind()) {
            case REFUSED -> {
                entryLive = false;
                send(new RejectTradeCommand(id(), e.reason() == null ? "refused by the broker" : e.reason()));
            }
            case UNCONFIRMED -> {
                entryLive = false;
                send(new CancelTradeCommand(id(), CloseReason.TIMEOUT, e.reason(), Actor.Engine.SAGA, null));
            }
            case NOT_PLACED -> {
                entryLive = false;
                if (cancelRequested && phase == Phase.ENTRY) {
                    cancelAsRequested();
                }
            }
            case SEEN -> {
                if (entryOrderId == null && e.orderId() != null) {
                    entryOrderId = e.orderId();
                    entryOrderUnrecorded = true;
                }
                if (phase == Phase.ENTRY) {
                    onEntryReport(report(e)); // a fill it records records the order with it: one step, not two
                }
                recordEntryOrder();
            }
        }
    }

    private void onEntryReport(OrderStatusReport r) {
        int filled = quantity(r.execQuantity());
        Money price = fillPrice(r);
        switch (r.state()) {
            case FILLED -> {
                entryLive = false;
                // The aggregate opens the trade; TradeOpenedEvent moves this saga on.
                recordEntryFill(Math.max(filled, order.quantity()), price);
            }
            case PARTIALLY_FILLED -> recordEntryFill(filled, price);
            case REJECTED, ERROR -> {
                entryLive = false;
                recordEntryFill(filled, price); // what did fill is a position: the aggregate opens with it
                send(new RejectTradeCommand(id(), reason(r, "rejected by the broker")));
            }
            case CANCELED -> {
                entryLive = false;
                recordEntryFill(filled, price);
                if (cancelRequested) {
                    cancelAsRequested();
                    return;
                }
                send(new CancelTradeCommand(id(), CloseReason.CANCELED,
                        "canceled by the broker" + (r.reasonDescription() == null ? "" : ": " + r.reasonDescription()),
                        Actor.Engine.SAGA, null));
            }
            case EXPIRED -> {
                entryLive = false;
                recordEntryFill(filled, price);
                if (contractExpired()) {
                    expireTrade(); // the order died with its option contract
                } else {
                    send(new CancelTradeCommand(id(), CloseReason.CANCELED, "order expired", Actor.Engine.SAGA, null));
                }
            }
            // Accepted and working (a resting limit), or a state we do not know: the desk reports the next change.
            default -> { }
        }
    }

    /** The rest of a partly filled entry, withdrawn for a close: its fills are held, its end lets the exit go. */
    private void onEntryWhileClosing(BrokerOrderReportedEvent e) {
        boolean ended = e.kind() != BrokerOrderReportedEvent.Kind.SEEN;
        if (!ended) {
            OrderStatusReport r = report(e);
            if (recordEntryFill(quantity(r.execQuantity()), fillPrice(r))) {
                position = filledQuantity;
            }
            ended = r.state().isTerminal();
        }
        if (ended) {
            entryLive = false;
            placeExit(now());
        }
    }

    /**
     * Closing a partly filled trade: the exit waits for the withdrawn rest of the entry to end (and its fills). The
     * only way to be exiting with the entry still live: every other path ends the entry before the exit phase.
     */
    private boolean exitAwaitsEntry() {
        return phase == Phase.EXIT && entryLive;
    }

    /** The withdrawn entry ended: the aggregate cancels the trade as the user asked, or opens what filled. */
    private void cancelAsRequested() {
        send(new CancelTradeCommand(id(), CloseReason.CANCELED, null, Actor.Engine.SAGA, null));
    }

    private void onBracket(BrokerOrderReportedEvent e) {
        if (e.kind() != BrokerOrderReportedEvent.Kind.SEEN) {
            // Never at the broker (refused, unconfirmed, withdrawn unsent): nothing of it can fill.
            bracketTag = null;
            bracketOrderId = null;
            if (bracketWithdrawing) {
                withdrawn();
            } else {
                log.warn("trade {}: bracket order {} ({}); the brackets stay with the price monitor", tradeId,
                        e.kind().name().toLowerCase(), e.reason());
            }
            return;
        }
        bracketOrderId = e.orderId();
        OrderStatusReport r = report(e);
        if (bracketWithdrawing) {
            if (r.state().isTerminal()) {
                bracketTag = null;
                if (!endedBracket(r)) {
                    withdrawn();
                } else {
                    bracketWithdrawing = false;
                    cancelWithdrawalDeadline();
                }
            }
            return;
        }
        onBracketReport(r);
    }

    private void onBracketReport(OrderStatusReport r) {
        switch (r.state()) {
            case FILLED -> {
                bracketTag = null;
                closeWithBracketFill(r);
            }
            case CANCELED, REJECTED, EXPIRED, ERROR -> {
                bracketTag = null;
                recordPartialExit(r, "bracket order " + r.state().name().toLowerCase());
                log.warn("trade {}: bracket order {} ended {} ({}); the brackets stay with the price monitor",
                        tradeId, r.orderId(), r.state(), r.reasonDescription());
            }
            // Working, or a leg filling in parts (the trade closes in one go once it is done).
            default -> { }
        }
    }

    private void onExit(BrokerOrderReportedEvent e) {
        switch (e.kind()) {
            case REFUSED, UNCONFIRMED -> {
                exitTag = null;
                send(new RejectExitCommand(id(), e.reason() == null ? "refused by the broker" : e.reason()));
            }
            case NOT_PLACED -> exitTag = null;
            case SEEN -> {
                if (exitOrderId == null && e.orderId() != null) {
                    exitOrderId = e.orderId();
                    send(new RecordExitOrderCommand(id(), exitOrderId));
                }
                onExitReport(report(e));
            }
        }
    }

    private void onExitReport(OrderStatusReport r) {
        switch (r.state()) {
            case FILLED -> {
                exitTag = null;
                send(new CloseTradeCommand(id(), fillPrice(r), null));
            }
            case REJECTED, ERROR, CANCELED, EXPIRED -> {
                exitTag = null;
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

    // ------------------------------------------------------------------------------------------------- legs

    /** Hands a leg to the desk, to be sent once its tag is certainly absent at the broker. */
    private void place(OrderTicket ticket, Instant notBefore) {
        desk.add(WorkedOrder.toSend(tradeId, username, accountKey(), ticket, notBefore));
    }

    private void placeExit(Instant notBefore) {
        exitAttempts++;
        exitTag = tag("x" + exitAttempts);
        exitOrderId = null;
        place(exitTicket(), notBefore);
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
        bracketTag = tag("b" + bracketAttempts);
        bracketOrderId = null;
        place(bracketTicket(), notBefore);
    }

    /**
     * Takes the bracket order off the broker before an exit or new brackets: the desk cancels it and reports how
     * it ended, so what a leg sold meanwhile is recorded (or closes the trade) and never sold a second time.
     */
    private void withdrawBracket() {
        bracketWithdrawing = true;
        desk.withdraw(bracketTag, false);
        cancelWithdrawalDeadline();
        withdrawalDeadlineId = deadlineManager.schedule(settings.confirmationTimeout(), WITHDRAWAL);
    }

    /** The withdrawn bracket ended without closing the trade: the step that waited for it goes on. */
    private void withdrawn() {
        bracketWithdrawing = false;
        cancelWithdrawalDeadline();
        if (phase == Phase.EXIT) {
            placeExit(now());
        } else if (phase == Phase.OPEN) {
            placeBrackets(now());
        }
    }

    private void cancelWithdrawalDeadline() {
        if (withdrawalDeadlineId != null) {
            cancelQuietly(WITHDRAWAL, withdrawalDeadlineId);
            withdrawalDeadlineId = null;
        }
    }

    private OrderTicket entryTicket() {
        return EntryLeg.ticket(tradeId, order);
    }

    /** Both brackets: an OCO; one: a single stop or limit order. Good until canceled. */
    private OrderTicket bracketTicket() {
        OrderSide side = OrderSide.closing(order.side());
        if (stopLoss != null && takeProfit != null) {
            return OrderTicket.of(new OcoRequest(bracketTag, order.instrument(), side, position, takeProfit, stopLoss,
                    TimeInForce.GTC));
        }
        return OrderTicket.of(stopLoss != null
                ? OrderRequest.stop(bracketTag, order.instrument(), side, position, stopLoss, TimeInForce.GTC)
                : OrderRequest.limit(bracketTag, order.instrument(), side, position, takeProfit, TimeInForce.GTC));
    }

    private OrderTicket exitTicket() {
        return OrderTicket.of(OrderRequest.market(exitTag, order.instrument(), OrderSide.closing(order.side()),
                position));
    }

    /** A bracket order ended: true when its fill closed the trade, else what it sold is recorded. */
    private boolean endedBracket(OrderStatusReport last) {
        if (last.state() == OrderState.FILLED || filledOf(last) >= position) {
            closeWithBracketFill(last);
            return true;
        }
        recordPartialExit(last, "bracket order " + last.state().name().toLowerCase());
        return false;
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

    /** A bracket leg filled: the trade closes at its price, as a stop loss or a take profit. */
    private void closeWithBracketFill(OrderStatusReport r) {
        OrderStatusReport leg = r.legs().stream().filter(l -> l.state() == OrderState.FILLED).findFirst().orElse(r);
        CloseReason reason = leg.type() == PriceType.STOP ? CloseReason.STOP_LOSS : CloseReason.TAKE_PROFIT;
        Money price = fillPrice(leg, r);
        position = 0; // sold at the broker: nothing is left for an exit, whatever arrives before TradeClosed
        send(new CloseTradeCommand(id(), price, reason));
    }

    private boolean recordEntryFill(int filled, Money averagePrice) {
        if (filled <= filledQuantity || averagePrice == null) {
            return false;
        }
        filledQuantity = filled;
        if (entryOrderUnrecorded && phase == Phase.ENTRY) {
            entryOrderUnrecorded = false;
            if (!sent(new RecordEntryFillCommand(id(), filled, averagePrice, brokerName(), entryOrderId))) {
                // refused whole: the order at least is recorded on its own, as it would have been before the fill
                sent(new RecordEntryOrderCommand(id(), brokerName(), entryOrderId));
            }
            return true;
        }
        send(new RecordEntryFillCommand(id(), filled, averagePrice));
        return true;
    }

    /** The entry order the broker reported, if no command recorded it yet. */
    private void recordEntryOrder() {
        if (entryOrderUnrecorded) {
            entryOrderUnrecorded = false;
            sent(new RecordEntryOrderCommand(id(), brokerName(), entryOrderId));
        }
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
        cancelQuietly(EXPIRY, expiryDeadlineId); // settled once, whichever came first: the broker's report or 16:00
        expiryDeadlineId = null;
        if (underlying == null) {
            expiryRetryMillis = settings.nextBackoffMillis(expiryRetryMillis);
            expiryDeadlineId = deadlineManager.schedule(Duration.ofMillis(expiryRetryMillis), EXPIRY);
            return;
        }
        // Whatever still works at the broker dies with the contract.
        desk.abandon(tradeId);
        entryLive = false;
        bracketTag = null;
        exitTag = null;
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

    /** Whatever of the trade still works at the broker is canceled by the desk, which tells no one any more. */
    private void end() {
        phase = Phase.ENDED;
        desk.abandon(tradeId);
        entryLive = false;
        bracketTag = null;
        exitTag = null;
        bracketWithdrawing = false;
        cancelWithdrawalDeadline();
        cancelQuietly(EXPIRY, expiryDeadlineId);
        expiryDeadlineId = null;
    }

    // -------------------------------------------------------------------------------------------- helpers

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

    private void send(Object command) {
        recordEntryOrder(); // the order comes first in the trade's history, as the broker reported it
        sent(command);
    }

    /** Sends the command; false when the aggregate refused it. */
    private boolean sent(Object command) {
        try {
            commandGateway.sendAndWait(command);
            return true;
        } catch (RuntimeException ex) {
            // The trade moved on meanwhile (e.g. the user canceled it): the aggregate is the judge.
            log.warn("trade {}: {} refused: {}", tradeId, command.getClass().getSimpleName(), ex.getMessage());
            return false;
        }
    }

    private BrokerAccount account() {
        if (account == null) {
            account = brokerResolver.resolve(username);
        }
        return account;
    }

    /** The account the desk works this trade's legs in; an unusable one still groups them (the desk refuses them). */
    private String accountKey() {
        if (accountKey == null) {
            try {
                accountKey = account().accountKey();
            } catch (RuntimeException ex) {
                return EntryLeg.unresolved(username); // resolved again at the next step: it may be usable by then
            }
        }
        return accountKey;
    }

    private String brokerName() {
        if (brokerName == null) {
            try {
                brokerName = account().brokerName();
            } catch (RuntimeException ex) { // the account answered the desk a moment ago: a passing failure
                log.warn("trade {}: broker of the account not known: {}", tradeId, ex.getMessage());
                return "UNKNOWN";
            }
        }
        return brokerName;
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
        return EntryLeg.tag(tradeId, suffix);
    }

    private static int quantity(BigDecimal value) {
        return value == null ? 0 : value.intValue();
    }

    /** A report of the desk as the broker's report it was made from (the fields this saga decides on). */
    private static OrderStatusReport report(BrokerOrderReportedEvent e) {
        List<OrderStatusReport> legs = e.legs().stream()
                .map(l -> new OrderStatusReport(l.orderId(), OrderState.valueOf(l.state()), null, null, null,
                        l.type() == null ? null : PriceType.valueOf(l.type()), null, l.filledQuantity(), null,
                        l.avgFillPrice(), l.lastFillPrice(), null, null, null, List.of()))
                .toList();
        return new OrderStatusReport(e.orderId(), OrderState.valueOf(e.state()), null, null, null,
                e.type() == null ? null : PriceType.valueOf(e.type()), null, e.filledQuantity(), null,
                e.avgFillPrice(), e.lastFillPrice(), e.tag(), e.reason(), null, legs);
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
    public String getAccountKey() { return accountKey; }
    public void setAccountKey(String v) { accountKey = v; }
    public String getBrokerName() { return brokerName; }
    public void setBrokerName(String v) { brokerName = v; }
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
    public boolean isEntryLive() { return entryLive; }
    public void setEntryLive(boolean v) { entryLive = v; }
    public boolean isCancelRequested() { return cancelRequested; }
    public void setCancelRequested(boolean v) { cancelRequested = v; }
    public String getEntryOrderId() { return entryOrderId; }
    public void setEntryOrderId(String v) { entryOrderId = v; }
    public String getBracketTag() { return bracketTag; }
    public void setBracketTag(String v) { bracketTag = v; }
    public String getBracketOrderId() { return bracketOrderId; }
    public void setBracketOrderId(String v) { bracketOrderId = v; }
    public int getBracketAttempts() { return bracketAttempts; }
    public void setBracketAttempts(int v) { bracketAttempts = v; }
    public String getExitTag() { return exitTag; }
    public void setExitTag(String v) { exitTag = v; }
    public String getExitOrderId() { return exitOrderId; }
    public void setExitOrderId(String v) { exitOrderId = v; }
    public int getExitAttempts() { return exitAttempts; }
    public void setExitAttempts(int v) { exitAttempts = v; }
    public boolean isBracketWithdrawing() { return bracketWithdrawing; }
    public void setBracketWithdrawing(boolean v) { bracketWithdrawing = v; }
    public String getWithdrawalDeadlineId() { return withdrawalDeadlineId; }
    public void setWithdrawalDeadlineId(String v) { withdrawalDeadlineId = v; }
    public String getExpiryDeadlineId() { return expiryDeadlineId; }
    public void setExpiryDeadlineId(String v) { expiryDeadlineId = v; }
    public long getExpiryRetryMillis() { return expiryRetryMillis; }
    public void setExpiryRetryMillis(long v) { expiryRetryMillis = v; }
}
