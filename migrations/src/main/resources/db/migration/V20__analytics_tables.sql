-- Analytics read model, built by the replayable "analytics-portfolio" projection (query side). Like the trade
-- read model (V10-V12) every table carries username directly, with ENABLE + FORCE ROW LEVEL SECURITY and the
-- same policy, so the query API (the RLS-bound app role) sees one user's figures only.

-- One row per trade: the facts every figure is derived from. version is the trade stream's version (sequence
-- + 1) of the last event applied, so a redelivered or replayed event changes nothing; price_at is the time of
-- the last price observation applied (older or repeated observations are ignored).
CREATE TABLE analytics_trades (
    trade_id         text           PRIMARY KEY,
    username         varchar(64)    NOT NULL CHECK (length(username) >= 1),
    strategy         varchar(64)    NOT NULL DEFAULT '',   -- '' = no strategy given
    side             varchar(4)     NOT NULL CHECK (side IN ('BUY', 'SELL')),
    multiplier       numeric(12, 4) NOT NULL,
    status           varchar(16)    NOT NULL
        CHECK (status IN ('PENDING', 'OPEN', 'PARTIALLY_FILLED', 'CLOSING', 'CLOSED', 'EXPIRED', 'CANCELED')),
    filled_quantity  integer        NOT NULL DEFAULT 0,
    entry_price      numeric(19, 4),
    realized_pnl     numeric(19, 4),
    unrealized_pnl   numeric(19, 4),
    mfe              numeric(19, 4),
    mae              numeric(19, 4),
    opened_at        timestamptz,
    closed_at        timestamptz,
    close_date       date,                                  -- America/New_York date of closed_at
    price_at         timestamptz,
    version          bigint         NOT NULL
);
CREATE INDEX ix_analytics_trades_user_strategy ON analytics_trades (username, strategy, status);
CREATE INDEX ix_analytics_trades_user_close_date ON analytics_trades (username, close_date);

-- Per user and strategy, recomputed from analytics_trades whenever one of its trades changes.
CREATE TABLE analytics_strategy_stats (
    username        varchar(64)    NOT NULL,
    strategy        varchar(64)    NOT NULL,
    open_trades     integer        NOT NULL,
    closed_trades   integer        NOT NULL,
    wins            integer        NOT NULL,
    losses          integer        NOT NULL,
    gross_profit    numeric(19, 4) NOT NULL,
    gross_loss      numeric(19, 4) NOT NULL,   -- <= 0
    realized_pnl    numeric(19, 4) NOT NULL,
    unrealized_pnl  numeric(19, 4) NOT NULL,
    PRIMARY KEY (username, strategy)
);

-- Realized P&L per user and day of close (America/New_York).
CREATE TABLE analytics_daily_pnl (
    username       varchar(64)    NOT NULL,
    day            date           NOT NULL,
    realized_pnl   numeric(19, 4) NOT NULL,
    closed_trades  integer        NOT NULL,
    PRIMARY KEY (username, day)
);

-- MFE/MAE distribution of finished trades per user and strategy.
CREATE TABLE analytics_excursions (
    username      varchar(64)    NOT NULL,
    strategy      varchar(64)    NOT NULL,
    trades        integer        NOT NULL,
    avg_mfe       numeric(19, 4),
    median_mfe    numeric(19, 4),
    max_mfe       numeric(19, 4),
    avg_mae       numeric(19, 4),
    median_mae    numeric(19, 4),
    min_mae       numeric(19, 4),
    PRIMARY KEY (username, strategy)
);

GRANT SELECT, INSERT, UPDATE, DELETE ON analytics_trades, analytics_strategy_stats, analytics_daily_pnl,
    analytics_excursions TO ${appRole};

ALTER TABLE analytics_trades ENABLE ROW LEVEL SECURITY;
ALTER TABLE analytics_trades FORCE ROW LEVEL SECURITY;
CREATE POLICY analytics_trades_user_isolation ON analytics_trades
    USING (username = current_setting('app.current_user', true))
    WITH CHECK (username = current_setting('app.current_user', true));

ALTER TABLE analytics_strategy_stats ENABLE ROW LEVEL SECURITY;
ALTER TABLE analytics_strategy_stats FORCE ROW LEVEL SECURITY;
CREATE POLICY analytics_strategy_stats_user_isolation ON analytics_strategy_stats
    USING (username = current_setting('app.current_user', true))
    WITH CHECK (username = current_setting('app.current_user', true));

ALTER TABLE analytics_daily_pnl ENABLE ROW LEVEL SECURITY;
ALTER TABLE analytics_daily_pnl FORCE ROW LEVEL SECURITY;
CREATE POLICY analytics_daily_pnl_user_isolation ON analytics_daily_pnl
    USING (username = current_setting('app.current_user', true))
    WITH CHECK (username = current_setting('app.current_user', true));

ALTER TABLE analytics_excursions ENABLE ROW LEVEL SECURITY;
ALTER TABLE analytics_excursions FORCE ROW LEVEL SECURITY;
CREATE POLICY analytics_excursions_user_isolation ON analytics_excursions
    USING (username = current_setting('app.current_user', true))
    WITH CHECK (username = current_setting('app.current_user', true));

-- The analytics projection's own trade -> user lookup (V12's pattern): events after TradePlaced carry only the
-- trade id, and the analytics processor must not depend on how far the trades processor has got, so it keeps
-- its own owners, filled by trigger and readable only through the SECURITY DEFINER function.
CREATE TABLE analytics_trade_owners (
    trade_id  text         PRIMARY KEY,
    username  varchar(64)  NOT NULL
);
REVOKE ALL ON analytics_trade_owners FROM ${appRole};

CREATE FUNCTION analytics_trades_register_owner() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS
$$
BEGIN
    INSERT INTO public.analytics_trade_owners (trade_id, username) VALUES (NEW.trade_id, NEW.username)
    ON CONFLICT (trade_id) DO UPDATE SET username = EXCLUDED.username;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION analytics_trades_register_owner() FROM PUBLIC;

CREATE TRIGGER analytics_trades_register_owner AFTER INSERT ON analytics_trades
    FOR EACH ROW EXECUTE FUNCTION analytics_trades_register_owner();

CREATE FUNCTION analytics_trade_owner(p_trade_id text) RETURNS varchar
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS
$$
    SELECT username FROM public.analytics_trade_owners WHERE trade_id = p_trade_id
$$;
REVOKE ALL ON FUNCTION analytics_trade_owner(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION analytics_trade_owner(text) TO ${appRole};

-- Empties every analytics table across all users before a replay of the analytics projection.
CREATE FUNCTION analytics_reset_projection() RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS
$$
BEGIN
    TRUNCATE public.analytics_trades, public.analytics_strategy_stats, public.analytics_daily_pnl,
             public.analytics_excursions, public.analytics_trade_owners;
END
$$;
REVOKE ALL ON FUNCTION analytics_reset_projection() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION analytics_reset_projection() TO ${appRole};
