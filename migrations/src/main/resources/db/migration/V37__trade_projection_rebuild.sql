-- The trades projection's bulk rebuild (issue 11): the engine reads the event store, folds every trade in memory
-- and bulk-loads the result into shadow tables beside the live ones, while request handling keeps reading the live
-- tables; then one short transaction switches the shadows in. Only the owner may rename, truncate, index, analyze,
-- toggle triggers or row-level security, and grant; the engine role is neither the owner nor allowed DDL, so it asks
-- the SECURITY DEFINER functions below, which do exactly these steps on exactly these tables and nothing else.
--
-- The shadows are permanent tables beside the live ones: the same columns, defaults (the id columns share the live
-- tables' sequences), NOT NULL and CHECK constraints, policies and triggers. Between rebuilds a pair swaps roles:
-- whichever table is live carries the live name (paper_trades, ...), its indexes and keys the migrations' names,
-- row-level security enabled and forced, its triggers enabled and the request role's SELECT. A shadow being loaded
-- has none of these: the request role cannot read it at all; the engine role loads it with COPY, which PostgreSQL
-- refuses on a table under row-level security (the engine reads every user's events anyway); and its indexes, keys
-- and foreign keys are built once it is loaded, from the live table's definitions, which costs a fraction of
-- maintaining them row by row. paper_trade_rebuild_switch turns security on in the transaction that makes a shadow
-- live, so no reader ever sees a table without it. A later migration that changes a live table must change its
-- _rebuild twin alike (columns, CHECK constraints, policies, triggers; indexes and keys follow the live table by
-- themselves): the switch compares the two and refuses, swapping nothing, when they differ.

CREATE TABLE paper_trades_rebuild (LIKE paper_trades INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE);
CREATE TABLE state_transitions_rebuild (LIKE state_transitions INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE);
CREATE TABLE price_snapshots_rebuild (LIKE price_snapshots INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE);

-- The id sequences serve whichever table of a pair is live, so they belong to neither: a table that owned its
-- sequence would take it along if it were ever dropped, leaving its twin's ids without a default.
ALTER SEQUENCE state_transitions_id_seq OWNED BY NONE;
ALTER SEQUENCE price_snapshots_id_seq OWNED BY NONE;

-- The live tables' policies under the same names, in force once a shadow becomes live.
CREATE POLICY paper_trades_user_isolation ON paper_trades_rebuild
    USING (username = current_setting('app.current_user', true))
    WITH CHECK (username = current_setting('app.current_user', true));
CREATE POLICY state_transitions_user_isolation ON state_transitions_rebuild
    USING (username = current_setting('app.current_user', true))
    WITH CHECK (username = current_setting('app.current_user', true));
CREATE POLICY price_snapshots_user_isolation ON price_snapshots_rebuild
    USING (username = current_setting('app.current_user', true))
    WITH CHECK (username = current_setting('app.current_user', true));

-- The live table's triggers (V12's owner lookup, V34's change stream), off while a shadow is bulk-loaded: an owner
-- row and a notification per loaded row would cost more than the load. paper_trade_rebuild_loaded registers the
-- owners in one statement and turns them on for the catch-up's writes.
CREATE TRIGGER paper_trades_register_owner AFTER INSERT ON paper_trades_rebuild
    FOR EACH ROW EXECUTE FUNCTION paper_trades_register_owner();
CREATE TRIGGER paper_trades_changed BEFORE INSERT OR UPDATE ON paper_trades_rebuild
    FOR EACH ROW EXECUTE FUNCTION paper_trade_changed();
ALTER TABLE paper_trades_rebuild DISABLE TRIGGER USER;

-- The engine loads the shadows; the request role gets nothing here (the switch grants it the live table's SELECT).
REVOKE ALL ON paper_trades_rebuild, state_transitions_rebuild, price_snapshots_rebuild FROM ${appRole};
GRANT SELECT, INSERT, UPDATE, DELETE ON paper_trades_rebuild, state_transitions_rebuild, price_snapshots_rebuild
    TO ${engineRole};

-- An index's shape: what it indexes, whatever its name and table.
CREATE FUNCTION paper_rebuild_index_shape(p_index oid) RETURNS text
    LANGUAGE sql STABLE SET search_path = pg_catalog, public AS
$$
    SELECT CASE WHEN i.indisunique THEN 'unique ' ELSE '' END || substring(pg_get_indexdef(i.indexrelid) FROM ' USING .*')
    FROM pg_index i WHERE i.indexrelid = p_index
$$;

-- What differs between a live table and its twin, or null when nothing does: columns (name, type, NOT NULL,
-- default, order), indexes (by shape), CHECK and foreign-key constraints (by name and definition, a referenced
-- table's twin standing for it), policies and triggers (by name and definition).
CREATE FUNCTION paper_rebuild_difference(p_live regclass, p_shadow regclass) RETURNS text
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, public AS
$$
DECLARE
    shape_sql CONSTANT text := $q$
        SELECT 'columns ' || string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
                   || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
                   || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), ''), ', ' ORDER BY a.attnum)
        FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped
        UNION ALL
        SELECT 'indexes ' || string_agg(public.paper_rebuild_index_shape(i.indexrelid), ', '
                   ORDER BY public.paper_rebuild_index_shape(i.indexrelid))
        FROM pg_index i WHERE i.indrelid = $1
        UNION ALL
        SELECT 'constraints ' || string_agg(c.conname || ' ' || replace(pg_get_constraintdef(c.oid), '_rebuild(', '('),
                   ', ' ORDER BY c.conname)
        FROM pg_constraint c WHERE c.conrelid = $1 AND c.contype IN ('c', 'f')
        UNION ALL
        SELECT 'policies ' || string_agg(p.polname::text || ' ' || p.polcmd::text || ' '
                   || coalesce(pg_get_expr(p.polqual, p.polrelid), '') || ' '
                   || coalesce(pg_get_expr(p.polwithcheck, p.polrelid), ''), ', ' ORDER BY p.polname)
        FROM pg_policy p WHERE p.polrelid = $1
        UNION ALL
        SELECT 'triggers ' || string_agg(t.tgname::text || ' ' || t.tgfoid::regproc::text || ' ' || t.tgtype::text, ', '
                   ORDER BY t.tgname)
        FROM pg_trigger t WHERE t.tgrelid = $1 AND NOT t.tgisinternal$q$;
    live_shape text[];
    shadow_shape text[];
BEGIN
    EXECUTE 'SELECT array_agg(coalesce(s, '''')) FROM (' || shape_sql || ') q(s)' INTO live_shape USING p_live;
    EXECUTE 'SELECT array_agg(coalesce(s, '''')) FROM (' || shape_sql || ') q(s)' INTO shadow_shape USING p_shadow;
    FOR i IN 1 .. array_length(live_shape, 1) LOOP
        IF live_shape[i] IS DISTINCT FROM shadow_shape[i] THEN
            RETURN p_live::text || ' and ' || p_shadow::text || ' differ in their ' || live_shape[i] || ' / '
                || shadow_shape[i];
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;

-- Drops a shadow's foreign keys, keys and indexes (before a load).
CREATE FUNCTION paper_rebuild_strip(p_shadow regclass) RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, public AS
$$
DECLARE
    item record;
BEGIN
    FOR item IN SELECT conname FROM pg_constraint WHERE conrelid = p_shadow AND contype IN ('f', 'p', 'u', 'x')
                ORDER BY contype = 'f' DESC LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', p_shadow, item.conname);
    END LOOP;
    FOR item IN SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = p_shadow LOOP
        EXECUTE format('DROP INDEX public.%I', item.relname);
    END LOOP;
END
$$;

-- Builds on a loaded shadow the p_item-th index of its live table (by name, from 0; false when there is none),
-- named after it with _rebuild. Each runs on its own, so a caller may build several at once on several connections
-- (CREATE INDEX lets others of the same table run beside it); the keys are attached to their indexes afterwards.
CREATE FUNCTION paper_rebuild_build_index(p_live regclass, p_shadow regclass, p_item integer) RETURNS boolean
    LANGUAGE plpgsql SET search_path = pg_catalog, public AS
$$
DECLARE
    item record;
BEGIN
    SELECT c.relname, public.paper_rebuild_index_shape(i.indexrelid) AS shape INTO item
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
    WHERE i.indrelid = p_live ORDER BY c.relname OFFSET p_item LIMIT 1;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    EXECUTE format('CREATE %sINDEX %I ON %s %s', CASE WHEN item.shape LIKE 'unique %' THEN 'UNIQUE ' ELSE '' END,
                   left(item.relname, 55) || '_rebuild', p_shadow, substring(item.shape FROM 'USING .*'));
    RETURN true;
END
$$;

-- Once a shadow's indexes are built: the live table's primary key and unique constraints attached to their
-- indexes (under the live names with _rebuild), or its foreign keys (under the live names, to the referenced
-- tables' twins; validated in one pass each).
CREATE FUNCTION paper_rebuild_constrain_like(p_live regclass, p_shadow regclass, p_foreign_keys boolean) RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, public AS
$$
DECLARE
    item record;
BEGIN
    IF p_foreign_keys THEN
        FOR item IN SELECT c.conname, pg_get_constraintdef(c.oid) AS def, r.relname AS referenced
                    FROM pg_constraint c JOIN pg_class r ON r.oid = c.confrelid
                    WHERE c.conrelid = p_live AND c.contype = 'f' ORDER BY c.conname LOOP
            EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I %s', p_shadow, item.conname,
                           replace(item.def, 'REFERENCES ' || item.referenced || '(',
                                   'REFERENCES ' || item.referenced || '_rebuild('));
        END LOOP;
        RETURN;
    END IF;
    FOR item IN SELECT c.conname, c.contype, x.relname AS index FROM pg_constraint c JOIN pg_class x ON x.oid = c.conindid
                WHERE c.conrelid = p_live AND c.contype IN ('p', 'u') ORDER BY c.conname LOOP
        EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I %s USING INDEX %I', p_shadow, left(item.conname, 55) || '_rebuild',
                       CASE item.contype WHEN 'p' THEN 'PRIMARY KEY' ELSE 'UNIQUE' END, left(item.index, 55) || '_rebuild');
    END LOOP;
