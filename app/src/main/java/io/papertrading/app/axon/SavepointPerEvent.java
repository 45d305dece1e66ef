package io.papertrading.app.axon;

import io.papertrading.query.support.BatchedProjection;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.messaging.Message;
import org.axonframework.messaging.annotation.HandlerEnhancerDefinition;
import org.axonframework.messaging.annotation.MessageHandlingMember;
import org.axonframework.messaging.annotation.WrappedMessageHandlingMember;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.Savepoint;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps one failed event from failing or poisoning a batch of a JDBC projection. In PostgreSQL a failed statement
 * aborts the whole transaction, so the dead-letter queue could not even record the failure (its own statements
 * would be refused too) and the work package would retry the poisoned event forever, stalling every trade of its
 * segment; and a handler that failed after some of its writes would leave them beside its dead letter.
 *
 * <p><b>Batch first, then event by event.</b> Normally the handlers run bare: a savepoint per event cost two round
 * trips per event and projection, and every one that writes takes a subtransaction id (past 64 in one
 * transaction, every other session's snapshots slow down). When a handler fails, the whole batch is made to roll
 * back (nothing of it, nor a dead letter, is kept) and the handler's owner is <em>careful</em> for
 * {@link #CAREFUL_FOR}: the processor hands the batch again, and each of its events then runs inside its own
 * savepoint, so the failing one is rolled back alone, parked for its trade, and the rest commit.
 *
 * <p>A {@link BatchedProjection} writes what a batch folded once, as the batch is about to commit (a failure there
 * blames no event yet, so the batch comes again event by event), and after each event when events run in
 * savepoints; a rolled back savepoint makes it forget what it folded.
 *
 * <p>It wraps the handler itself, inside the dead-letter logic, and only the engine's read-model and monitor
 * handlers (plain JDBC); sagas are left alone: their store remembers what its unit of work wrote, which a
 * savepoint rolled back under it would leave wrong.
 */
@Component
class SavepointPerEvent implements HandlerEnhancerDefinition {

    /** How long the owner of a failed handler runs each event in a savepoint (the retried batch comes sooner). */
    static final Duration CAREFUL_FOR = Duration.ofMinutes(2);
    private static final String FLUSH = "flush-before-commit:";
    private static final String[] JDBC_HANDLER_PACKAGES = {"io.papertrading.query.", "io.papertrading.command.monitor."};

    private final DataSource dataSource;
    /** Owners of handlers that failed, with the {@link System#nanoTime()} until which they stay careful. */
    private final Map<Class<?>, Long> carefulUntil = new ConcurrentHashMap<>();

    SavepointPerEvent(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public <T> MessageHandlingMember<T> wrapHandler(MessageHandlingMember<T> original) {
        String owner = original.declaringClass().getName();
        boolean jdbcProjection = original.canHandleMessageType(EventMessage.class)
                && (owner.startsWith(JDBC_HANDLER_PACKAGES[0]) || owner.startsWith(JDBC_HANDLER_PACKAGES[1]));
        return jdbcProjection ? new Savepointed<>(original, dataSource, carefulUntil) : original;
    }

    /** Whether handlers of this owner run each event in a savepoint now (tests). */
    boolean careful(Class<?> owner) {
        Long until = carefulUntil.get(owner);
        return until != null && System.nanoTime() - until < 0;
    }

    private static final class Savepointed<T> extends WrappedMessageHandlingMember<T> {
        private final DataSource dataSource;
        private final Map<Class<?>, Long> carefulUntil;

        Savepointed(MessageHandlingMember<T> delegate, DataSource dataSource, Map<Class<?>, Long> carefulUntil) {
            super(delegate);
            this.dataSource = dataSource;
            this.carefulUntil = carefulUntil;
        }

        @Override
        public Object handle(Message<?> message, T target) throws Exception {
            if (!TransactionSynchronizationManager.isActualTransactionActive()) {
                return super.handle(message, target);
            }
            Long until = carefulUntil.get(target.getClass());
            if (until == null || System.nanoTime() - until >= 0 || !CurrentUnitOfWork.isStarted()) {
                Object result;
                try {
                    result = super.handle(message, target);
                } catch (Exception e) {
                    retryEventByEvent(target);
                    throw e;
                }
                if (target instanceof BatchedProjection batched) {
                    flushWithTheBatch(batched);
                }
                return result;
            }
            return inSavepoint(message, target);
        }

        /** Whatever the dead-letter logic does next, nothing of this batch is kept: it comes again, event by event. */
        private void retryEventByEvent(T target) {
            carefulUntil.put(target.getClass(), System.nanoTime() + CAREFUL_FOR.toNanos());
            CurrentUnitOfWork.ifStarted(u -> u.root().onPrepareCommit(root -> {
                throw new BatchRetriedEventByEvent(target.getClass().getSimpleName());
            }));
        }

        /**
         * The projection's writes go out once, as the batch is about to commit; if they fail, no event can be blamed
         * yet, so the batch comes again event by event, each event's writes in its savepoint.
         */
        private void flushWithTheBatch(BatchedProjection batched) {
            CurrentUnitOfWork.ifStarted(u -> u.root().getOrComputeResource(FLUSH + batched.getClass().getName(), key -> {
                u.root().onPrepareCommit(root -> {
                    try {
                        batched.flush();
                    } catch (RuntimeException e) {
                        carefulUntil.put(batched.getClass(), System.nanoTime() + CAREFUL_FOR.toNanos());
                        throw e;
                    }
                });
                return Boolean.TRUE;
            }));
        }

        private Object inSavepoint(Message<?> message, T target) throws Exception {
            Connection connection = DataSourceUtils.getConnection(dataSource);
            try {
                Savepoint savepoint = connection.setSavepoint();
                Object result;
                try {
                    result = super.handle(message, target);
                    if (target instanceof BatchedProjection batched) {
                        batched.flush(); // within the event's savepoint: a write that fails is this event's
                    }
                } catch (Exception e) {
                    connection.rollback(savepoint);
                    if (target instanceof BatchedProjection batched) {
                        batched.discard();
                    }
                    throw e;
                }
                connection.releaseSavepoint(savepoint);
                return result;
            } finally {
                DataSourceUtils.releaseConnection(connection, dataSource);
            }
        }
    }

    /** A handler failed in a batch run without savepoints: the batch rolls back and comes again, event by event. */
    static final class BatchRetriedEventByEvent extends RuntimeException {
        BatchRetriedEventByEvent(String owner) {
            super("an event handler of " + owner + " failed; its batch is rolled back and handled again, each event "
                    + "in a savepoint of its own", null, false, false);
        }
    }
}
