package io.papertrading.broker;

import java.util.List;

/**
 * Result of a connection test: {@code ok} when the credentials work and the configured account is among
 * {@code accountIds}; {@code accountType} is that account's type (margin, cash...) when known.
 */
public record ConnectionInfo(boolean ok, String accountId, List<String> accountIds, String accountType,
                             String accountName) {

    public ConnectionInfo {
        accountIds = List.copyOf(accountIds);
    }
}
