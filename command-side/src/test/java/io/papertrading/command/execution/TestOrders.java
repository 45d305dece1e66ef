package io.papertrading.command.execution;

import io.papertrading.kernel.instrument.Instrument;
import io.papertrading.kernel.instrument.OptionSymbol;
import io.papertrading.kernel.money.Money;
import io.papertrading.kernel.trade.OrderType;
import io.papertrading.kernel.trade.Side;
import io.papertrading.kernel.trade.TradeOrder;

/** The orders the execution tests place: buys of AAPL (or an AAPL option), with or without brackets. */
final class TestOrders {

    static final Instrument AAPL = Instrument.stock("AAPL");

    private TestOrders() {
    }

    static TradeOrder market(int quantity) {
        return new TradeOrder(AAPL, Side.BUY, quantity, OrderType.MARKET, null, null, null, null, null);
    }

    static TradeOrder limit(int quantity, String price) {
        return new TradeOrder(AAPL, Side.BUY, quantity, OrderType.LIMIT, Money.of(price), null, null, null, null);
    }

    /** Five shares at market with a stop loss at 95 and a take profit at 110. */
    static TradeOrder bracketed() {
        return new TradeOrder(AAPL, Side.BUY, 5, OrderType.MARKET, null, Money.of("95"), Money.of("110"), null, null);
    }

    static TradeOrder option(OptionSymbol contract, int quantity) {
        return new TradeOrder(Instrument.option(contract), Side.BUY, quantity, OrderType.MARKET, null, null, null,
                null, null);
    }
}
