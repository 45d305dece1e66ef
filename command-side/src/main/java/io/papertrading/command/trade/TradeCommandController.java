package io.papertrading.command.trade;

import io.papertrading.command.CommandNode;
import io.papertrading.kernel.error.FieldChecks;
import io.papertrading.kernel.error.FieldError;
import io.papertrading.kernel.error.ValidationFailedException;
import io.papertrading.kernel.money.Money;
import io.papertrading.kernel.trade.Actor;
import io.papertrading.kernel.trade.CloseReason;
import io.papertrading.kernel.trade.TradeAck;
import io.papertrading.kernel.trade.TradeId;
import io.papertrading.kernel.trade.TradeOrder;
import io.papertrading.kernel.trade.TradeStatus;
import io.papertrading.kernel.trade.command.AnnotateTradeCommand;
import io.papertrading.kernel.trade.command.CancelTradeCommand;
import io.papertrading.kernel.trade.command.ChangeBracketsCommand;
import io.papertrading.kernel.trade.command.PlaceTradeCommand;
import io.papertrading.kernel.trade.command.RequestCloseCommand;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.math.BigDecimal;
import java.net.URI;
import java.security.Principal;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The command API: trade actions answered with {@code 202} and the trade's new version. The username is the
 * authenticated principal's, never a request field.
 */
@CommandNode
@RestController
@RequestMapping("/api/trades")
class TradeCommandController {

    private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7E]{1,128}");
    private static final Pattern IF_MATCH = Pattern.compile("(?:W/)?\"?(\\d{1,18})\"?");
    /** Expiry and trading dates are exchange dates. */
    static final ZoneId MARKET_ZONE = ZoneId.of("America/New_York");

    private final TradeCommands commands;
    private final EntryRiskPolicy risk;
    private final Clock clock;

    TradeCommandController(TradeCommands commands, EntryRiskPolicy risk, Clock clock) {
        this.commands = commands;
        this.risk = risk;
        this.clock = clock;
    }

    /** The body of {@code POST /api/trades}; unknown members (a {@code username}, say) are ignored. */
    record PlaceTradeRequest(String symbol, String optionSymbol, String side, Integer quantity, String orderType,
                             BigDecimal limitPrice, BigDecimal stopLoss, BigDecimal takeProfit, String strategy,
                             String notes) {
    }

    record CloseRequest(String reason) {
    }

    record BracketsRequest(BigDecimal stopLoss, BigDecimal takeProfit) {
    }

    record NoteRequest(String text) {
    }

    record AckResponse(String tradeId, TradeStatus status, long version) {
    }

    @PostMapping
    ResponseEntity<AckResponse> place(@RequestHeader(name = "Idempotency-Key", required = false) String key,
                                      @RequestBody PlaceTradeRequest body, Principal principal) {
        List<FieldError> errors = new ArrayList<>();
        if (key == null || !IDEMPOTENCY_KEY.matcher(key).matches()) {
            errors.add(new FieldError("Idempotency-Key", "required: 1-128 printable ASCII characters"));
        }
        TradeOrder order = null;
        try {
            order = TradeOrder.validated(body.symbol(), body.optionSymbol(), body.side(), body.quantity(),
                    body.orderType(), body.limitPrice(), body.stopLoss(), body.takeProfit(), body.strategy(),
                    body.notes(), LocalDate.now(clock.withZone(MARKET_ZONE)));
        } catch (ValidationFailedException e) {
            errors.addAll(e.errors());
        }
        if (!errors.isEmpty()) {
            throw new ValidationFailedException(errors);
        }
        String username = principal.getName();
        TradeId tradeId = TradeId.forSubmission(username, key);
        Integer maxOpenTrades;
        try {
            maxOpenTrades = risk.check(username, order);
        } catch (RuntimeException refused) {
            // a retry of an existing trade answers it even if the limits have filled up since (with this very
            // trade) or the market cannot be asked; looked up only then, so a new trade costs no extra read
            if (!commands.exists(tradeId)) {
                throw refused;
            }
            maxOpenTrades = null;
        }
        TradeAck ack = commands.place(new PlaceTradeCommand(tradeId, username, order, key, maxOpenTrades));
        return accepted(ack);
    }

    @PostMapping("/{id}/close")
    ResponseEntity<AckResponse> close(@PathVariable String id, @RequestBody(required = false) CloseRequest body,
                                      @RequestHeader(name = HttpHeaders.IF_MATCH, required = false) String ifMatch,
                                      Principal principal) {
        if (body != null && body.reason() != null && !CloseReason.MANUAL.name().equals(body.reason())) {
            throw ValidationFailedException.of("reason", "a user closes with reason MANUAL");
        }
        return accepted(commands.send(new RequestCloseCommand(new TradeId(id), CloseReason.MANUAL,
                Actor.user(principal.getName()),
                expectedVersion(ifMatch))));
    }

    @PostMapping("/{id}/cancel")
    ResponseEntity<AckResponse> cancel(@PathVariable String id,
                                       @RequestHeader(name = HttpHeaders.IF_MATCH, required = false) String ifMatch,
                                       Principal principal) {
        return accepted(commands.send(new CancelTradeCommand(new TradeId(id), CloseReason.CANCELED, "canceled by user",
                Actor.user(principal.getName()), expectedVersion(ifMatch))));
    }

    @PutMapping("/{id}/brackets")
    ResponseEntity<AckResponse> brackets(@PathVariable String id, @RequestBody BracketsRequest body,
                                         @RequestHeader(name = HttpHeaders.IF_MATCH, required = false) String ifMatch,
                                         Principal principal) {
        List<FieldError> errors = new ArrayList<>();
        TradeOrder.checkPrice("stopLoss", body.stopLoss(), errors);
        TradeOrder.checkPrice("takeProfit", body.takeProfit(), errors);
        if (!errors.isEmpty()) {
            throw new ValidationFailedException(errors);
        }
        return accepted(commands.send(new ChangeBracketsCommand(new TradeId(id), Money.of(body.stopLoss()),
                Money.of(body.takeProfit()), Actor.user(principal.getName()), expectedVersion(ifMatch))));
    }

    @PostMapping("/{id}/notes")
    ResponseEntity<AckResponse> notes(@PathVariable String id, @RequestBody NoteRequest body,
                                      @RequestHeader(name = HttpHeaders.IF_MATCH, required = false) String ifMatch,
                                      Principal principal) {
        FieldChecks.requireText("text", body.text(), TradeOrder.MAX_NOTES, true);
        return accepted(commands.send(new AnnotateTradeCommand(new TradeId(id), body.text(), Actor.user(principal.getName()),
                expectedVersion(ifMatch))));
    }

    /** {@code If-Match: "3"} (or {@code 3}, {@code W/"3"}) → 3; absent or {@code *} → no check. */
    static Long expectedVersion(String ifMatch) {
        if (ifMatch == null || ifMatch.isBlank() || ifMatch.trim().equals("*")) {
            return null;
        }
        Matcher m = IF_MATCH.matcher(ifMatch.trim());
        if (!m.matches()) {
            throw ValidationFailedException.of("If-Match", "expected the trade's version, e.g. \"3\"");
        }
        return Long.parseLong(m.group(1));
    }

    private static ResponseEntity<AckResponse> accepted(TradeAck ack) {
        return ResponseEntity.status(HttpStatus.ACCEPTED)
                .location(URI.create("/api/trades/" + ack.tradeId()))
                .eTag("\"" + ack.version() + "\"")
                .body(new AckResponse(ack.tradeId().value(), ack.status(), ack.version()));
    }
}
