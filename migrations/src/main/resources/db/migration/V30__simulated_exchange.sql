-- The simulated exchange's books (broker-adapter JdbcSimulatedBooks): what the built-in broker holds for each
-- simulated account, in PostgreSQL so that it survives a restart and every node of a cluster trades on the same
-- accounts. Like a real broker's own database it sits outside the engine: the saga reaches it only through the
-- BrokerProvider port, and reconciles by tag when an operation's outcome is unknown.
--
-- The account id is the username. Every operation binds it with set_config('app.current_user', ?, true), so the
-- same row-level security as the read model confines it to that account's rows.

-- One market for the whole cluster: the seed the first node chose (or the configured PAPER_SIM_SEED).
CREATE TABLE sim_market (
    id    boolean PRIMARY KEY DEFAULT true CHECK (id),
    seed  bigint  NOT NULL
);

-- Ids of orders, legs and OCO groups, unique across accounts and nodes.
CREATE SEQUENCE sim_order_ids START WITH 1001;

CREATE TABLE sim_accounts (
    account_id  varchar(64)  PRIMARY KEY,
    -- unscaled numeric: the ledger books exact BigDecimal amounts (prices × quantities × multipliers)
    cash        numeric      NOT NULL
);

CREATE TABLE sim_holdings (
    account_id     varchar(64)  NOT NULL REFERENCES sim_accounts (account_id),
    symbol         varchar(16)  NOT NULL,   -- the stock, or the option's underlying
    option_symbol  varchar(21),             -- OCC symbol of an option, else null
    quantity       numeric      NOT NULL CHECK (quantity <> 0),   -- negative when short
    cost_basis     numeric      NOT NULL,
    acquired_at    timestamptz  NOT NULL,
    traded_symbol  varchar(21)  GENERATED ALWAYS AS (coalesce(option_symbol, symbol)) STORED,
    PRIMARY KEY (account_id, traded_symbol)
);

CREATE TABLE sim_orders (
    order_id         bigint       PRIMARY KEY,
    account_id       varchar(64)  NOT NULL REFERENCES sim_accounts (account_id),
    parent_id        bigint,                 -- the OCO group of a leg; groups have no row of their own
    tag              varchar(255),
    symbol           varchar(16)  NOT NULL,
    option_symbol    varchar(21),
    side             varchar(16)  NOT NULL
        CHECK (side IN ('BUY_TO_OPEN', 'SELL_TO_CLOSE', 'SELL_TO_OPEN', 'BUY_TO_CLOSE')),
    quantity         integer      NOT NULL CHECK (quantity > 0),
    price_type       varchar(8)   NOT NULL CHECK (price_type IN ('MARKET', 'LIMIT', 'STOP')),
    limit_price      numeric,
    stop_price       numeric,
    duration         varchar(4)   NOT NULL CHECK (duration IN ('DAY', 'GTC')),
    created_at       timestamptz  NOT NULL,
    deadline         timestamptz,            -- end of session for DAY, the option's expiry
    state            varchar(16)  NOT NULL,
    filled           integer      NOT NULL CHECK (filled >= 0 AND filled <= quantity),
    fill_value       numeric      NOT NULL,  -- sum of price × quantity of the fills
    last_fill_price  numeric,
    last_fill_at     timestamptz,
    reason           text,
    stop_triggered   boolean      NOT NULL,
    changed_at       timestamptz  NOT NULL   -- market time of the last change; lists show recent ones
);
-- every operation reads the account's working orders
CREATE INDEX ix_sim_orders_working ON sim_orders (account_id)
    WHERE state IN ('PENDING', 'OPEN', 'PARTIALLY_FILLED', 'PENDING_CANCEL', 'UNKNOWN');
CREATE INDEX ix_sim_orders_recent ON sim_orders (account_id, changed_at);
CREATE INDEX ix_sim_orders_tag ON sim_orders (account_id, tag);
CREATE INDEX ix_sim_orders_parent ON sim_orders (account_id, parent_id) WHERE parent_id IS NOT NULL;

ALTER TABLE sim_accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE sim_accounts FORCE ROW LEVEL SECURITY;
CREATE POLICY sim_accounts_user_isolation ON sim_accounts
    USING (account_id = current_setting('app.current_user', true))
    WITH CHECK (account_id = current_setting('app.current_user', true));

ALTER TABLE sim_holdings ENABLE ROW LEVEL SECURITY;
ALTER TABLE sim_holdings FORCE ROW LEVEL SECURITY;
CREATE POLICY sim_holdings_user_isolation ON sim_holdings
    USING (account_id = current_setting('app.current_user', true))
    WITH CHECK (account_id = current_setting('app.current_user', true));

ALTER TABLE sim_orders ENABLE ROW LEVEL SECURITY;
ALTER TABLE sim_orders FORCE ROW LEVEL SECURITY;
CREATE POLICY sim_orders_user_isolation ON sim_orders
    USING (account_id = current_setting('app.current_user', true))
    WITH CHECK (account_id = current_setting('app.current_user', true));

GRANT SELECT, INSERT, UPDATE ON sim_market TO ${appRole};
GRANT USAGE ON SEQUENCE sim_order_ids TO ${appRole};
GRANT SELECT, INSERT, UPDATE ON sim_accounts TO ${appRole};
GRANT SELECT, INSERT, UPDATE, DELETE ON sim_holdings TO ${appRole};
GRANT SELECT, INSERT, UPDATE ON sim_orders TO ${appRole};
