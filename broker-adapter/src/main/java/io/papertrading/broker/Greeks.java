package io.papertrading.broker;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * Option sensitivities per share. {@code impliedVolatility} is annualised (0.25 = 25 %). Any field may be null
 * when the source does not provide it; {@code updatedAt} is when the source computed them, if known.
 */
public record Greeks(BigDecimal delta, BigDecimal gamma, BigDecimal theta, BigDecimal vega, BigDecimal rho,
                     BigDecimal impliedVolatility, Instant updatedAt) {
}
