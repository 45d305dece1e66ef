package io.papertrading.app.broker;

import io.papertrading.broker.Balance;
import io.papertrading.broker.BrokerProvider;
import io.papertrading.broker.Quote;
import io.papertrading.command.trade.EntryRiskPolicy;
import io.papertrading.kernel.error.FieldError;
import io.papertrading.kernel.error.RiskLimitException;
import io.papertrading.kernel.error.ValidationFailedException;
import io.papertrading.kernel.money.Money;
import io.papertrading.kernel.trade.OrderType;
import io.papertrading.kernel.trade.Side;
import io.papertrading.kernel.trade.TradeOrder;
import org.springframework.stereotype.Component;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks an entry against the market and the user's limits. A market order's brackets are checked against the
 * current ask (buy) or bid (sell), its only entry reference. The limits: the position's cost at the current price
 * (max position cost) and the broker's buying power; the user's max open trades goes into the placement, whose
 * aggregate counts live trades exactly. Cost = price × quantity × multiplier, with the limit
 * price for a limit order and the ask (buy) or bid (sell) for a market order. A limit is reached, not broken,
 * at equality.
 */
@Component
class RiskLimits implements EntryRiskPolicy {

    static final String MAX_POSITION_COST = "maxPositionCost";
    static final String BUYING_POWER = "buyingPower";

    private final UserBrokers brokers;

    RiskLimits(UserBrokers brokers) {
        this.brokers = brokers;
    }

    @Override
    public Integer check(String username, TradeOrder order) {
        // as this node read them within the settings TTL: a change saved here is seen at once, on another node within it
        UserBrokers.Resolved user = brokers.current(username);
        UserSettings limits = user.settings();
        BrokerProvider broker = user.account().provider();
        Money price = entryPrice(broker, order);
        if (order.orderType() == OrderType.MARKET && (order.stopLoss() != null || order.takeProfit() != null)) {
            // a market order has no price of its own: its brackets must sit on the right side of the market
            List<FieldError> errors = new ArrayList<>();
            TradeOrder.checkBrackets(order.side(), price.amount(), amount(order.stopLoss()), amount(order.takeProfit()), errors);
            if (!errors.isEmpty()) {
                throw new ValidationFailedException(errors);
            }
        }
        Money cost = price.times(BigDecimal.valueOf(order.quantity())).times(order.multiplier());
        if (limits.maxPositionCost() != null && cost.amount().compareTo(limits.maxPositionCost()) > 0) {
            throw new RiskLimitException(MAX_POSITION_COST, "the position would cost " + cost
                    + " and your limit is " + limits.maxPositionCost().toPlainString());
        }
        Balance balance = broker.getBalance();
        Money buyingPower = balance.buyingPower(order.instrument().isOption());
        if (buyingPower != null && cost.compareTo(buyingPower) > 0) {
            throw new RiskLimitException(BUYING_POWER, "the position would cost " + cost
                    + " and your buying power is " + buyingPower);
        }
        return limits.maxOpenTrades();
    }

    private static BigDecimal amount(Money money) {
        return money == null ? null : money.amount();
    }

    private static Money entryPrice(BrokerProvider broker, TradeOrder order) {
        if (order.orderType() == OrderType.LIMIT) {
            return order.limitPrice();
        }
        List<Quote> quotes = broker.getQuotes(List.of(order.instrument().tradedSymbol()));
        Quote quote = quotes.isEmpty() ? null : quotes.get(0);
        Money price = quote == null ? null : order.side() == Side.BUY ? quote.ask() : quote.bid();
        if (price == null && quote != null) {
            price = quote.mark();
        }
        if (price == null) {
            throw new RiskLimitException("quote", "no price for " + order.instrument().tradedSymbol()
                    + " to check your limits against; try a limit order");
        }
        return price;
    }
}
