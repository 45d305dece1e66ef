package io.papertrading.kernel.trade.command;

import io.papertrading.kernel.trade.TradeId;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** The execution saga cannot reach the trade's broker account for a reason the user must fix (null: it can again). */
public record ReportBrokerProblemCommand(@TargetAggregateIdentifier TradeId tradeId, String problem) {

    /** The account answers again. */
    public static ReportBrokerProblemCommand cleared(TradeId tradeId) {
        return new ReportBrokerProblemCommand(tradeId, null);
    }
}
