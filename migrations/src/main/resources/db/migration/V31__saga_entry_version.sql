-- A saga is changed by its event processor on the node that owns its segment and by its deadlines on whichever
-- node db-scheduler picks: two nodes can load the same saga at once. Each write checks and bumps this version,
-- so the later of two concurrent writes fails and is retried on fresh state instead of silently undoing the
-- earlier one (a lost exit order id, a close overwritten by a poll).
ALTER TABLE saga_entry ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
