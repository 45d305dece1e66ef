package io.papertrading.broker.tradier;

import io.papertrading.broker.OcoRequest;
import io.papertrading.broker.OrderRequest;
import io.papertrading.broker.OrderSide;
import io.papertrading.kernel.money.Money;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Order requests to Tradier's form fields (application/x-www-form-urlencoded). */
final class TradierForms {

    private TradierForms() {
    }

    static Map<String, String> order(OrderRequest order) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("class", order.instrument().isOption() ? "option" : "equity");
        putLeg(form, "", order);
        form.put("duration", lower(order.duration()));
        putTag(form, order.tag());
        return form;
    }

    /** OCO legs use literal indexed keys: symbol[0], side[0]... and the stop leg second. */
    static Map<String, String> oco(OcoRequest oco) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("class", "oco");
        form.put("duration", lower(oco.duration()));
        putLeg(form, "[0]", oco.limitLeg());
        putLeg(form, "[1]", oco.stopLeg());
        putTag(form, oco.tag());
        return form;
    }

    private static void putLeg(Map<String, String> form, String index, OrderRequest leg) {
        form.put("symbol" + index, leg.instrument().symbol());
        if (leg.instrument().isOption()) {
            form.put("option_symbol" + index, leg.instrument().optionSymbol().occ());
        }
        form.put("side" + index, side(leg.side(), leg.instrument().isOption()));
        form.put("quantity" + index, Integer.toString(leg.quantity()));
        form.put("type" + index, lower(leg.type()));
        putPrice(form, "price" + index, leg.limitPrice());
        putPrice(form, "stop" + index, leg.stopPrice());
    }

    private static void putTag(Map<String, String> form, String tag) {
        if (tag != null) {
            form.put("tag", tag);
        }
    }

    private static void putPrice(Map<String, String> form, String key, Money price) {
        if (price != null) {
            form.put(key, price.amount().toPlainString());
        }
    }

    /** Equities say buy / sell / sell_short / buy_to_cover; options say buy_to_open and friends. */
    static String side(OrderSide side, boolean option) {
        if (option) {
            return side.name().toLowerCase(Locale.ROOT);
        }
        return switch (side) {
            case BUY_TO_OPEN -> "buy";
            case SELL_TO_CLOSE -> "sell";
            case SELL_TO_OPEN -> "sell_short";
            case BUY_TO_CLOSE -> "buy_to_cover";
        };
    }

    private static String lower(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
