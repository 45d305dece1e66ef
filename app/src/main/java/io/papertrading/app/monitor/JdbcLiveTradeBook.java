package io.papertrading.app.monitor;

import io.papertrading.command.monitor.LiveTrade;
import io.papertrading.command.monitor.LiveTradeBook;
import io.papertrading.kernel.money.Money;
import io.papertrading.kernel.trade.CloseReason;
import io.papertrading.kernel.trade.Side;
import io.papertrading.kernel.trade.TradeId;
import io.papertrading.kernel.trade.TradeStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;

/**
 * The price monitor's working set in {@code monitor_live_trades} (V21): all users' unfinished trades, without
 * row-level security on purpose (the monitor is a system component acting for every user). Only the monitor's
 * tracker and the monitor use this class; no request handler reads the table. Writes join the event processor's
 * transaction; every change is guarded by the event's version, so redelivery and replay change nothing.
 */
@Component
class JdbcLiveTradeBook implements LiveTradeBook {

    private final JdbcTemplate jdbc;

    JdbcLiveTradeBook(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void placed(TradeId id, String username, String quoteSymbol, Side side, Money stopLoss, Money takeProfit,
                       long version) {
        jdbc.update("""
                insert into monitor_live_trades (trade_id, username, quote_symbol, side, status, stop_loss, take_profit, version)
                values (?, ?, ?, ?, 'PENDING', ?, ?, ?) on conflict (trade_id) do nothing""",
                id.value(), username, quoteSymbol, side.name(), amount(stopLoss), amount(takeProfit), version);
    }

    @Override
    public void filled(TradeId id, TradeStatus status, int filledQuantity, Money entryPrice, long version) {
        jdbc.update("""
                update monitor_live_trades set status = ?, filled_quantity = ?, entry_price = ?, version = ?
                where trade_id = ? and version < ?""",
                status.name(), filledQuantity, amount(entryPrice), version, id.value(), version);
    }

    @Override
    public void status(TradeId id, TradeStatus status, long version) {
        jdbc.update("update monitor_live_trades set status = ?, version = ? where trade_id = ? and version < ?",
                status.name(), version, id.value(), version);
    }

    @Override
    public void brackets(TradeId id, Money stopLoss, Money takeProfit, long version) {
        jdbc.update("""
                update monitor_live_trades
                set stop_loss = ?, take_profit = ?, trigger_reason = null, crossed_since = null, version = ?
                where trade_id = ? and version < ?""",
                amount(stopLoss), amount(takeProfit), version, id.value(), version);
    }

    @Override
    public void finished(TradeId id) {
        jdbc.update("delete from monitor_live_trades where trade_id = ?", id.value());
    }

    @Override
    public List<LiveTrade> monitored() {
        return jdbc.query("""
                select trade_id, username, quote_symbol, side, status, filled_quantity, entry_price, stop_loss,
                       take_profit, trigger_reason, crossed_since
                from monitor_live_trades where status in ('OPEN', 'PARTIALLY_FILLED', 'CLOSING')
                order by trade_id""",
                (rs, n) -> {
                    Timestamp crossed = rs.getTimestamp("crossed_since");
                    String trigger = rs.getString("trigger_reason");
                    return new LiveTrade(new TradeId(rs.getString("trade_id")), rs.getString("username"),
                            rs.getString("quote_symbol"), Side.valueOf(rs.getString("side")),
                            TradeStatus.valueOf(rs.getString("status")), rs.getInt("filled_quantity"),
                            money(rs.getBigDecimal("entry_price")), money(rs.getBigDecimal("stop_loss")),
                            money(rs.getBigDecimal("take_profit")), trigger == null ? null : CloseReason.valueOf(trigger),
                            crossed == null ? null : crossed.toInstant());
                });
    }

    @Override
    public void crossed(TradeId id, Instant since) {
        jdbc.update("update monitor_live_trades set crossed_since = ? where trade_id = ?",
                since == null ? null : Timestamp.from(since), id.value());
    }

    @Override
    public boolean claimTrigger(TradeId id, CloseReason reason) {
        return jdbc.update("update monitor_live_trades set trigger_reason = ? where trade_id = ? and trigger_reason is null",
                reason.name(), id.value()) == 1;
    }

    @Override
    public void releaseTrigger(TradeId id) {
        jdbc.update("update monitor_live_trades set trigger_reason = null where trade_id = ?", id.value());
    }

    private static BigDecimal amount(Money m) {
        return m == null ? null : m.amount();
    }

    private static Money money(BigDecimal b) {
        return b == null ? null : new Money(b);
    }
}
