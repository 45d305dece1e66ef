package io.papertrading.migrations;

import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * V41 moves the dead-letter queue's times to the text Axon's JDBC queue writes and reads: a letter parked by an
 * earlier version (its times as {@code timestamptz}, written by the JPA queue) keeps the same instants, as
 * ISO-8601 text in UTC with milliseconds, which sorts in time order.
 */
class DeadLetterTimesIT {

    @Test
    void aLetterParkedBeforeV41KeepsItsTimesAsIsoTextInUtc() throws SQLException {
        TestDatabase shared = TestDatabase.get();
        String name = "paper_dlq_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10).toLowerCase(Locale.ROOT);
        try (Connection admin = shared.adminConnection(); Statement st = admin.createStatement()) {
            st.execute("create database " + name);
        }
        try {
            PGSimpleDataSource owner = new PGSimpleDataSource();
            owner.setUrl(shared.urlOf(name));
            owner.setUser(shared.ownerUser());
            owner.setPassword(shared.ownerPassword());
            DatabaseMigrator.configure(owner, shared.appUser(), shared.engineUser()).target("40").load().migrate();
            try (Connection c = owner.getConnection(); Statement st = c.createStatement()) {
                // a session in another zone: the text must be UTC whatever the writer's zone was
                st.execute("set timezone = 'America/New_York'");
                st.execute("""
                        insert into dead_letter_entry (dead_letter_id, processing_group, sequence_identifier,
                            sequence_index, message_type, event_identifier, time_stamp, payload_type, payload,
                            enqueued_at, last_touched, processing_started)
                        values ('dl-1', 'trades', 'trade-1', 0, 'm', 'e-1', '2026-11-30T10:00:00.000Z', 'p', 'x',
                            '2026-11-30 05:00:00.123456-05', '2026-11-30T21:30:01.5Z', null)""");
            }
            DatabaseMigrator.migrate(owner, shared.appUser(), shared.engineUser());
            try (Connection c = owner.getConnection(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("""
                         select enqueued_at, last_touched, processing_started, pg_typeof(enqueued_at)::text
                         from dead_letter_entry where dead_letter_id = 'dl-1'""")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("2026-11-30T10:00:00.123Z");
                assertThat(rs.getString(2)).isEqualTo("2026-11-30T21:30:01.500Z");
                assertThat(rs.getString(3)).isNull();
                assertThat(rs.getString(4)).isEqualTo("character varying");
            }
        } finally {
            try (Connection admin = shared.adminConnection(); Statement st = admin.createStatement()) {
                st.execute("drop database if exists " + name + " with (force)");
            }
        }
    }
}
