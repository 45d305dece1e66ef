package io.papertrading.broker;

import io.papertrading.kernel.money.Money;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * A holding: {@code symbol} is the stock symbol or the OCC option symbol; {@code quantity} is negative for a
 * short position; {@code costBasis} is the total paid (premium × 100 per contract for options).
 */
public record Position(String symbol, BigDecimal quantity, Money costBasis, Instant acquiredAt) {
}
