package io.papertrading.broker;

/** Broker-neutral order status. {@link #UNKNOWN} stands for any status the adapter does not recognise. */
public enum OrderState {
    PENDING, OPEN, PARTIALLY_FILLED, FILLED, CANCELED, EXPIRED, REJECTED, PENDING_CANCEL, ERROR, UNKNOWN;

    /** Whether the order can no longer change. UNKNOWN is not terminal: keep polling rather than guess. */
    public boolean isTerminal() {
        return switch (this) {
            case FILLED, CANCELED, EXPIRED, REJECTED, ERROR -> true;
            default -> false;
        };
    }

    /** Whether the order may still fill. */
    public boolean isWorking() {
        return !isTerminal();
    }
}
