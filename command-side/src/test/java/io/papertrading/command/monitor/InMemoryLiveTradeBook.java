package io.papertrading.command.monitor;

import io.papertrading.kernel.money.Money;
import io.papertrading.kernel.trade.CloseReason;
import io.papertrading.kernel.trade.Side;
import io.papertrading.kernel.trade.TradeId;
import io.papertrading.kernel.trade.TradeStatus;

import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The book in memory, with the same version guards as the application's table. */
final class InMemoryLiveTradeBook implements LiveTradeBook {

    private record Row(LiveTrade trade, long version) {
    }

    private final Map<TradeId, Row> rows = new LinkedHashMap<>();

    @Override
    public synchronized void placed(TradeId id, String username, String quoteSymbol, Side side, Money stopLoss,
                                    Money takeProfit, long version) {
        rows.putIfAbsent(id, new Row(new LiveTrade(id, username, quoteSymbol, side, TradeStatus.PENDING, 0, null,
                stopLoss, takeProfit, null, null), version));
    }

    @Override
    public synchronized void filled(TradeId id, TradeStatus status, int filledQuantity, Money entryPrice, long version) {
        change(id, version, t -> new LiveTrade(id, t.username(), t.quoteSymbol(), t.side(), status, filledQuantity,
                entryPrice, t.stopLoss(), t.takeProfit(), t.triggerReason(), t.crossedSince()));
    }

    @Override
    public synchronized void status(TradeId id, TradeStatus status, long version) {
        change(id, version, t -> new LiveTrade(id, t.username(), t.quoteSymbol(), t.side(), status, t.filledQuantity(),
                t.entryPrice(), t.stopLoss(), t.takeProfit(), t.triggerReason(), t.crossedSince()));
    }

    @Override
    public synchronized void brackets(TradeId id, Money stopLoss, Money takeProfit, long version) {
        change(id, version, t -> new LiveTrade(id, t.username(), t.quoteSymbol(), t.side(), t.status(),
                t.filledQuantity(), t.entryPrice(), stopLoss, takeProfit, null, null));
    }

    @Override
    public synchronized void finished(TradeId id) {
        rows.remove(id);
    }

    @Override
    public synchronized List<LiveTrade> monitored() {
        EnumSet<TradeStatus> live = EnumSet.of(TradeStatus.OPEN, TradeStatus.PARTIALLY_FILLED, TradeStatus.CLOSING);
        return rows.values().stream().map(Row::trade).filter(t -> live.contains(t.status())).toList();
    }

    @Override
    public synchronized void crossed(TradeId id, Instant since) {
        Row r = rows.get(id);
        if (r != null) {
            LiveTrade t = r.trade();
            rows.put(id, new Row(new LiveTrade(id, t.username(), t.quoteSymbol(), t.side(), t.status(),
                    t.filledQuantity(), t.entryPrice(), t.stopLoss(), t.takeProfit(), t.triggerReason(), since), r.version()));
        }
    }

    @Override
    public synchronized boolean claimTrigger(TradeId id, CloseReason reason) {
        Row r = rows.get(id);
        if (r == null || r.trade().triggerReason() != null) {
            return false;
        }
        LiveTrade t = r.trade();
        rows.put(id, new Row(new LiveTrade(id, t.username(), t.quoteSymbol(), t.side(), t.status(), t.filledQuantity(),
                t.entryPrice(), t.stopLoss(), t.takeProfit(), reason, t.crossedSince()), r.version()));
        return true;
    }

    @Override
    public synchronized void releaseTrigger(TradeId id) {
        Row r = rows.get(id);
        if (r != null) {
            LiveTrade t = r.trade();
            rows.put(id, new Row(new LiveTrade(id, t.username(), t.quoteSymbol(), t.side(), t.status(),
                    t.filledQuantity(), t.entryPrice(), t.stopLoss(), t.takeProfit(), null, t.crossedSince()), r.version()));
        }
    }

    private void change(TradeId id, long version, java.util.function.UnaryOperator<LiveTrade> f) {
        Row r = rows.get(id);
        if (r != null && r.version() < version) {
            rows.put(id, new Row(f.apply(r.trade()), version));
        }
    }
}
