package io.papertrading.query.analytics;

import java.math.BigDecimal;

/**
 * The MFE/MAE distribution of one strategy's finished trades, in dollars: MFE ≥ 0 (best unrealized P&amp;L seen),
 * MAE ≤ 0 (worst). The median is the lower middle value for an even count; averages are to 4 decimals.
 */
public record ExcursionStats(String strategy, int trades, BigDecimal avgMfe, BigDecimal medianMfe, BigDecimal maxMfe,
                             BigDecimal avgMae, BigDecimal medianMae, BigDecimal minMae) {
}