END
$$;

-- Swaps the names of a live table and its twin, and of their indexes (paired by shape, keys' constraints with
-- them), so the live table always carries the live names. Called by the switch only, with both tables locked.
CREATE FUNCTION paper_rebuild_swap_names(p_live text, p_shadow text) RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, public AS
$$
DECLARE
    live_names text[];
    shadow_names text[];
BEGIN
    SELECT array_agg(l.relname ORDER BY l.relname), array_agg(s.relname ORDER BY l.relname)
    INTO live_names, shadow_names
    FROM (SELECT c.relname, public.paper_rebuild_index_shape(i.indexrelid) AS shape
          FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
          WHERE i.indrelid = to_regclass('public.' || quote_ident(p_live))) l
    JOIN (SELECT c.relname, public.paper_rebuild_index_shape(i.indexrelid) AS shape
          FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
          WHERE i.indrelid = to_regclass('public.' || quote_ident(p_shadow))) s USING (shape);
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

REVOKE ALL ON FUNCTION paper_rebuild_index_shape(oid), paper_rebuild_difference(regclass, regclass),
    paper_rebuild_strip(regclass), paper_rebuild_build_index(regclass, regclass, integer),
    paper_rebuild_constrain_like(regclass, regclass, boolean), paper_rebuild_swap_names(text, text) FROM PUBLIC;

