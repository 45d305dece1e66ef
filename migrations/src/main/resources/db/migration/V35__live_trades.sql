-- The command side's own list of live trades (PENDING, PARTIALLY_FILLED, OPEN, CLOSING), written in the transaction
-- of the command that places or ends each trade: what maxOpenTrades and the broker-switch guard count. The read
-- model lags the event store, so counting paper_trades let ten parallel placements under a limit of one all pass.
-- No row-level security, as for desk_orders: only the engine reads and writes it (default privileges, V33).
CREATE TABLE live_trades (
    trade_id    text         PRIMARY KEY,
    username    varchar(64)  NOT NULL
);
CREATE INDEX ix_live_trades_username ON live_trades (username);

-- Trades live before this migration, from the price monitor's working set (every unfinished trade, no row-level
-- security); a trade its processor had not reached yet is counted from its next placement on, and its end removes
-- nothing that is not there.
INSERT INTO live_trades (trade_id, username)
SELECT trade_id, username FROM monitor_live_trades;
