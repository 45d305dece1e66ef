package io.papertrading.broker;

import io.papertrading.kernel.money.Money;

/**
 * Account balances. Buying power is split as brokers report it: option buying power and stock buying power
 * (equal for a cash account, where both are the cash available).
 */
public record Balance(String accountNumber, String accountType, Money totalEquity, Money cash,
                      Money optionBuyingPower, Money stockBuyingPower) {

    /** Buying power for the given kind of instrument. */
    public Money buyingPower(boolean option) {
        return option ? optionBuyingPower : stockBuyingPower;
    }
}
