-- The trades projection's bulk rebuild (issue 11): the engine reads the event store, folds every trade in memory
-- and bulk-loads the result into shadow tables beside the live ones, while request handling keeps reading the live
-- tables; then one short transaction swaps the shadows in. Only the owner may rename, truncate, analyze, toggle
-- triggers or row-level security, and grant; the engine role is neither the owner nor allowed DDL, so it asks the
-- SECURITY DEFINER functions below, which do exactly these steps on exactly these tables and nothing else.
--
-- The shadows are permanent tables created LIKE the live ones (columns, defaults, NOT NULL and CHECK constraints,
-- indexes; the id columns share the live tables' sequences), with the same foreign keys, policies and triggers.
-- Between rebuilds a pair swaps roles: whichever table is live carries the live name (paper_trades, ...), its
-- indexes the migrations' names, row-level security enabled and forced, its triggers enabled and the request
-- role's SELECT. A shadow has none of these three: the request role cannot read it at all, and the engine role loads
-- it with COPY, which PostgreSQL refuses on a table under row-level security (the engine reads every user's events
-- anyway). paper_trade_rebuild_switch turns them on in the transaction that makes the shadow live, so no reader ever
-- sees a table without them. A later migration that changes a live table must change its _rebuild twin alike: the
-- switch compares the two and refuses (nothing swapped) when they differ.

CREATE TABLE paper_trades_rebuild (LIKE paper_trades INCLUDING ALL);
CREATE TABLE state_transitions_rebuild (LIKE state_transitions INCLUDING ALL);
CREATE TABLE price_snapshots_rebuild (LIKE price_snapshots INCLUDING ALL);

ALTER TABLE state_transitions_rebuild ADD CONSTRAINT state_transitions_trade_fk FOREIGN KEY (trade_id, username)
    REFERENCES paper_trades_rebuild (id, username) ON DELETE CASCADE;
ALTER TABLE price_snapshots_rebuild ADD CONSTRAINT price_snapshots_trade_fk FOREIGN KEY (trade_id, username)
    REFERENCES paper_trades_rebuild (id, username) ON DELETE CASCADE;

-- The live tables' policies, under the same names, ready for when a shadow becomes live (row-level security stays
-- off on a shadow until then).
CREATE POLICY paper_trades_user_isolation ON paper_trades_rebuild
    USING (username = current_setting('app.current_user', true))
    WITH CHECK (username = current_setting('app.current_user', true));
CREATE POLICY state_transitions_user_isolation ON state_transitions_rebuild
    USING (username = current_setting('app.current_user', true))
    WITH CHECK (username = current_setting('app.current_user', true));
CREATE POLICY price_snapshots_user_isolation ON price_snapshots_rebuild
    USING (username = current_setting('app.current_user', true))
    WITH CHECK (username = current_setting('app.current_user', true));

-- The live table's triggers (V12's owner lookup, V34's change stream), disabled while a shadow is bulk-loaded: one
-- owner row and one notification per loaded row would cost more than the load. paper_trade_rebuild_loaded registers
-- the owners in one statement and enables them for the catch-up.
CREATE TRIGGER paper_trades_register_owner AFTER INSERT ON paper_trades_rebuild
    FOR EACH ROW EXECUTE FUNCTION paper_trades_register_owner();
CREATE TRIGGER paper_trades_changed BEFORE INSERT OR UPDATE ON paper_trades_rebuild
    FOR EACH ROW EXECUTE FUNCTION paper_trade_changed();
ALTER TABLE paper_trades_rebuild DISABLE TRIGGER USER;

