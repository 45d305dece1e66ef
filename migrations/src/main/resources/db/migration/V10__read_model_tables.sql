-- The read model: what dashboards and the query API read. Every row is derived from the event store by
-- replayable projections, so these tables can be truncated and rebuilt at any time. Every table carries
-- username directly so that row-level security (V11) is a plain column comparison that an index serves.

-- Usernames are 1-64 characters. Their alphabet is validated where they enter (the JWT subject); the database
-- stores whatever it is given verbatim, as data, so no character can ever matter to SQL.

CREATE TABLE paper_trades (
    id                 text          NOT NULL,   -- the trade (aggregate) id: a name-based UUID
    username           varchar(64)   NOT NULL CHECK (length(username) >= 1),
    symbol             varchar(10)   NOT NULL,   -- the stock, or the option's underlying
    option_symbol      varchar(21),              -- canonical OCC symbol; null for a stock trade
    option_type        varchar(4)    CHECK (option_type IN ('CALL', 'PUT')),
    strike             numeric(12, 3) CHECK (strike > 0),
    -- a DATE, not the decision log's VARCHAR(10): the expiry checker compares dates natively and the API
    -- still speaks YYYY-MM-DD
    expiry             date,
    side               varchar(4)    NOT NULL CHECK (side IN ('BUY', 'SELL')),
    quantity           integer       NOT NULL CHECK (quantity > 0),
    filled_quantity    integer       NOT NULL DEFAULT 0 CHECK (filled_quantity >= 0),
    order_type         varchar(6)    NOT NULL CHECK (order_type IN ('MARKET', 'LIMIT')),
    limit_price        numeric(19, 4),
    entry_price        numeric(19, 4),           -- average fill price of the entry
    exit_price         numeric(19, 4),           -- exit fill, or the settlement price at expiry
    stop_loss          numeric(19, 4),
    take_profit        numeric(19, 4),
    status             varchar(16)   NOT NULL DEFAULT 'PENDING'
        CONSTRAINT paper_trades_status_check
        CHECK (status IN ('PENDING', 'OPEN', 'PARTIALLY_FILLED', 'CLOSING', 'CLOSED', 'EXPIRED', 'CANCELED')),
    close_reason       varchar(16)
        CONSTRAINT paper_trades_close_reason_check
        CHECK (close_reason IN ('MANUAL', 'STOP_LOSS', 'TAKE_PROFIT', 'EXPIRED', 'REJECTED', 'CANCELED', 'TIMEOUT')),
    -- P&L in dollars per trade (options x 100), signed: a loss is negative
    realized_pnl       numeric(19, 4),
    unrealized_pnl     numeric(19, 4),
    last_price         numeric(19, 4),
    mfe                numeric(19, 4),           -- maximum favorable excursion (best unrealized P&L seen)
    mae                numeric(19, 4),           -- maximum adverse excursion (worst unrealized P&L seen)
    strategy           varchar(64),
    notes              text,
    broker             varchar(16),
    broker_order_id    text,
    exit_order_id      text,
    idempotency_key    varchar(128),
    request_hash       text,
    -- the trade aggregate's version: the number of events in its stream (1 after TradePlaced)
    version            bigint        NOT NULL DEFAULT 1 CHECK (version >= 1),
    trade_context      jsonb         NOT NULL DEFAULT '{}'::jsonb,
    created_at         timestamptz   NOT NULL DEFAULT now(),
    opened_at          timestamptz,
    closed_at          timestamptz,
    updated_at         timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT paper_trades_pkey PRIMARY KEY (id),
    -- lets children reference (id, username) so a child row can never name another user's trade
    CONSTRAINT paper_trades_id_username_key UNIQUE (id, username),
    -- per user, not global: a global key would let one user's key collide with another's
    CONSTRAINT paper_trades_username_idempotency_key_key UNIQUE (username, idempotency_key),
    CONSTRAINT paper_trades_option_fields_check
        CHECK ((option_symbol IS NULL) = (option_type IS NULL)
           AND (option_symbol IS NULL) = (strike IS NULL)
           AND (option_symbol IS NULL) = (expiry IS NULL))
);

