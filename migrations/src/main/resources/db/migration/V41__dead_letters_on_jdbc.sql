-- The dead-letter queue is Axon's JDBC one (the app no longer uses JPA at all): it writes and reads its times as
-- ISO-8601 text in UTC with milliseconds (2026-12-01T05:00:00.123Z), as the JPA queue already did for time_stamp,
-- and orders and compares them as text, which that fixed width keeps in time order. Letters parked by an earlier
-- version keep their times, written the same way.
ALTER TABLE dead_letter_entry
    ALTER COLUMN enqueued_at TYPE VARCHAR(255)
        USING to_char(enqueued_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    ALTER COLUMN last_touched TYPE VARCHAR(255)
        USING to_char(last_touched AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    ALTER COLUMN processing_started TYPE VARCHAR(255)
        USING to_char(processing_started AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
