package io.papertrading.app.execution;

import io.papertrading.command.trade.LiveTrades;
import io.papertrading.kernel.trade.TradeId;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * {@link LiveTrades} in {@code live_trades} (migration V35), on the engine's connection and transaction: the
 * aggregate's count and the ledger's writes join the command's unit of work. The user's lock is a transaction
 * advisory lock in a key space of its own (two int keys: 0x6c697665 "live", the username's hash); a collision of
 * two users' hashes only makes their placements wait for each other.
 */
@Component
class JdbcLiveTrades implements LiveTrades {

    private static final int LOCK_SPACE = 0x6c697665;

    private final JdbcTemplate jdbc;

    JdbcLiveTrades(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public int lockAndCount(String username) {
        jdbc.query("select pg_advisory_xact_lock(?, hashtext(?))", rs -> null, LOCK_SPACE, username);
        return count(username);
    }

    @Override
    public int count(String username) {
        Integer live = jdbc.queryForObject("select count(*) from live_trades where username = ?", Integer.class,
                username);
        return live == null ? 0 : live;
    }

    @Override
    public void add(String username, TradeId tradeId) {
        jdbc.update("insert into live_trades (trade_id, username) values (?, ?) on conflict do nothing",
                tradeId.value(), username);
    }

    @Override
    public void remove(TradeId tradeId) {
        jdbc.update("delete from live_trades where trade_id = ?", tradeId.value());
    }
}
