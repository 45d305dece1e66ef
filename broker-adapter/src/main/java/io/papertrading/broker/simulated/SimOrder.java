package io.papertrading.broker.simulated;

import io.papertrading.broker.OrderRequest;
import io.papertrading.broker.OrderState;
import io.papertrading.broker.OrderStatusReport;
import io.papertrading.kernel.money.Money;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.List;

/** A simulated order's mutable state. Guarded by its broker's lock. */
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

    SimOrder(String id, OrderRequest request, Instant createdAt, Instant deadline, String parentId) {
        this.id = id;
        this.request = request;
        this.createdAt = createdAt;
        this.deadline = deadline;
        this.parentId = parentId;
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
        stopTriggered = stopTriggered || triggeredNow;
        return stopTriggered;
    }

    void recordFill(int quantity, BigDecimal price, Instant at) {
        filled += quantity;
        fillValue = fillValue.add(price.multiply(BigDecimal.valueOf(quantity)));
        lastFillPrice = price;
        lastFillAt = at;
        state = remaining() == 0 ? OrderState.FILLED : OrderState.PARTIALLY_FILLED;
    }

    void close(OrderState finalState, String why) {
        state = finalState;
        reason = why;
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
