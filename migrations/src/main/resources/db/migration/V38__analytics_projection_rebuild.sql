-- The analytics projection's bulk rebuild (issue 11), like the trades projection's (V37, whose comments explain the
-- design): shadow tables beside the live ones, loaded by the engine role with COPY while request handling keeps
-- reading the live tables, then switched in by one short transaction through the owner's SECURITY DEFINER functions
-- below. They reuse V37's helpers (paper_rebuild_strip, _build_index, _constrain_like, _swap_names, _difference).
-- A later migration that changes a live analytics table must change its _rebuild twin alike (columns, CHECK
-- constraints, policies, triggers; indexes and keys follow the live table by themselves): the switch compares the
-- two and refuses, swapping nothing, when they differ.

CREATE TABLE analytics_trades_rebuild (LIKE analytics_trades INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE);
CREATE TABLE analytics_strategy_stats_rebuild
    (LIKE analytics_strategy_stats INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE);
CREATE TABLE analytics_daily_pnl_rebuild (LIKE analytics_daily_pnl INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE);
CREATE TABLE analytics_excursions_rebuild
    (LIKE analytics_excursions INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE);

-- The live tables' policies under the same names, in force once a shadow becomes live.
CREATE POLICY analytics_trades_user_isolation ON analytics_trades_rebuild
    USING (username = current_setting('app.current_user', true))
    WITH CHECK (username = current_setting('app.current_user', true));
CREATE POLICY analytics_strategy_stats_user_isolation ON analytics_strategy_stats_rebuild
    USING (username = current_setting('app.current_user', true))
    WITH CHECK (username = current_setting('app.current_user', true));
CREATE POLICY analytics_daily_pnl_user_isolation ON analytics_daily_pnl_rebuild
    USING (username = current_setting('app.current_user', true))
    WITH CHECK (username = current_setting('app.current_user', true));
CREATE POLICY analytics_excursions_user_isolation ON analytics_excursions_rebuild
    USING (username = current_setting('app.current_user', true))
    WITH CHECK (username = current_setting('app.current_user', true));

-- The live tables' triggers (V20's owner lookup, V34's portfolio notification), off while a shadow is bulk-loaded;
-- analytics_rebuild_owners registers the loaded owners in one statement and analytics_rebuild_loaded turns them on
-- for the catch-up's writes.
CREATE TRIGGER analytics_trades_register_owner AFTER INSERT ON analytics_trades_rebuild
    FOR EACH ROW EXECUTE FUNCTION analytics_trades_register_owner();
CREATE TRIGGER analytics_strategy_stats_changed AFTER INSERT OR UPDATE OR DELETE ON analytics_strategy_stats_rebuild
    FOR EACH ROW EXECUTE FUNCTION paper_portfolio_changed();
ALTER TABLE analytics_trades_rebuild DISABLE TRIGGER USER;
ALTER TABLE analytics_strategy_stats_rebuild DISABLE TRIGGER USER;

-- The engine loads the shadows; the request role gets nothing here (the switch grants it the live table's SELECT).
REVOKE ALL ON analytics_trades_rebuild, analytics_strategy_stats_rebuild, analytics_daily_pnl_rebuild,
    analytics_excursions_rebuild FROM ${appRole};
GRANT SELECT, INSERT, UPDATE, DELETE ON analytics_trades_rebuild, analytics_strategy_stats_rebuild,
    analytics_daily_pnl_rebuild, analytics_excursions_rebuild TO ${engineRole};

-- Before a bulk load (and after a switch or a failed rebuild, to give the space back): the shadows emptied, without
-- keys, indexes, triggers or row-level security.
CREATE FUNCTION analytics_rebuild_begin() RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS
$$
BEGIN
    TRUNCATE public.analytics_trades_rebuild, public.analytics_strategy_stats_rebuild,
             public.analytics_daily_pnl_rebuild, public.analytics_excursions_rebuild;
    PERFORM public.paper_rebuild_strip('public.analytics_trades_rebuild');
    PERFORM public.paper_rebuild_strip('public.analytics_strategy_stats_rebuild');
    PERFORM public.paper_rebuild_strip('public.analytics_daily_pnl_rebuild');
    PERFORM public.paper_rebuild_strip('public.analytics_excursions_rebuild');
    ALTER TABLE public.analytics_trades_rebuild DISABLE TRIGGER USER, NO FORCE ROW LEVEL SECURITY,
        DISABLE ROW LEVEL SECURITY;
    ALTER TABLE public.analytics_strategy_stats_rebuild DISABLE TRIGGER USER, NO FORCE ROW LEVEL SECURITY,
        DISABLE ROW LEVEL SECURITY;
    ALTER TABLE public.analytics_daily_pnl_rebuild NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
    ALTER TABLE public.analytics_excursions_rebuild NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
    REVOKE ALL ON public.analytics_trades_rebuild, public.analytics_strategy_stats_rebuild,
        public.analytics_daily_pnl_rebuild, public.analytics_excursions_rebuild FROM ${appRole};
END
$$;

-- After the bulk load, one index of one table of the projection (p_item from 0, in the live table's order by name;
-- false when there is no such index); the caller builds them several at once on several connections.
CREATE FUNCTION analytics_rebuild_index(p_table text, p_item integer) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public SET maintenance_work_mem = '128MB' AS
$$
BEGIN
    IF p_table NOT IN ('analytics_trades', 'analytics_strategy_stats', 'analytics_daily_pnl', 'analytics_excursions') THEN
        RAISE EXCEPTION 'not a table of the analytics projection: %', p_table USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN public.paper_rebuild_build_index(to_regclass('public.' || p_table),
                                            to_regclass('public.' || p_table || '_rebuild'), p_item);
END
$$;

-- After the bulk load, beside the index builds: the loaded trades' owners registered (what the disabled trigger would
-- have done; an owner never changes, so rows already there stay).
CREATE FUNCTION analytics_rebuild_owners() RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS
$$
BEGIN
    INSERT INTO public.analytics_trade_owners (trade_id, username)
    SELECT t.trade_id, t.username FROM public.analytics_trades_rebuild t
    WHERE NOT EXISTS (SELECT 1 FROM public.analytics_trade_owners o WHERE o.trade_id = t.trade_id)
    ON CONFLICT (trade_id) DO NOTHING;
