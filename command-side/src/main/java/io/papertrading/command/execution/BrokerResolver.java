package io.papertrading.command.execution;

/**
 * Finds the broker account a user's trades execute with. Implementations are cheap to call repeatedly (the
 * saga resolves on every step rather than keeping a provider in its stored state) and thread-safe.
 */
public interface BrokerResolver {

    /**
     * The user's broker account. Throws {@link io.papertrading.broker.BrokerException} (e.g. an auth failure for
     * unusable credentials) when the user cannot trade; the saga then rejects the trade with its message.
     */
    BrokerAccount resolve(String username);
}
