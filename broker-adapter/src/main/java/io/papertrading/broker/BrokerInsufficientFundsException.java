package io.papertrading.broker;

/** An order rejected because the account lacks the buying power for it. */
public class BrokerInsufficientFundsException extends BrokerOrderRejectedException {
    public BrokerInsufficientFundsException(String reason) {
        super(reason);
    }
}
