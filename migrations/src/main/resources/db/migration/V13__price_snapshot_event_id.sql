-- A price snapshot comes from one PriceObserved event; its identifier makes a redelivered or replayed event
-- insert nothing the second time. Nullable so rows written by other means remain possible.
ALTER TABLE price_snapshots ADD COLUMN event_id text;
ALTER TABLE price_snapshots ADD CONSTRAINT price_snapshots_event_id_key UNIQUE (event_id);
