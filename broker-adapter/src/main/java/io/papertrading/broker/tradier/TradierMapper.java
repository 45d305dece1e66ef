package io.papertrading.broker.tradier;

import com.fasterxml.jackson.databind.JsonNode;
import io.papertrading.broker.Balance;
import io.papertrading.broker.ConnectionInfo;
import io.papertrading.broker.Greeks;
import io.papertrading.broker.OptionQuote;
import io.papertrading.broker.OrderSide;
import io.papertrading.broker.OrderState;
import io.papertrading.broker.OrderStatusReport;
import io.papertrading.broker.Position;
import io.papertrading.broker.PriceType;
import io.papertrading.broker.Quote;
import io.papertrading.kernel.instrument.OptionSymbol;
import io.papertrading.kernel.money.Money;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static io.papertrading.broker.tradier.TradierJson.decimal;
import static io.papertrading.broker.tradier.TradierJson.epoch;
import static io.papertrading.broker.tradier.TradierJson.items;
import static io.papertrading.broker.tradier.TradierJson.list;
import static io.papertrading.broker.tradier.TradierJson.money;
import static io.papertrading.broker.tradier.TradierJson.text;
import static io.papertrading.broker.tradier.TradierJson.timestamp;
import static io.papertrading.broker.tradier.TradierJson.whole;

/** Tradier JSON trees to broker-neutral records. */
final class TradierMapper {

    private TradierMapper() {
    }

    static List<Quote> quotes(JsonNode root) {
        // quotes.unmatched_symbols lists symbols Tradier does not know; they are simply absent from the result.
        return list(root, "quotes", "quote").stream().map(TradierMapper::quote).toList();
    }

    static Quote quote(JsonNode q) {
        return new Quote(text(q, "symbol"), text(q, "description"), money(q, "bid"), money(q, "ask"),
                money(q, "last"), whole(q, "volume"), whole(q, "bidsize"), whole(q, "asksize"), null,
                greeks(q.path("greeks")), epoch(q, "trade_date"));
    }

    static List<OptionQuote> chain(JsonNode root) {
        List<OptionQuote> chain = new ArrayList<>();
        for (JsonNode o : list(root, "options", "option")) {
            String symbol = text(o, "symbol");
            OptionSymbol.tryParse(symbol)
                    .ifPresent(contract -> chain.add(new OptionQuote(contract, quote(o), whole(o, "open_interest"))));
        }
        return chain;
    }

    static Greeks greeks(JsonNode g) {
        if (!g.isObject()) {
            return null;
        }
        BigDecimal iv = decimal(g, "mid_iv");
        if (iv == null || iv.signum() == 0) {
            // mid_iv is 0 when a side of the market is missing; ORATS' smoothed vol is the usable figure then.
            iv = decimal(g, "smv_vol");
        }
        return new Greeks(decimal(g, "delta"), decimal(g, "gamma"), decimal(g, "theta"), decimal(g, "vega"),
                decimal(g, "rho"), iv, timestamp(g, "updated_at"));
    }

    static List<LocalDate> expirations(JsonNode root) {
        JsonNode exp = root.path("expirations");
        if (!exp.isObject()) {
            return List.of();
        }
        List<LocalDate> dates = new ArrayList<>();
        for (JsonNode d : items(exp.path("date"))) {
            dates.add(LocalDate.parse(d.asText()));
        }
        // The variant with strikes=true nests each date in an "expiration" object.
        for (JsonNode e : items(exp.path("expiration"))) {
            dates.add(LocalDate.parse(text(e, "date")));
        }
        return dates.stream().distinct().sorted().toList();
    }

    static List<OrderStatusReport> orders(JsonNode root) {
        return list(root, "orders", "order").stream().map(TradierMapper::order).toList();
    }

