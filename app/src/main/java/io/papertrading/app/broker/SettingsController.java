package io.papertrading.app.broker;

import io.papertrading.broker.BrokerKind;
import io.papertrading.broker.ConnectionInfo;
import io.papertrading.broker.crypto.TokenCipher;
import io.papertrading.broker.tradier.TradierEnvironment;
import io.papertrading.command.trade.LiveTrades;
import io.papertrading.kernel.error.BrokerInUseException;
import io.papertrading.kernel.error.FieldChecks;
import io.papertrading.kernel.error.FieldError;
import io.papertrading.kernel.error.ValidationFailedException;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.math.BigDecimal;
import java.security.Principal;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A user's broker and risk settings. The Tradier token is write-only: it is encrypted before it is stored and
 * no response ever carries it. There is no URL field: the operator maps environments to URLs.
 */
@RestController
@RequestMapping("/api/settings")
class SettingsController {

    private static final Pattern ACCOUNT_ID = Pattern.compile("[A-Za-z0-9-]{1,32}");
    private static final Pattern TOKEN = Pattern.compile("[\\x21-\\x7E]{8,512}");
    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

    private final UserSettingsStore store;
    private final TokenCipher cipher;
    private final UserBrokers brokers;
    private final LiveTrades liveTrades;

    SettingsController(UserSettingsStore store, TokenCipher cipher, UserBrokers brokers, LiveTrades liveTrades) {
        this.store = store;
        this.cipher = cipher;
        this.brokers = brokers;
        this.liveTrades = liveTrades;
    }

    record RiskView(Integer maxOpenTrades, BigDecimal maxPositionCost, BigDecimal defaultStopLossPct,
                    BigDecimal defaultTakeProfitPct) {
    }

    record SettingsView(String broker, String tradierEnvironment, String tradierAccountId, boolean hasTradierToken,
                        RiskView risk) {
    }

    record BrokerRequest(String broker, String environment, String accountId, String token) {
    }

    record ConnectionView(boolean ok, String broker, List<String> accounts, String accountType) {
    }

    @GetMapping
    SettingsView get(Principal principal) {
        UserSettings s = store.load(principal.getName());
        return new SettingsView(s.broker().name(), s.environment() == null ? null : s.environment().name(),
                s.accountId(), s.encryptedToken() != null,
                new RiskView(s.maxOpenTrades(), s.maxPositionCost(), s.defaultStopLossPct(), s.defaultTakeProfitPct()));
    }

    @PutMapping("/broker")
    ResponseEntity<Void> broker(@RequestBody BrokerRequest body, Principal principal) {
        String username = principal.getName();
        UserSettings current = store.load(username);
        List<FieldError> errors = new ArrayList<>();
        BrokerKind kind = FieldChecks.enumValue(BrokerKind.class, body.broker(), "broker", errors);
        TradierEnvironment environment = null;
        String encrypted = null;
        if (kind == BrokerKind.TRADIER) {
            environment = FieldChecks.enumValue(TradierEnvironment.class, body.environment(), "environment", errors);
            if (body.accountId() == null || !ACCOUNT_ID.matcher(body.accountId()).matches()) {
                errors.add(new FieldError("accountId", "required for TRADIER: 1-32 letters, digits or '-'"));
            }
            if (body.token() == null && current.encryptedToken() == null) {
                errors.add(new FieldError("token", "required for TRADIER"));
            } else if (body.token() != null && !TOKEN.matcher(body.token()).matches()) {
                errors.add(new FieldError("token", "8-512 printable characters"));
            }
        }
        if (!errors.isEmpty()) {
            throw new ValidationFailedException(errors);
        }
        String accountId = kind == BrokerKind.TRADIER ? body.accountId() : null;
        boolean otherAccount = current.broker() != kind || current.environment() != environment
                || !Objects.equals(current.accountId(), accountId);
        if (otherAccount) {
            // a live trade's saga polls whatever account the settings name: switching would orphan its order
            int live = liveTrades.count(username);
            if (live > 0) {
                throw new BrokerInUseException(live);
            }
        }
        if (kind == BrokerKind.TRADIER && body.token() != null) {
            encrypted = cipher.encrypt(body.token());
        }
        store.saveBroker(username, kind, environment, accountId, encrypted);
        brokers.forget(username);
        return ResponseEntity.noContent().build();
    }

    @PutMapping("/risk")
    ResponseEntity<Void> risk(@RequestBody RiskView body, Principal principal) {
        List<FieldError> errors = new ArrayList<>();
        if (body.maxOpenTrades() != null && (body.maxOpenTrades() < 1 || body.maxOpenTrades() > 10_000)) {
            errors.add(new FieldError("maxOpenTrades", "1-10000 when given"));
        }
        FieldChecks.amount("maxPositionCost", body.maxPositionCost(), BigDecimal.ZERO, new BigDecimal("1000000000"), errors);
        percent("defaultStopLossPct", body.defaultStopLossPct(), HUNDRED, errors);
        percent("defaultTakeProfitPct", body.defaultTakeProfitPct(), BigDecimal.valueOf(1000), errors);
        if (!errors.isEmpty()) {
            throw new ValidationFailedException(errors);
        }
        store.saveRisk(principal.getName(), body.maxOpenTrades(), body.maxPositionCost(), body.defaultStopLossPct(),
                body.defaultTakeProfitPct());
        brokers.forget(principal.getName());
        return ResponseEntity.noContent().build();
    }

    @PostMapping("/broker/test")
    ConnectionView test(Principal principal) {
        UserSettings s = store.load(principal.getName());
        ConnectionInfo info = brokers.resolve(principal.getName(), s).provider().testConnection();
        return new ConnectionView(info.ok(), s.broker().name(), info.accountIds(), info.accountType());
    }

    private static void percent(String field, BigDecimal value, BigDecimal max, List<FieldError> errors) {
        if (value != null && (value.signum() <= 0 || value.compareTo(max) > 0 || value.stripTrailingZeros().scale() > 4)) {
            errors.add(new FieldError(field, "greater than 0 and at most " + max + ", 4 decimals, when given"));
        }
    }
}
