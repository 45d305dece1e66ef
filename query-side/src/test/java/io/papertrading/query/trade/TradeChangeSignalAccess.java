package io.papertrading.query.trade;

import io.papertrading.query.support.UserScope;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;

/** Test access to the trade projection's package-private wiring from other test packages. */
public final class TradeChangeSignalAccess {

    private TradeChangeSignalAccess() {
    }

    public static TradeProjection projection(JdbcTemplate jdbc, UserScope scope, PlatformTransactionManager tm) {
        return new TradeProjection(jdbc, scope, tm, new TradeChangeSignal());
    }
}