END
$$;

-- Once every index is built and the owners registered: the keys attached, the triggers on for the catch-up's writes,
-- and statistics from a small sample for the catch-up's plans.
CREATE FUNCTION analytics_rebuild_loaded() RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public SET default_statistics_target = 10 AS
$$
BEGIN
    PERFORM public.paper_rebuild_constrain_like('public.analytics_trades', 'public.analytics_trades_rebuild', false);
    PERFORM public.paper_rebuild_constrain_like('public.analytics_strategy_stats',
                                                'public.analytics_strategy_stats_rebuild', false);
    PERFORM public.paper_rebuild_constrain_like('public.analytics_daily_pnl', 'public.analytics_daily_pnl_rebuild', false);
    PERFORM public.paper_rebuild_constrain_like('public.analytics_excursions', 'public.analytics_excursions_rebuild',
                                                false);
    ALTER TABLE public.analytics_trades_rebuild ENABLE TRIGGER USER;
    ALTER TABLE public.analytics_strategy_stats_rebuild ENABLE TRIGGER USER;
    ANALYZE public.analytics_trades_rebuild, public.analytics_strategy_stats_rebuild, public.analytics_daily_pnl_rebuild,
        public.analytics_excursions_rebuild;
END
$$;

-- After a switch: full statistics of the tables now live.
CREATE FUNCTION analytics_rebuild_analyze() RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS
$$
BEGIN
    ANALYZE public.analytics_trades, public.analytics_strategy_stats, public.analytics_daily_pnl,
        public.analytics_excursions;
END
$$;

-- The switch, in the caller's transaction (which also moves the processor's tokens): as paper_trade_rebuild_switch.
CREATE FUNCTION analytics_rebuild_switch() RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS
$$
DECLARE
    difference text;
BEGIN
    LOCK TABLE public.analytics_strategy_stats, public.analytics_trades, public.analytics_daily_pnl,
        public.analytics_excursions, public.analytics_trades_rebuild, public.analytics_strategy_stats_rebuild,
        public.analytics_daily_pnl_rebuild, public.analytics_excursions_rebuild IN ACCESS EXCLUSIVE MODE;
    difference := coalesce(
        public.paper_rebuild_difference('public.analytics_trades', 'public.analytics_trades_rebuild'),
        public.paper_rebuild_difference('public.analytics_strategy_stats', 'public.analytics_strategy_stats_rebuild'),
        public.paper_rebuild_difference('public.analytics_daily_pnl', 'public.analytics_daily_pnl_rebuild'),
        public.paper_rebuild_difference('public.analytics_excursions', 'public.analytics_excursions_rebuild'));
    IF difference IS NOT NULL THEN
        RAISE EXCEPTION 'the rebuilt analytics projection cannot be switched in: %', difference
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    ALTER TABLE public.analytics_trades_rebuild ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY, ENABLE TRIGGER USER;
    ALTER TABLE public.analytics_strategy_stats_rebuild ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY,
        ENABLE TRIGGER USER;
    ALTER TABLE public.analytics_daily_pnl_rebuild ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
    ALTER TABLE public.analytics_excursions_rebuild ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
    PERFORM public.paper_rebuild_swap_names('analytics_trades', 'analytics_trades_rebuild');
    PERFORM public.paper_rebuild_swap_names('analytics_strategy_stats', 'analytics_strategy_stats_rebuild');
    PERFORM public.paper_rebuild_swap_names('analytics_daily_pnl', 'analytics_daily_pnl_rebuild');
    PERFORM public.paper_rebuild_swap_names('analytics_excursions', 'analytics_excursions_rebuild');
    GRANT SELECT ON public.analytics_trades, public.analytics_strategy_stats, public.analytics_daily_pnl,
        public.analytics_excursions TO ${appRole};
    REVOKE ALL ON public.analytics_trades_rebuild, public.analytics_strategy_stats_rebuild,
        public.analytics_daily_pnl_rebuild, public.analytics_excursions_rebuild FROM ${appRole};
END
$$;

REVOKE ALL ON FUNCTION analytics_rebuild_begin(), analytics_rebuild_index(text, integer), analytics_rebuild_owners(),
    analytics_rebuild_loaded(), analytics_rebuild_switch(), analytics_rebuild_analyze() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION analytics_rebuild_begin(), analytics_rebuild_index(text, integer), analytics_rebuild_owners(),
    analytics_rebuild_loaded(), analytics_rebuild_switch(), analytics_rebuild_analyze() TO ${engineRole};
