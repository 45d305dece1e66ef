-- Axon Framework's tables (JPA mapping of Axon 4.13), created here and validated by Hibernate, never
-- generated. Every payload, metadata, token and saga is BYTEA holding JSON: readable with
-- convert_from(payload, 'UTF8'), and no large objects.

-- The global event order. Increment 1 (not Hibernate's 50): gap-free, in-order indexes across nodes.
CREATE SEQUENCE domain_event_global_index_seq START WITH 1 INCREMENT BY 1;

CREATE TABLE domain_event_entry (
    global_index          BIGINT       NOT NULL PRIMARY KEY,
    aggregate_identifier  VARCHAR(255) NOT NULL,
    sequence_number       BIGINT       NOT NULL,
    type                  VARCHAR(255),
    event_identifier      VARCHAR(255) NOT NULL UNIQUE,
    meta_data             BYTEA,
    payload               BYTEA        NOT NULL,
    payload_revision      VARCHAR(255),
    payload_type          VARCHAR(255) NOT NULL,
    time_stamp            VARCHAR(255) NOT NULL,
    -- Two writers of one aggregate race here: the loser gets a unique violation and retries (idempotency,
    -- optimistic concurrency across nodes).
    CONSTRAINT domain_event_entry_aggregate_sequence_key UNIQUE (aggregate_identifier, sequence_number)
);

CREATE TABLE snapshot_event_entry (
    aggregate_identifier  VARCHAR(255) NOT NULL,
    sequence_number       BIGINT       NOT NULL,
    type                  VARCHAR(255) NOT NULL,
    event_identifier      VARCHAR(255) NOT NULL UNIQUE,
    meta_data             BYTEA,
    payload               BYTEA        NOT NULL,
    payload_revision      VARCHAR(255),
    payload_type          VARCHAR(255) NOT NULL,
    time_stamp            VARCHAR(255) NOT NULL,
    PRIMARY KEY (sequence_number, aggregate_identifier, type)
);

-- Event processor positions; pooled processors claim segments through these rows.
CREATE TABLE token_entry (
    processor_name  VARCHAR(255) NOT NULL,
    segment         INTEGER      NOT NULL,
    token           BYTEA,
    token_type      VARCHAR(255),
    "timestamp"     VARCHAR(255) NOT NULL,
    owner           VARCHAR(255),
    PRIMARY KEY (segment, processor_name)
);

CREATE TABLE saga_entry (
    saga_id          VARCHAR(255) NOT NULL PRIMARY KEY,
    saga_type        VARCHAR(255),
    revision         VARCHAR(255),
    serialized_saga  BYTEA
);

CREATE SEQUENCE association_value_entry_seq START WITH 1 INCREMENT BY 50;

CREATE TABLE association_value_entry (
    id                 BIGINT       NOT NULL PRIMARY KEY,
    association_key    VARCHAR(255) NOT NULL,
    association_value  VARCHAR(255),
    saga_id            VARCHAR(255) NOT NULL,
    saga_type          VARCHAR(255)
);
CREATE INDEX association_value_entry_lookup_idx ON association_value_entry (saga_type, association_key, association_value);
CREATE INDEX association_value_entry_saga_idx ON association_value_entry (saga_id, saga_type);

-- Events a processor could not handle, parked per sequence so one poisoned trade does not stall the others.
CREATE TABLE dead_letter_entry (
    dead_letter_id        VARCHAR(255)  NOT NULL PRIMARY KEY,
    processing_group      VARCHAR(255)  NOT NULL,
    sequence_identifier   VARCHAR(255)  NOT NULL,
    sequence_index        BIGINT        NOT NULL,
    message_type          VARCHAR(255)  NOT NULL,
    event_identifier      VARCHAR(255)  NOT NULL,
    time_stamp            VARCHAR(255)  NOT NULL,
    payload_type          VARCHAR(255)  NOT NULL,
    payload_revision      VARCHAR(255),
    payload               BYTEA         NOT NULL,
    meta_data             BYTEA,
    type                  VARCHAR(255),
    aggregate_identifier  VARCHAR(255),
    sequence_number       BIGINT,
    token_type            VARCHAR(255),
    token                 BYTEA,
    enqueued_at           TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    last_touched          TIMESTAMP(6) WITH TIME ZONE,
    processing_started    TIMESTAMP(6) WITH TIME ZONE,
    cause_type            VARCHAR(255),
    cause_message         VARCHAR(1023),
    diagnostics           BYTEA,
    CONSTRAINT dead_letter_entry_sequence_key UNIQUE (processing_group, sequence_identifier, sequence_index)
);
CREATE INDEX dead_letter_entry_group_idx ON dead_letter_entry (processing_group);
CREATE INDEX dead_letter_entry_sequence_idx ON dead_letter_entry (processing_group, sequence_identifier);
