package io.papertrading.query.trade;

import io.papertrading.kernel.instrument.Instrument;
import io.papertrading.kernel.instrument.OptionSymbol;

import java.math.BigDecimal;
import java.util.Map;

/**
 * One trade's row as {@link TradeFold} builds it from the trade's events: the {@code paper_trades} columns the
 * API shows ({@link #trade()}), the two it does not, and the contract multiplier its prices are valued with.
 * Immutable; values are what the database stores (prices and P&amp;L at 4 decimals, times at microseconds),
 * except inside the trade context, which keeps exact figures as the column always has.
 *
 * @param multiplier shares per unit of quantity: 100 for an option contract, 1 for a share
 */
public record TradeRow(TradeView trade, String exitOrderId, String requestHash, BigDecimal multiplier) {

    /** Shares per unit of quantity of a stored row's instrument ({@code optionSymbol} null: a stock). */
    static BigDecimal multiplierOf(String symbol, String optionSymbol) {
        Instrument instrument = optionSymbol == null ? Instrument.stock(symbol)
                : Instrument.option(OptionSymbol.parse(optionSymbol));
        return instrument.multiplier();
    }

    /** How many units are still held: the entry fill less what partial exits sold ({@code exitedQuantity}). */
    public int heldQuantity() {
        Object exited = context().get(TradeFold.EXITED_QUANTITY);
        return trade.filledQuantity() - (exited instanceof Number n ? n.intValue() : 0);
    }

    /** The row's trade context (read-only). */
    public Map<String, Object> context() {
        return trade.tradeContext();
    }
}