-- The engine loads the shadows; the request role gets nothing here (the switch grants it the live table's SELECT).
REVOKE ALL ON paper_trades_rebuild, state_transitions_rebuild, price_snapshots_rebuild FROM ${appRole};
GRANT SELECT, INSERT, UPDATE, DELETE ON paper_trades_rebuild, state_transitions_rebuild, price_snapshots_rebuild
    TO ${engineRole};

-- What differs between a live table and its twin, or null when nothing does: columns (name, type, NOT NULL,
-- default, order), indexes (by what they index), CHECK and foreign-key constraints (by name and definition, the
-- referenced table's twin standing for it), policies and triggers (by name and definition).
CREATE FUNCTION paper_rebuild_difference(p_live regclass, p_shadow regclass) RETURNS text
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, public AS
$$
DECLARE
    shape_sql CONSTANT text := $q$
        SELECT 'column ' || string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
                   || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
                   || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), ''), ', ' ORDER BY a.attnum)
        FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped
        UNION ALL
        SELECT 'index ' || string_agg(x.shape, ', ' ORDER BY x.shape) FROM (
            SELECT CASE WHEN i.indisunique THEN 'unique ' ELSE '' END
                   || substring(pg_get_indexdef(i.indexrelid) FROM ' USING .*') AS shape
            FROM pg_index i WHERE i.indrelid = $1) x
        UNION ALL
        SELECT 'constraint ' || string_agg(c.conname || ' ' || replace(pg_get_constraintdef(c.oid), '_rebuild(', '('),
                   ', ' ORDER BY c.conname)
        FROM pg_constraint c WHERE c.conrelid = $1 AND c.contype IN ('c', 'f')
        UNION ALL
        SELECT 'policy ' || string_agg(p.polname::text || ' ' || p.polcmd::text || ' ' || coalesce(pg_get_expr(p.polqual, p.polrelid), '')
                   || ' ' || coalesce(pg_get_expr(p.polwithcheck, p.polrelid), ''), ', ' ORDER BY p.polname)
        FROM pg_policy p WHERE p.polrelid = $1
        UNION ALL
        SELECT 'trigger ' || string_agg(t.tgname::text || ' ' || t.tgfoid::regproc::text || ' ' || t.tgtype::text, ', ' ORDER BY t.tgname)
        FROM pg_trigger t WHERE t.tgrelid = $1 AND NOT t.tgisinternal$q$;
    live_shape text[];
    shadow_shape text[];
BEGIN
    EXECUTE 'SELECT array_agg(coalesce(s, '''')) FROM (' || shape_sql || ') q(s)' INTO live_shape USING p_live;
    EXECUTE 'SELECT array_agg(coalesce(s, '''')) FROM (' || shape_sql || ') q(s)' INTO shadow_shape USING p_shadow;
    FOR i IN 1 .. array_length(live_shape, 1) LOOP
        IF live_shape[i] IS DISTINCT FROM shadow_shape[i] THEN
            RETURN p_live::text || ' and ' || p_shadow::text || ' differ: ' || live_shape[i] || ' / ' || shadow_shape[i];
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION paper_rebuild_difference(regclass, regclass) FROM PUBLIC;

-- Swaps the names of a live table and its twin, and of their indexes (paired by what they index), so the live
-- table always carries the live names. Called by the switch only, with both tables locked.
CREATE FUNCTION paper_rebuild_swap_names(p_live text, p_shadow text) RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, public AS
$$
DECLARE
    live_oid CONSTANT oid := to_regclass('public.' || quote_ident(p_live));
    shadow_oid CONSTANT oid := to_regclass('public.' || quote_ident(p_shadow));
    live_names text[];
    shadow_names text[];
BEGIN
    SELECT array_agg(l.relname ORDER BY l.relname), array_agg(s.relname ORDER BY l.relname)
    INTO live_names, shadow_names
    FROM (SELECT c.relname, CASE WHEN i.indisunique THEN 'unique ' ELSE '' END
                 || substring(pg_get_indexdef(i.indexrelid) FROM ' USING .*') AS shape
          FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = live_oid) l
    JOIN (SELECT c.relname, CASE WHEN i.indisunique THEN 'unique ' ELSE '' END
                 || substring(pg_get_indexdef(i.indexrelid) FROM ' USING .*') AS shape
          FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = shadow_oid) s USING (shape);
    FOR i IN 1 .. coalesce(array_length(live_names, 1), 0) LOOP
        EXECUTE format('ALTER INDEX public.%I RENAME TO %I', live_names[i], 'paper_swap_' || i);
    END LOOP;
    FOR i IN 1 .. coalesce(array_length(live_names, 1), 0) LOOP
        EXECUTE format('ALTER INDEX public.%I RENAME TO %I', shadow_names[i], live_names[i]);
        EXECUTE format('ALTER INDEX public.%I RENAME TO %I', 'paper_swap_' || i, shadow_names[i]);
    END LOOP;
    EXECUTE format('ALTER TABLE public.%I RENAME TO %I', p_live, 'paper_swap_table');
    EXECUTE format('ALTER TABLE public.%I RENAME TO %I', p_shadow, p_live);
    EXECUTE format('ALTER TABLE public.%I RENAME TO %I', 'paper_swap_table', p_shadow);
