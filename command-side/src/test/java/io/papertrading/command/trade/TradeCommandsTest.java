package io.papertrading.command.trade;

import org.axonframework.eventsourcing.eventstore.EventStoreException;
import org.axonframework.modelling.command.AggregateStreamCreationException;
import org.axonframework.modelling.command.ConcurrencyException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which failures of a trade command are a lost race for the trade's stream, retried by reloading the trade. */
class TradeCommandsTest {

    @Test
    void anotherNodeCreatingTheTradeFirstIsALostRace() {
        assertThat(TradeCommands.isConcurrencyFailure(new AggregateStreamCreationException("stream exists"))).isTrue();
        assertThat(TradeCommands.isConcurrencyFailure(new RuntimeException(new ConcurrencyException("newer event"))))
                .isTrue();
    }

    @Test
    void aStorageFailureIsNoRace() {
        assertThat(TradeCommands.isConcurrencyFailure(new EventStoreException("disk full"))).isFalse();
        assertThat(TradeCommands.isConcurrencyFailure(new IllegalStateException("bug"))).isFalse();
    }
}
