package io.papertrading.command.trade;

import io.papertrading.kernel.trade.TradeId;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** {@link LiveTrades} in a map, for aggregate and saga fixtures (one thread: the lock is the fixture's). */
public final class InMemoryLiveTrades implements LiveTrades {

    private final Map<TradeId, String> owners = new ConcurrentHashMap<>();

    @Override
    public int lockAndCount(String username) {
        return count(username);
    }

    @Override
    public int count(String username) {
        return (int) owners.values().stream().filter(username::equals).count();
    }

    @Override
    public void add(String username, TradeId tradeId) {
        owners.put(tradeId, username);
    }

    @Override
    public void remove(TradeId tradeId) {
        owners.remove(tradeId);
    }
}
