-- The broker orders the execution sagas follow, at most one per trade (entry, bracket or exit). A saga writes
-- its row in the same transaction as its own state; the one account poller of the cluster reads the table every
-- tick, lists each account's orders once, and publishes what changed as events the sagas handle. This replaces
-- a scheduled poll per trade. No row-level security on purpose, as for monitor_live_trades: only the sagas and
-- the poller (system components acting for every user) touch it; no request handler reads it. It holds ids only.
CREATE TABLE watched_orders (
    trade_id     text         PRIMARY KEY,
    username     varchar(64)  NOT NULL,
    account_key  text         NOT NULL,
    order_id     text         NOT NULL,
    generation   bigint       NOT NULL,
    sent_at      timestamptz  NOT NULL
);
CREATE INDEX ix_watched_orders_account ON watched_orders (account_key);

GRANT SELECT, INSERT, UPDATE, DELETE ON watched_orders TO ${appRole};
