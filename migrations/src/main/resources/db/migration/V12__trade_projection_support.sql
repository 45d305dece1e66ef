-- What the trade projection needs beyond its RLS-bound app role. Only TradePlaced carries the username; later
-- events of a trade carry just its id, and RLS hides the row until its user is bound. The projection therefore
-- asks paper_trade_owner(id) for the user to bind. The lookup lives in its own table because with FORCE ROW
-- LEVEL SECURITY even a SECURITY DEFINER function run by a non-superuser owner would see no paper_trades rows.

CREATE TABLE paper_trade_owners (
    trade_id  text         PRIMARY KEY,
    username  varchar(64)  NOT NULL
);
-- Reachable only through the SECURITY DEFINER functions below: V1's default privileges granted the app role
-- direct access to every new table, so take it back here.
REVOKE ALL ON paper_trade_owners FROM ${appRole};

CREATE FUNCTION paper_trades_register_owner() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS
$$
BEGIN
    INSERT INTO public.paper_trade_owners (trade_id, username) VALUES (NEW.id, NEW.username)
    ON CONFLICT (trade_id) DO UPDATE SET username = EXCLUDED.username;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION paper_trades_register_owner() FROM PUBLIC;

CREATE TRIGGER paper_trades_register_owner AFTER INSERT ON paper_trades
    FOR EACH ROW EXECUTE FUNCTION paper_trades_register_owner();

-- The username owning a trade id, or null. Request handling never calls this; the projection does, to bind
-- the right user before it writes a later event's rows.
CREATE FUNCTION paper_trade_owner(p_trade_id text) RETURNS varchar
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS
$$
    SELECT username FROM public.paper_trade_owners WHERE trade_id = p_trade_id
$$;
REVOKE ALL ON FUNCTION paper_trade_owner(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION paper_trade_owner(text) TO ${appRole};

-- Empties the trade projection across all users before a replay (RLS would hide other users' rows from the
-- app role, and TRUNCATE needs the owner). user_settings is state-stored, not projected, and is left alone.
CREATE FUNCTION paper_reset_trade_projection() RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS
$$
BEGIN
    TRUNCATE public.price_snapshots, public.state_transitions, public.paper_trades, public.paper_trade_owners;
END
$$;
REVOKE ALL ON FUNCTION paper_reset_trade_projection() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION paper_reset_trade_projection() TO ${appRole};