END
$$;
REVOKE ALL ON FUNCTION paper_rebuild_swap_names(text, text) FROM PUBLIC;

-- Before a bulk load: the shadows emptied, their triggers and row-level security off (after a switch they are the
-- tables that were live until then). Also after a switch or a failed rebuild, to give the space back.
CREATE FUNCTION paper_trade_rebuild_begin() RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS
$$
BEGIN
    TRUNCATE public.price_snapshots_rebuild, public.state_transitions_rebuild, public.paper_trades_rebuild;
    ALTER TABLE public.paper_trades_rebuild DISABLE TRIGGER USER, NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
    ALTER TABLE public.state_transitions_rebuild NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
    ALTER TABLE public.price_snapshots_rebuild NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
    REVOKE ALL ON public.paper_trades_rebuild, public.state_transitions_rebuild, public.price_snapshots_rebuild
        FROM ${appRole};
END
$$;

-- After the bulk load: the loaded trades' owners registered (what the disabled trigger would have done; an owner
-- never changes, so rows already there stay), the triggers on for the catch-up's writes, statistics gathered so the
-- catch-up and, once live, request handling get good plans.
CREATE FUNCTION paper_trade_rebuild_loaded() RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS
$$
BEGIN
    INSERT INTO public.paper_trade_owners (trade_id, username)
    SELECT id, username FROM public.paper_trades_rebuild
    ON CONFLICT (trade_id) DO NOTHING;
    ALTER TABLE public.paper_trades_rebuild ENABLE TRIGGER USER;
    ANALYZE public.paper_trades_rebuild, public.state_transitions_rebuild, public.price_snapshots_rebuild;
END
$$;

-- The switch, in the caller's transaction (which also moves the processor's tokens): the shadows get row-level
-- security and the request role's SELECT, the pairs swap names, the tables that were live lose the request role's
-- SELECT. Refuses, changing nothing, when a pair's structure differs. Locks the live tables first, in the order
-- request handling reads them, then the shadows; the caller sets lock_timeout so a long reader cannot queue every
-- other reader behind the switch for long.
CREATE FUNCTION paper_trade_rebuild_switch() RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS
$$
DECLARE
    difference text;
BEGIN
    difference := coalesce(public.paper_rebuild_difference('public.paper_trades', 'public.paper_trades_rebuild'),
                           public.paper_rebuild_difference('public.state_transitions', 'public.state_transitions_rebuild'),
                           public.paper_rebuild_difference('public.price_snapshots', 'public.price_snapshots_rebuild'));
    IF difference IS NOT NULL THEN
        RAISE EXCEPTION 'the rebuilt trades projection cannot be switched in: %', difference
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    LOCK TABLE public.paper_trades, public.state_transitions, public.price_snapshots,
        public.paper_trades_rebuild, public.state_transitions_rebuild, public.price_snapshots_rebuild
        IN ACCESS EXCLUSIVE MODE;
    ALTER TABLE public.paper_trades_rebuild ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY, ENABLE TRIGGER USER;
    ALTER TABLE public.state_transitions_rebuild ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
    ALTER TABLE public.price_snapshots_rebuild ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
    PERFORM public.paper_rebuild_swap_names('paper_trades', 'paper_trades_rebuild');
    PERFORM public.paper_rebuild_swap_names('state_transitions', 'state_transitions_rebuild');
    PERFORM public.paper_rebuild_swap_names('price_snapshots', 'price_snapshots_rebuild');
    GRANT SELECT ON public.paper_trades, public.state_transitions, public.price_snapshots TO ${appRole};
    REVOKE ALL ON public.paper_trades_rebuild, public.state_transitions_rebuild, public.price_snapshots_rebuild
        FROM ${appRole};
END
$$;

REVOKE ALL ON FUNCTION paper_trade_rebuild_begin(), paper_trade_rebuild_loaded(), paper_trade_rebuild_switch()
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION paper_trade_rebuild_begin(), paper_trade_rebuild_loaded(), paper_trade_rebuild_switch()
    TO ${engineRole};
