package io.papertrading.broker;

/** The broker refused an order; {@link #reason()} is the broker's own explanation, fit to show the user. */
public class BrokerOrderRejectedException extends BrokerException {

    private final String reason;

    public BrokerOrderRejectedException(String reason) {
        super("order rejected: " + reason);
        this.reason = reason;
    }

    /**
     * The exception for a broker's rejection text: {@link BrokerInsufficientFundsException} when the reason is
     * about buying power or funds, else a plain rejection.
     */
    public static BrokerOrderRejectedException forReason(String reason) {
        String text = reason == null || reason.isBlank() ? "rejected by the broker without a reason" : reason;
        String lower = text.toLowerCase(java.util.Locale.ROOT);
        boolean funds = lower.contains("buying power") || lower.contains("insufficient") || lower.contains("not enough");
        return funds ? new BrokerInsufficientFundsException(text) : new BrokerOrderRejectedException(text);
    }

    public String reason() {
        return reason;
    }
}
