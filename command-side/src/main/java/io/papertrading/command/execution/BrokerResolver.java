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

    /**
     * The user's broker account read from their settings now, past anything the implementation remembers: for a
     * caller that found {@link #resolve} naming another account than the one it works with.
     */
    default BrokerAccount reload(String username) {
        return resolve(username);
    }
}
