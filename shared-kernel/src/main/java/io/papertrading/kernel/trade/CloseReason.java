package io.papertrading.kernel.trade;

/** Why a trade ended (or is being closed). */
public enum CloseReason {
    MANUAL, STOP_LOSS, TAKE_PROFIT, EXPIRED, REJECTED, CANCELED, TIMEOUT
}
