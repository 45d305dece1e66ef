package io.papertrading.app.axon;

import io.papertrading.app.IntegrationTestBase;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.axonframework.modelling.command.AggregateStreamCreationException;
import org.axonframework.modelling.command.ConcurrencyException;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Two nodes appending the same sequence number of one aggregate, on the app's real event store and PostgreSQL:
 * the later append is a conflict (what a placement retries on, reloading the trade), not a storage failure.
 */
class EventStoreConflictIT extends IntegrationTestBase {

    @Autowired
    private EventStorageEngine storage;
    @Autowired
    private TransactionManager transactions;

    @Test
    void theSecondNodeCreatingTheSameAggregateGetsAConflictAndTheFirstEventStays() {
        String id = "conflict-probe-" + UUID.randomUUID();
        append(id, 0, "node A's first event");

        assertThatThrownBy(() -> append(id, 0, "node B's first event"))
                .isInstanceOf(AggregateStreamCreationException.class);
        assertThat(ownerJdbc.queryForList("select event_identifier from domain_event_entry where aggregate_identifier = ?",
                String.class, id)).hasSize(1);
    }

    @Test
    void aLaterEventAppendedTwiceIsAConflictToo() {
        String id = "conflict-probe-" + UUID.randomUUID();
        append(id, 0, "created");
        append(id, 1, "node A's close");

        assertThatThrownBy(() -> append(id, 1, "node B's poll")).isInstanceOf(ConcurrencyException.class);
    }

    private void append(String aggregateId, long sequence, String payload) {
        transactions.executeInTransaction(() -> storage.appendEvents(
                new GenericDomainEventMessage<>("ConflictProbe", aggregateId, sequence, payload)));
    }
}
