package io.papertrading.query.trade;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class TradeChangeSignalTest {

    private final TradeChangeSignal signal = new TradeChangeSignal();

    @Test
    void aWaiterWakesOnTheNextChange() {
        long seen = signal.generation();
        CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                return signal.awaitChangeAfter(seen, Duration.ofSeconds(10).toNanos());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });

        signal.changed();

        await().atMost(Duration.ofSeconds(5)).until(waiter::isDone);
        assertThat(waiter.join()).isTrue();
    }

    @Test
    void aChangeAlreadySignalledDoesNotMakeAnyoneWait() throws InterruptedException {
        long seen = signal.generation();
        signal.changed();

        assertThat(signal.awaitChangeAfter(seen, Duration.ofSeconds(10).toNanos())).isTrue();
    }

    @Test
    void withoutAChangeTheWaitEndsAtItsBound() throws InterruptedException {
        assertThat(signal.awaitChangeAfter(signal.generation(), Duration.ofMillis(20).toNanos())).isFalse();
    }
}
