-- The price monitor's working set (command side): every trade that is not finished, across all users, with
-- what the monitor needs to quote it and to check its brackets. Maintained by the command side's
-- "price-monitor" event processor from the trade events; read only by the price monitor (one cluster-wide
-- task). No row-level security on purpose: the monitor must see every user's live trades, and request handling
-- never reads this table (it is not part of the read model and no query or controller touches it). It holds
-- no secrets: ids, symbols, quantities, prices and brackets that the event store holds anyway.
CREATE TABLE monitor_live_trades (
    trade_id         text           PRIMARY KEY,
    username         varchar(64)    NOT NULL,
    quote_symbol     varchar(21)    NOT NULL,   -- the stock, or the option's OCC symbol
    side             varchar(4)     NOT NULL CHECK (side IN ('BUY', 'SELL')),
    status           varchar(16)    NOT NULL
        CHECK (status IN ('PENDING', 'OPEN', 'PARTIALLY_FILLED', 'CLOSING')),
    filled_quantity  integer        NOT NULL DEFAULT 0,
    entry_price      numeric(19, 4),
    stop_loss        numeric(19, 4),
    take_profit      numeric(19, 4),
    -- set when the monitor requested a close for a crossed bracket: it asks once, until the brackets change
    trigger_reason   varchar(16)    CHECK (trigger_reason IN ('STOP_LOSS', 'TAKE_PROFIT')),
    -- when a bracket was first seen crossed (an account with native OCO gets a grace period first)
    crossed_since    timestamptz,
    version          bigint         NOT NULL
);
CREATE INDEX ix_monitor_live_trades_status ON monitor_live_trades (status);

GRANT SELECT, INSERT, UPDATE, DELETE ON monitor_live_trades TO ${appRole};
