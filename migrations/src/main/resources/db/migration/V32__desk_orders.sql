-- The order legs (entry, bracket, exit) the execution sagas hand to the order desk, which does all broker work
-- outside the event processors' transactions: it sends each leg once, follows it with one list-orders request per
-- account and round, cancels it when withdrawn, and publishes what it sees as events the sagas handle. A saga
-- adds and withdraws legs in the same transaction as its own state (a rolled-back step asks for nothing); the
-- desk records its progress in its own columns and deletes a leg once it is done. No row-level security on
-- purpose, as for monitor_live_trades: only the sagas and the desk (system components acting for every user)
-- touch it; no request handler reads it. It holds no secrets: ids, tags and the order as sent.
CREATE TABLE desk_orders (
    tag             text         PRIMARY KEY,
    trade_id        text         NOT NULL,
    username        varchar(64)  NOT NULL,
    account_key     text         NOT NULL,
    ticket          jsonb        NOT NULL,
    not_before      timestamptz  NOT NULL,
    created_at      timestamptz  NOT NULL DEFAULT now(),
    -- the saga's wishes
    withdraw        boolean      NOT NULL DEFAULT false,
    silent          boolean      NOT NULL DEFAULT false,
    -- the desk's progress; the confirmation window starts when the desk first takes the leg up
    confirm_by      timestamptz,
    stage           varchar(8)   NOT NULL CHECK (stage IN ('TO_SEND', 'UNKNOWN', 'SENT')),
    order_id        text,
    acknowledged    boolean      NOT NULL DEFAULT false,
    cancel_sent     boolean      NOT NULL DEFAULT false,
    last_report     text,
    retry_at        timestamptz,
    backoff_ms      bigint       NOT NULL DEFAULT 0
);
CREATE INDEX ix_desk_orders_account ON desk_orders (account_key);
CREATE INDEX ix_desk_orders_trade ON desk_orders (trade_id);

GRANT SELECT, INSERT, UPDATE, DELETE ON desk_orders TO ${appRole};
