package io.papertrading.kernel.error;

/**
 * The user asked to switch to another broker account while trades still live at the current one. Their sagas
 * must keep talking to the broker that holds their orders, so the switch waits until those trades have ended.
 */
public final class BrokerInUseException extends RequestRefusedException {
    private final int liveTrades;

    public BrokerInUseException(int liveTrades) {
        super(ErrorCode.BROKER_IN_USE, "you have " + liveTrades + " live trade" + (liveTrades == 1 ? "" : "s")
                + " with your current broker: close or cancel them before switching to another broker account");
        this.liveTrades = liveTrades;
    }

    public int liveTrades() {
        return liveTrades;
    }
}
