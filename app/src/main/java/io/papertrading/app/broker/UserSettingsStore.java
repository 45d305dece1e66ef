package io.papertrading.app.broker;

import io.papertrading.broker.BrokerKind;
import io.papertrading.broker.tradier.TradierEnvironment;
import io.papertrading.query.support.UserScope;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Component;

import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;

/**
 * {@code user_settings}, read and written as the user under row-level security. Settings are state-stored,
 * not event-sourced: broker secrets must never enter the event store. This bean works through the request role
 * (the primary {@link UserScope}); the engine reads the same rows through its own role ({@link #through}).
 */
@Component
class UserSettingsStore {

    private static final RowMapper<UserSettings> ROW = (rs, i) -> new UserSettings(
            BrokerKind.valueOf(rs.getString("broker")),
            rs.getString("tradier_environment") == null ? null : TradierEnvironment.valueOf(rs.getString("tradier_environment")),
            rs.getString("tradier_account_id"),
            rs.getString("tradier_token_encrypted"),
            (Integer) rs.getObject("max_open_trades"),
            rs.getBigDecimal("max_position_cost"),
            rs.getBigDecimal("default_stop_loss_pct"),
            rs.getBigDecimal("default_take_profit_pct"));

    private final UserScope scope;
    private final BrokerKind defaultBroker;

    @Autowired
    UserSettingsStore(UserScope scope, @Value("${paper.default-broker:SIMULATED}") String defaultBroker) {
        this(scope, BrokerKind.valueOf(defaultBroker.trim().toUpperCase(java.util.Locale.ROOT)));
    }

    private UserSettingsStore(UserScope scope, BrokerKind defaultBroker) {
        this.scope = scope;
        this.defaultBroker = defaultBroker;
    }

    /** The same store read and written through another scope (the engine's, for the engine's own reads). */
    UserSettingsStore through(UserScope other) {
        return new UserSettingsStore(other, defaultBroker);
    }

    /** The user's settings, or the defaults (the operator's default broker, no limits) if they saved none. */
    UserSettings load(String username) {
        return find(username).orElseGet(() -> UserSettings.defaults(defaultBroker));
    }

    Optional<UserSettings> find(String username) {
        List<UserSettings> rows = scope.query(username, "select * from user_settings where username = ?", ROW,
                username);
        return rows.stream().findFirst();
    }

    void saveBroker(String username, BrokerKind broker, TradierEnvironment environment, String accountId,
                    String encryptedToken) {
        scope.write(username, jdbc -> jdbc.update("""
                insert into user_settings (username, broker, tradier_environment, tradier_account_id, tradier_token_encrypted)
                values (?, ?, ?, ?, ?)
                on conflict (username) do update set broker = excluded.broker,
                    tradier_environment = excluded.tradier_environment,
                    tradier_account_id = excluded.tradier_account_id,
                    tradier_token_encrypted = coalesce(excluded.tradier_token_encrypted, user_settings.tradier_token_encrypted),
                    updated_at = now()""",
                username, broker.name(), environment == null ? null : environment.name(), accountId, encryptedToken));
    }

    void saveRisk(String username, Integer maxOpenTrades, BigDecimal maxPositionCost, BigDecimal defaultStopLossPct,
                  BigDecimal defaultTakeProfitPct) {
        scope.write(username, jdbc -> jdbc.update("""
                insert into user_settings (username, broker, max_open_trades, max_position_cost, default_stop_loss_pct,
                                           default_take_profit_pct)
                values (?, ?, ?, ?, ?, ?)
                on conflict (username) do update set max_open_trades = excluded.max_open_trades,
                    max_position_cost = excluded.max_position_cost,
                    default_stop_loss_pct = excluded.default_stop_loss_pct,
                    default_take_profit_pct = excluded.default_take_profit_pct,
                    updated_at = now()""",
                username, defaultBroker.name(), maxOpenTrades, maxPositionCost, defaultStopLossPct, defaultTakeProfitPct));
    }
}
