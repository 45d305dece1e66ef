-- Two runtime roles instead of one (issue 12, defence in depth for the database). Until now the RLS-bound app
-- role served requests and also ran the engine, so request handling could read every user's events, sagas, dead
-- letters, deadlines, order legs and live-trade book (none of them under row-level security, and they cannot be:
-- they are the system's own books for every user) and could empty the read models through the reset functions.
-- From here on:
--
--   ${appRole}     the request role (PAPER_DB_USER). Serves what request handling reads and writes itself, always
--                  as one user bound by set_config('app.current_user', ?, true): SELECT on the read model,
--                  SELECT/INSERT/UPDATE on user_settings (settings are state-stored, written by the settings API).
--                  Nothing else: no engine table, no sequence, no SECURITY DEFINER function.
--   ${engineRole}  the engine role (PAPER_DB_ENGINE_USER). Axon's event store, tokens, sagas and dead letters,
--                  db-scheduler, the projections, the order desk, the price monitor, the simulated exchange.
--                  Also NOSUPERUSER NOBYPASSRLS and not an owner: on users' tables row-level security binds it
--                  exactly like the request role, so the projections keep binding each event's user.
--
-- Like V1 for the request role, the engine role is created here (NOLOGIN) only if it does not exist yet: the
-- embedded default and the tests create both as login roles with passwords first; an operator creates them (or
-- gives this one LOGIN and a password) on their own server.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${engineRole}') THEN
        CREATE ROLE ${engineRole} NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO ${engineRole};

-- The request role: take back everything V1's default privileges and the explicit grants of V10-V32 gave it,
-- then grant exactly what request handling uses.
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${appRole};
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${appRole};
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM ${appRole};

GRANT SELECT ON paper_trades, state_transitions, price_snapshots,
    analytics_trades, analytics_strategy_stats, analytics_daily_pnl, analytics_excursions TO ${appRole};
GRANT SELECT, INSERT, UPDATE ON user_settings TO ${appRole};

-- The engine role, table by table (the owner lookups paper_trade_owners and analytics_trade_owners stay
-- reachable only through their SECURITY DEFINER functions).
GRANT SELECT, INSERT, UPDATE, DELETE ON domain_event_entry, snapshot_event_entry, token_entry, saga_entry,
    association_value_entry, dead_letter_entry, scheduled_tasks TO ${engineRole};
GRANT SELECT, INSERT, UPDATE, DELETE ON paper_trades, state_transitions, price_snapshots,
    analytics_trades, analytics_strategy_stats, analytics_daily_pnl, analytics_excursions TO ${engineRole};
-- the broker a user chose and their (encrypted) token: the engine places and follows their orders with it
GRANT SELECT ON user_settings TO ${engineRole};
GRANT SELECT, INSERT, UPDATE, DELETE ON monitor_live_trades, desk_orders TO ${engineRole};
GRANT SELECT, INSERT, UPDATE ON sim_market, sim_accounts, sim_orders TO ${engineRole};
GRANT SELECT, INSERT, UPDATE, DELETE ON sim_holdings TO ${engineRole};
GRANT USAGE, SELECT, UPDATE ON SEQUENCE domain_event_global_index_seq, association_value_entry_seq,
    state_transitions_id_seq, price_snapshots_id_seq TO ${engineRole};
GRANT USAGE ON SEQUENCE sim_order_ids TO ${engineRole};
-- the projections' owner lookups and the replay resets: the engine's alone
GRANT EXECUTE ON FUNCTION paper_trade_owner(text), analytics_trade_owner(text), paper_reset_trade_projection(),
    analytics_reset_projection() TO ${engineRole};

-- Tables and sequences later migrations create are the engine's by default, never the request role's: a new
-- read-model table is granted to the request role explicitly, where its migration turns on row-level security.
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM ${appRole};
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE USAGE, SELECT, UPDATE ON SEQUENCES FROM ${appRole};
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${engineRole};
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO ${engineRole};
-- PostgreSQL lets PUBLIC execute every new function; a later SECURITY DEFINER function (a reset, a lookup past
-- row-level security) must be granted to the role that needs it instead of being callable by anyone.
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