    static OrderStatusReport order(JsonNode o) {
        BigDecimal quantity = decimal(o, "quantity");
        BigDecimal exec = decimal(o, "exec_quantity");
        BigDecimal remaining = decimal(o, "remaining_quantity");
        if (remaining == null && quantity != null && exec != null) {
            remaining = quantity.subtract(exec);
        }
        List<OrderStatusReport> legs = items(o.path("leg")).stream().map(TradierMapper::order).toList();
        return new OrderStatusReport(text(o, "id"), state(text(o, "status")), text(o, "symbol"),
                text(o, "option_symbol"), side(text(o, "side")), type(text(o, "type")), quantity, exec, remaining,
                money(o, "avg_fill_price"), money(o, "last_fill_price"), text(o, "tag"),
                text(o, "reason_description"), timestamp(o, "create_date"), legs);
    }

    /** Unknown statuses map to UNKNOWN, which is not terminal: the caller keeps polling instead of failing. */
    static OrderState state(String status) {
        if (status == null) {
            return OrderState.UNKNOWN;
        }
        return switch (status.toLowerCase(Locale.ROOT)) {
            case "pending", "submitted" -> OrderState.PENDING;
            case "open" -> OrderState.OPEN;
            case "partially_filled" -> OrderState.PARTIALLY_FILLED;
            case "filled" -> OrderState.FILLED;
            case "canceled", "cancelled" -> OrderState.CANCELED;
            case "expired" -> OrderState.EXPIRED;
            case "rejected" -> OrderState.REJECTED;
            case "pending_cancel" -> OrderState.PENDING_CANCEL;
            case "error" -> OrderState.ERROR;
            default -> OrderState.UNKNOWN;
        };
    }

    static OrderSide side(String side) {
        if (side == null) {
            return null;
        }
        return switch (side) {
            case "buy", "buy_to_open" -> OrderSide.BUY_TO_OPEN;
            case "sell", "sell_to_close" -> OrderSide.SELL_TO_CLOSE;
            case "sell_short", "sell_to_open" -> OrderSide.SELL_TO_OPEN;
            case "buy_to_cover", "buy_to_close" -> OrderSide.BUY_TO_CLOSE;
            default -> null;
        };
    }

    static PriceType type(String type) {
        if (type == null) {
            return null;
        }
        return switch (type) {
            case "market" -> PriceType.MARKET;
            case "limit", "debit", "credit", "even" -> PriceType.LIMIT;
            case "stop", "stop_limit" -> PriceType.STOP;
            default -> null;
        };
    }

    static Balance balance(JsonNode root) {
        JsonNode b = root.path("balances");
        String type = text(b, "account_type");
        Money cash = money(b, "total_cash");
        Money optionBp;
        Money stockBp;
        JsonNode detail = type == null ? b.path("margin") : b.path(type.toLowerCase(Locale.ROOT));
        if ("cash".equalsIgnoreCase(type)) {
            optionBp = money(detail, "cash_available");
            stockBp = optionBp;
        } else {
            optionBp = money(detail, "option_buying_power");
            stockBp = money(detail, "stock_buying_power");
        }
        return new Balance(text(b, "account_number"), type, money(b, "total_equity"), cash,
                optionBp == null ? cash : optionBp, stockBp == null ? cash : stockBp);
    }

    static List<Position> positions(JsonNode root) {
        return list(root, "positions", "position").stream()
                .map(p -> new Position(text(p, "symbol"), decimal(p, "quantity"), money(p, "cost_basis"),
                        timestamp(p, "date_acquired")))
                .toList();
    }

    static ConnectionInfo connection(JsonNode root, String accountId) {
        JsonNode profile = root.path("profile");
        List<String> ids = new ArrayList<>();
        String accountType = null;
        for (JsonNode a : items(profile.path("account"))) {
            String id = text(a, "account_number");
            ids.add(id);
            if (accountId.equals(id)) {
                accountType = text(a, "type");
            }
        }
        return new ConnectionInfo(ids.contains(accountId), accountId, ids, accountType, text(profile, "name"));
    }
}