CREATE INDEX ix_paper_trades_username_status ON paper_trades (username, status);
-- serves the newest-first trade list (id breaks ties so paging is stable)
CREATE INDEX ix_paper_trades_username_created ON paper_trades (username, created_at DESC, id DESC);
CREATE INDEX ix_paper_trades_context_gin ON paper_trades USING GIN (trade_context);

-- The audit trail of status changes: one row per status-changing event.
CREATE TABLE state_transitions (
    id           bigserial     PRIMARY KEY,
    trade_id     text          NOT NULL,
    username     varchar(64)   NOT NULL,
    from_status  varchar(16)   CHECK (from_status IN ('PENDING', 'OPEN', 'PARTIALLY_FILLED', 'CLOSING', 'CLOSED', 'EXPIRED', 'CANCELED')),
    to_status    varchar(16)   NOT NULL CHECK (to_status IN ('PENDING', 'OPEN', 'PARTIALLY_FILLED', 'CLOSING', 'CLOSED', 'EXPIRED', 'CANCELED')),
    reason       text,
    actor        varchar(64),
    occurred_at  timestamptz   NOT NULL,
    -- the Axon event identifier: a redelivered event inserts nothing the second time
    event_id     text          NOT NULL CONSTRAINT state_transitions_event_id_key UNIQUE,
    version      bigint        NOT NULL,
    CONSTRAINT state_transitions_trade_fk FOREIGN KEY (trade_id, username)
        REFERENCES paper_trades (id, username) ON DELETE CASCADE
);

CREATE INDEX ix_state_transitions_trade ON state_transitions (trade_id, version);

-- Price history of live trades.
CREATE TABLE price_snapshots (
    id                bigserial      PRIMARY KEY,
    trade_id          text           NOT NULL,
    username          varchar(64)    NOT NULL,
    at                timestamptz    NOT NULL,
    bid               numeric(19, 4),
    ask               numeric(19, 4),
    last              numeric(19, 4),
    mark              numeric(19, 4),
    underlying_price  numeric(19, 4),
    iv                numeric(12, 6),
    delta             numeric(12, 6),
    unrealized_pnl    numeric(19, 4),
    CONSTRAINT price_snapshots_trade_fk FOREIGN KEY (trade_id, username)
        REFERENCES paper_trades (id, username) ON DELETE CASCADE
);

CREATE INDEX ix_price_snapshots_trade_at ON price_snapshots (trade_id, at);

-- Per-user broker configuration and risk limits. State-stored, never event-sourced: the broker token must
-- not reach the event store. The token is Fernet-encrypted by the application before it gets here.
CREATE TABLE user_settings (
    username                 varchar(64)    PRIMARY KEY CHECK (length(username) >= 1),
    broker                   varchar(16)    NOT NULL DEFAULT 'SIMULATED' CHECK (broker IN ('SIMULATED', 'TRADIER')),
    tradier_environment      varchar(8)     CHECK (tradier_environment IN ('SANDBOX', 'LIVE')),
    tradier_account_id       varchar(64),
    tradier_token_encrypted  text,
    max_open_trades          integer        CHECK (max_open_trades > 0),
    max_position_cost        numeric(19, 4) CHECK (max_position_cost > 0),
    default_stop_loss_pct    numeric(7, 4)  CHECK (default_stop_loss_pct > 0),
    default_take_profit_pct  numeric(7, 4)  CHECK (default_take_profit_pct > 0),
    created_at               timestamptz    NOT NULL DEFAULT now(),
    updated_at               timestamptz    NOT NULL DEFAULT now()
);

-- Default privileges (V1) already cover these; explicit grants keep the intent visible and survive an
-- operator's server where the owner differs from the role that ran V1.
GRANT SELECT, INSERT, UPDATE, DELETE ON paper_trades, state_transitions, price_snapshots, user_settings TO ${appRole};
GRANT USAGE, SELECT ON SEQUENCE state_transitions_id_seq, price_snapshots_id_seq TO ${appRole};