-- Before a bulk load: the shadows emptied, without keys, indexes, triggers or row-level security (after a switch
-- they are the tables that were live until then). Also after a switch or a failed rebuild, to give the space back.
CREATE FUNCTION paper_trade_rebuild_begin() RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS
$$
BEGIN
    TRUNCATE public.price_snapshots_rebuild, public.state_transitions_rebuild, public.paper_trades_rebuild;
    PERFORM public.paper_rebuild_strip('public.price_snapshots_rebuild');
    PERFORM public.paper_rebuild_strip('public.state_transitions_rebuild');
    PERFORM public.paper_rebuild_strip('public.paper_trades_rebuild');
    ALTER TABLE public.paper_trades_rebuild DISABLE TRIGGER USER, NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
    ALTER TABLE public.state_transitions_rebuild NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
    ALTER TABLE public.price_snapshots_rebuild NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
    REVOKE ALL ON public.paper_trades_rebuild, public.state_transitions_rebuild, public.price_snapshots_rebuild
        FROM ${appRole};
END
$$;

-- After the bulk load, one index of one table of the projection ('paper_trades', 'state_transitions',
-- 'price_snapshots'; p_item from 0, in the live table's order by name; false when there is no such index): the
-- caller builds them all, several at once on several connections. A duplicate key, which only events from outside the
-- command API can carry, fails a unique one: the caller removes the duplicates and builds it again.
CREATE FUNCTION paper_trade_rebuild_index(p_table text, p_item integer) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public SET maintenance_work_mem = '128MB' AS
$$
BEGIN
    IF p_table NOT IN ('paper_trades', 'state_transitions', 'price_snapshots') THEN
        RAISE EXCEPTION 'not a table of the trades projection: %', p_table USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN public.paper_rebuild_build_index(to_regclass('public.' || p_table),
                                            to_regclass('public.' || p_table || '_rebuild'), p_item);
END
$$;

-- After the bulk load, beside the index builds: the loaded trades' owners registered (what the disabled trigger would
-- have done; an owner never changes, so rows already there stay).
CREATE FUNCTION paper_trade_rebuild_owners() RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS
$$
BEGIN
    INSERT INTO public.paper_trade_owners (trade_id, username)
    SELECT t.id, t.username FROM public.paper_trades_rebuild t
    WHERE NOT EXISTS (SELECT 1 FROM public.paper_trade_owners o WHERE o.trade_id = t.id)
    ON CONFLICT (trade_id) DO NOTHING;
