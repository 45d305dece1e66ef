-- Each price snapshot also records the trade's MFE/MAE as they stood once it was applied, so "what did this
-- trade look like at time T" reads the latest snapshot at or before T instead of scanning price events.
ALTER TABLE price_snapshots ADD COLUMN mfe numeric(19, 4);
ALTER TABLE price_snapshots ADD COLUMN mae numeric(19, 4);
