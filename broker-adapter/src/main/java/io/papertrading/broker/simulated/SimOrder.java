package io.papertrading.broker.simulated;

import io.papertrading.broker.OrderRequest;
import io.papertrading.broker.OrderState;
import io.papertrading.broker.OrderStatusReport;
import io.papertrading.kernel.money.Money;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.List;

/**
 * A simulated order's mutable state. Guarded by its account's books. Remembers whether it changed since it was
 * created or loaded, so stored books write back only what moved.
 */
final class SimOrder {

    final String id;
    final OrderRequest request;
    final Instant createdAt;
    /** When the order stops working (end of session for DAY, option expiry), or null for never. */
    final Instant deadline;
    /** The OCO group this order is a leg of, or null. */
    final String parentId;

    private OrderState state = OrderState.OPEN;
    private int filled;
    private BigDecimal fillValue = BigDecimal.ZERO;
    private BigDecimal lastFillPrice;
    private Instant lastFillAt;
    private String reason;
    private boolean stopTriggered;
    /** The market time of the last change: creation, a fill, the close. Lists show recently changed orders. */
    private Instant changedAt;
    private boolean changed;

    /** A new order, working. */
    SimOrder(String id, OrderRequest request, Instant createdAt, Instant deadline, String parentId) {
        this.id = id;
        this.request = request;
        this.createdAt = createdAt;
        this.deadline = deadline;
        this.parentId = parentId;
        this.changedAt = createdAt;
        this.changed = true;
    }

    /** An order as it was stored. */
    SimOrder(String id, OrderRequest request, Instant createdAt, Instant deadline, String parentId, OrderState state,
             int filled, BigDecimal fillValue, BigDecimal lastFillPrice, Instant lastFillAt, String reason,
             boolean stopTriggered, Instant changedAt) {
        this.id = id;
        this.request = request;
        this.createdAt = createdAt;
        this.deadline = deadline;
        this.parentId = parentId;
        this.state = state;
        this.filled = filled;
        this.fillValue = fillValue;
        this.lastFillPrice = lastFillPrice;
        this.lastFillAt = lastFillAt;
        this.reason = reason;
        this.stopTriggered = stopTriggered;
        this.changedAt = changedAt;
    }

    /** The order itself, or its OCO group: what a list of orders shows for it. */
    String listedId() {
        return parentId != null ? parentId : id;
    }

    BigDecimal fillValue() {
        return fillValue;
    }

    BigDecimal lastFillPrice() {
        return lastFillPrice;
    }

    boolean stopTriggered() {
        return stopTriggered;
    }

    Instant changedAt() {
        return changedAt;
    }

    /** Whether anything changed since this order was created, loaded or last saved. */
    boolean changed() {
        return changed;
    }

    void saved() {
        changed = false;
    }

    OrderState state() {
        return state;
    }

    boolean isWorking() {
        return state.isWorking();
    }

    int filled() {
        return filled;
    }

    int remaining() {
        return request.quantity() - filled;
    }

    Instant lastFillAt() {
        return lastFillAt;
    }

    String reason() {
        return reason;
    }

    /** A stop order, once its stop price has traded, stays a market order. */
    boolean stopTriggered(boolean triggeredNow) {
        if (triggeredNow && !stopTriggered) {
            stopTriggered = true;
            changed = true;
        }
        return stopTriggered;
    }

    void recordFill(int quantity, BigDecimal price, Instant at) {
        filled += quantity;
        fillValue = fillValue.add(price.multiply(BigDecimal.valueOf(quantity)));
        lastFillPrice = price;
        lastFillAt = at;
        state = remaining() == 0 ? OrderState.FILLED : OrderState.PARTIALLY_FILLED;
        changedAt = at;
        changed = true;
    }

    void close(OrderState finalState, String why, Instant at) {
        state = finalState;
        reason = why;
        changedAt = at;
        changed = true;
    }

    OrderStatusReport report() {
        return report(id, state, reason, List.of());
    }

    OrderStatusReport report(String reportId, OrderState reportState, String reportReason,
                             List<OrderStatusReport> legs) {
        Money average = filled == 0 ? null
                : new Money(fillValue.divide(BigDecimal.valueOf(filled), 4, RoundingMode.HALF_EVEN));
        var instrument = request.instrument();
        return new OrderStatusReport(reportId, reportState, instrument.symbol(),
                instrument.isOption() ? instrument.optionSymbol().occ() : null, request.side(), request.type(),
                BigDecimal.valueOf(request.quantity()), BigDecimal.valueOf(filled), BigDecimal.valueOf(remaining()),
                average, Money.of(lastFillPrice), request.tag(), reportReason, createdAt, legs);
    }
}