END
$$;

-- Once every index is built and the owners registered: the keys attached and the foreign keys added, the triggers on
-- for the catch-up's writes, and statistics from a small sample for the catch-up's and the first requests' plans (the
-- full statistics come after the switch, paper_trade_rebuild_analyze).
CREATE FUNCTION paper_trade_rebuild_loaded() RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public SET default_statistics_target = 10 AS
$$
BEGIN
    PERFORM public.paper_rebuild_constrain_like('public.paper_trades', 'public.paper_trades_rebuild', false);
    PERFORM public.paper_rebuild_constrain_like('public.state_transitions', 'public.state_transitions_rebuild', false);
    PERFORM public.paper_rebuild_constrain_like('public.price_snapshots', 'public.price_snapshots_rebuild', false);
    PERFORM public.paper_rebuild_constrain_like('public.state_transitions', 'public.state_transitions_rebuild', true);
    PERFORM public.paper_rebuild_constrain_like('public.price_snapshots', 'public.price_snapshots_rebuild', true);
    ALTER TABLE public.paper_trades_rebuild ENABLE TRIGGER USER;
    ANALYZE public.paper_trades_rebuild, public.state_transitions_rebuild, public.price_snapshots_rebuild;
END
$$;

-- After a switch: full statistics of the tables now live, while they already serve requests.
CREATE FUNCTION paper_trade_rebuild_analyze() RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS
$$
BEGIN
    ANALYZE public.paper_trades, public.state_transitions, public.price_snapshots;
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
    LOCK TABLE public.paper_trades, public.state_transitions, public.price_snapshots,
        public.paper_trades_rebuild, public.state_transitions_rebuild, public.price_snapshots_rebuild
        IN ACCESS EXCLUSIVE MODE;
    difference := coalesce(public.paper_rebuild_difference('public.paper_trades', 'public.paper_trades_rebuild'),
                           public.paper_rebuild_difference('public.state_transitions', 'public.state_transitions_rebuild'),
                           public.paper_rebuild_difference('public.price_snapshots', 'public.price_snapshots_rebuild'));
    IF difference IS NOT NULL THEN
        RAISE EXCEPTION 'the rebuilt trades projection cannot be switched in: %', difference
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
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

REVOKE ALL ON FUNCTION paper_trade_rebuild_begin(), paper_trade_rebuild_index(text, integer),
    paper_trade_rebuild_owners(), paper_trade_rebuild_loaded(), paper_trade_rebuild_switch(),
    paper_trade_rebuild_analyze() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION paper_trade_rebuild_begin(), paper_trade_rebuild_index(text, integer),
    paper_trade_rebuild_owners(), paper_trade_rebuild_loaded(), paper_trade_rebuild_switch(),
    paper_trade_rebuild_analyze() TO ${engineRole};
