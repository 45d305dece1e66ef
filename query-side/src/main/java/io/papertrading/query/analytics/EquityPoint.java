package io.papertrading.query.analytics;

import java.math.BigDecimal;
import java.time.LocalDate;

/**
 * One day of the equity curve: the realized P&amp;L of the trades closed (or expired) that America/New_York
 * date, and the running total of every day up to and including it (days before a requested range count).
 */
public record EquityPoint(LocalDate date, BigDecimal realizedPnl, BigDecimal cumulativePnl, int closedTrades) {
}
