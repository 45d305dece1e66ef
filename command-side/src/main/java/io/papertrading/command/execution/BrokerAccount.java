package io.papertrading.command.execution;

import io.papertrading.broker.BrokerProvider;

import java.util.Objects;

/**
 * The broker account a user trades through. {@code accountKey} identifies the account across users and nodes
 * (e.g. {@code tradier:VA000001} or {@code simulated:alice}): polls are batched per key, so every trade of one
 * account is answered from one list-orders request per tick. {@code supportsOco} says whether brackets can be
 * handed to the broker as a one-cancels-other order.
 */
public record BrokerAccount(String accountKey, String brokerName, BrokerProvider provider, boolean supportsOco) {

    public BrokerAccount {
        Objects.requireNonNull(accountKey, "accountKey");
        Objects.requireNonNull(brokerName, "brokerName");
        Objects.requireNonNull(provider, "provider");
    }
}
