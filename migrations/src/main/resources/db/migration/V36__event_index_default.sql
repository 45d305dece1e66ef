-- The global event index is drawn by the insert itself (a column default on the same gap-free sequence, increment 1)
-- instead of a separate nextval round trip before every event's insert: Hibernate maps it as IDENTITY (orm.xml) and
-- reads the index back from the insert's RETURNING clause.
ALTER TABLE domain_event_entry ALTER COLUMN global_index SET DEFAULT nextval('domain_event_global_index_seq');
ALTER SEQUENCE domain_event_global_index_seq OWNED BY domain_event_entry.global_index;
