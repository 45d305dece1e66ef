package io.papertrading.broker;

import io.papertrading.kernel.money.Money;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * An order as the broker reports it. Quantities are decimals because brokers report them so; prices and
 * quantities other than {@code quantity} may be null when not reported. {@code legs} lists the child orders of
 * an OCO or multi-leg order (empty otherwise), so a caller can see which bracket leg filled.
 */
public record OrderStatusReport(String orderId, OrderState state, String symbol, String optionSymbol,
                                OrderSide side, PriceType type, BigDecimal quantity, BigDecimal execQuantity,
                                BigDecimal remainingQuantity, Money avgFillPrice, Money lastFillPrice,
                                String tag, String reasonDescription, Instant createdAt,
                                List<OrderStatusReport> legs) {

    public OrderStatusReport {
        legs = legs == null ? List.of() : List.copyOf(legs);
    }
}
