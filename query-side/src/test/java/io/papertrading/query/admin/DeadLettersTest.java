package io.papertrading.query.admin;

import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.messaging.MetaData;
import org.axonframework.messaging.deadletter.DeadLetter;
import org.axonframework.messaging.deadletter.GenericDeadLetter;
import org.axonframework.messaging.deadletter.ThrowableCause;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class DeadLettersTest {

    private static final Instant PARKED = Instant.parse("2026-11-30T10:00:00Z");

    @Test
    void backsOffByDoublingUpToFiveMinutes() {
        assertThat(DeadLetters.backoff(0)).isEqualTo(Duration.ofSeconds(1));
        assertThat(DeadLetters.backoff(3)).isEqualTo(Duration.ofSeconds(8));
        assertThat(DeadLetters.backoff(9)).isEqualTo(Duration.ofMinutes(5));
        assertThat(DeadLetters.backoff(1_000)).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void retriesATransientLetterOnlyOnceItsBackOffHasPassed() {
        DeadLetter<?> letter = letter(true, 2);
        assertThat(DeadLetters.due(letter, PARKED.plusSeconds(3))).isFalse();
        assertThat(DeadLetters.due(letter, PARKED.plusSeconds(4))).isTrue();
    }

    @Test
    void neverRetriesAPermanentLetterOnItsOwn() {
        assertThat(DeadLetters.due(letter(false, 0), PARKED.plus(Duration.ofDays(1)))).isFalse();
    }

    private static DeadLetter<?> letter(boolean transientCause, long retries) {
        return new GenericDeadLetter<>("trade-1", GenericEventMessage.asEventMessage("event"),
                new ThrowableCause(new IllegalStateException("x")), PARKED, PARKED,
                MetaData.from(Map.of(DeadLetters.TRANSIENT, transientCause, DeadLetters.RETRIES, retries)));
    }
}
