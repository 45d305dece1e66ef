package io.papertrading.query.support;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A bounded memory of trade id → username. Only TradePlaced carries the username, and RLS hides a trade's row
 * until its user is bound, so later events would otherwise cost an extra database lookup each. A trade's
 * owner never changes, so an entry never goes stale; a miss falls back to the projection's owner lookup.
 * Shared by the projections; thread-safe.
 */
public final class TradeOwners {

    private final int capacity;
    private final Map<String, String> owners;

    public TradeOwners(int capacity) {
        this.capacity = capacity;
        // access order: the trades still receiving events stay, finished ones age out
        this.owners = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
                return size() > TradeOwners.this.capacity;
            }
        };
    }

    public synchronized String get(String tradeId) {
        return owners.get(tradeId);
    }

    public synchronized void put(String tradeId, String username) {
        owners.put(tradeId, username);
    }

    public synchronized void clear() {
        owners.clear();
    }

    public synchronized int size() {
        return owners.size();
    }
}
