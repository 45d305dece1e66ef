-- Live updates (GET /api/stream) follow the read model, not the event processors, so they work on any node and
-- resume exactly after a reconnect.
--
-- change_tx is the transaction that last wrote a trade's row. A stream remembers a horizon: the oldest
-- transaction still running when it last read (pg_snapshot_xmin). Every transaction below the horizon has
-- finished, so no row can later appear with a change_tx below it; the next read asks for rows at or above the
-- old horizon and below the new one. Unlike a sequence or a timestamp, this never skips a row whose
-- transaction committed late. The horizon is the event id a client sends back as Last-Event-ID.
ALTER TABLE paper_trades ADD COLUMN change_tx xid8 NOT NULL DEFAULT pg_current_xact_id();

-- Streams sleep until something of their user changed: NOTIFY is delivered at commit, to every node that
-- listens, with the username as payload (the same name in one transaction is delivered once). The streams then
-- read the rows themselves, as that user, under row-level security; a notification carries no data.
CREATE FUNCTION paper_trade_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    NEW.change_tx := pg_current_xact_id();
    PERFORM pg_notify('paper_changes', NEW.username);
    RETURN NEW;
END
$$;

CREATE TRIGGER paper_trades_changed
    BEFORE INSERT OR UPDATE ON paper_trades
    FOR EACH ROW EXECUTE FUNCTION paper_trade_changed();

-- Portfolio totals come from the analytics projection, which may commit after the trade's row: tell the
-- user's streams then too.
CREATE FUNCTION paper_portfolio_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('paper_changes', OLD.username);
    ELSE
        PERFORM pg_notify('paper_changes', NEW.username);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER analytics_strategy_stats_changed
    AFTER INSERT OR UPDATE OR DELETE ON analytics_strategy_stats
    FOR EACH ROW EXECUTE FUNCTION paper_portfolio_changed();
