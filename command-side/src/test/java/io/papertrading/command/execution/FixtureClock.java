package io.papertrading.command.execution;

import org.axonframework.test.deadline.StubDeadlineManager;
import org.axonframework.test.saga.SagaTestFixture;

import java.lang.reflect.Field;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.function.Supplier;

/**
 * The saga's clock in fixture tests: the fixture's deadline manager's time. While time travel triggers
 * deadlines one by one, the fixture's own {@code currentTime()} has already jumped to the end of the trip;
 * this clock moves deadline by deadline, as production time would.
 */
final class FixtureClock extends Clock {

    private final Supplier<StubDeadlineManager> source;
    private StubDeadlineManager deadlines;

    FixtureClock(SagaTestFixture<?> fixture) {
        this(() -> deadlineManagerOf(fixture));
    }

    /** The time of this deadline manager, wherever it comes from. */
    FixtureClock(Supplier<StubDeadlineManager> deadlines) {
        this.source = deadlines;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        if (deadlines == null) {
            deadlines = source.get();
        }
        return deadlines.getCurrentDateTime();
    }

    private static StubDeadlineManager deadlineManagerOf(SagaTestFixture<?> fixture) {
        try {
            Field field = SagaTestFixture.class.getDeclaredField("deadlineManager");
            field.setAccessible(true);
            return (StubDeadlineManager) field.get(fixture);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("SagaTestFixture changed: no deadlineManager field", e);
        }
    }
}
