package io.papertrading.command.trade;

import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.EventProcessor;
import org.axonframework.eventhandling.EventTrackerStatus;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

/** The pacing read from processors' in-memory state: Axon's processors stubbed with the positions they report. */
class PlacementPacingTest {

    private final AtomicLong sagaAt = new AtomicLong(1_000);
    private final AtomicLong tradesAt = new AtomicLong(1_000);
    private final EventProcessingConfiguration processing = mock(EventProcessingConfiguration.class);

    PlacementPacingTest() {
        StreamingEventProcessor saga = processor(sagaAt);
        StreamingEventProcessor trades = processor(tradesAt);
        when(processing.eventProcessor(eq(PlacementPacing.SAGA_PROCESSOR), eq(StreamingEventProcessor.class)))
                .thenReturn(Optional.of(saga));
        when(processing.eventProcessors()).thenReturn(Map.<String, EventProcessor>of(
                PlacementPacing.SAGA_PROCESSOR, saga, "trades", trades));
    }

    @Test
    void theBacklogIsHowFarTheSagaIsBehindTheFurthestProcessor() {
        tradesAt.set(1_400);

        assertThat(new PlacementPacing(processing, 250, Duration.ofSeconds(2)).backlog()).isEqualTo(400);
    }

    @Test
    void aPlacementGoesAheadAtOnceWhileTheSagaKeepsUp() {
        tradesAt.set(1_200);

        CompletableFuture<Void> placed = CompletableFuture.runAsync(
                () -> new PlacementPacing(processing, 250, Duration.ofMinutes(10)).awaitRoom());

        assertThat(placed).succeedsWithin(Duration.ofSeconds(30));
    }

    @Test
    void aPlacementWaitsWhileTheSagaIsTooFarBehindAndGoesOnOnceItCatchesUp() throws Exception {
        tradesAt.set(2_000);
        CompletableFuture<Void> placed = CompletableFuture.runAsync(
                () -> new PlacementPacing(processing, 250, Duration.ofMinutes(10)).awaitRoom());

        assertThat(waitQuietly(placed, 200)).as("held while 1,000 events behind").isFalse();

        sagaAt.set(1_900);
        assertThat(placed).succeedsWithin(Duration.ofSeconds(30));
    }

    @Test
    void aPlacementIsSlowedNeverRefused() {
        tradesAt.set(2_000); // the saga never catches up

        CompletableFuture<Void> placed = CompletableFuture.runAsync(
                () -> new PlacementPacing(processing, 250, Duration.ofMillis(50)).awaitRoom());

        assertThat(placed).succeedsWithin(Duration.ofSeconds(30));
    }

    @Test
    void aNodeThatDoesNotRunTheSagaNeverWaits() {
        when(processing.eventProcessor(eq(PlacementPacing.SAGA_PROCESSOR), eq(StreamingEventProcessor.class)))
                .thenReturn(Optional.empty());
        tradesAt.set(5_000);

        assertThat(new PlacementPacing(processing, 250, Duration.ofMinutes(10)).backlog()).isZero();
    }

    private static boolean waitQuietly(CompletableFuture<Void> f, long millis) {
        try {
            f.get(millis, TimeUnit.MILLISECONDS);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private static StreamingEventProcessor processor(AtomicLong position) {
        StreamingEventProcessor processor = mock(StreamingEventProcessor.class);
        EventTrackerStatus status = mock(EventTrackerStatus.class);
        when(status.getCurrentPosition()).thenAnswer(i -> OptionalLong.of(position.get()));
        when(processor.processingStatus()).thenReturn(Map.of(0, status));
        return processor;
    }
}
