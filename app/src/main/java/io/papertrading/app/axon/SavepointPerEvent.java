package io.papertrading.app.axon;

import org.axonframework.eventhandling.EventMessage;
import org.axonframework.messaging.Message;
import org.axonframework.messaging.annotation.HandlerEnhancerDefinition;
import org.axonframework.messaging.annotation.MessageHandlingMember;
import org.axonframework.messaging.annotation.WrappedMessageHandlingMember;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.Savepoint;

/**
 * Runs each call of a JDBC projection's event handler inside a savepoint of the processor's transaction. In
 * PostgreSQL a failed statement aborts the whole transaction, so without this the dead-letter queue could not
 * even record the failure (its own statements would be refused too) and the work package would retry the
 * poisoned event forever, stalling every trade of its segment. Rolled back to the savepoint, the transaction
 * stays usable: the failure is parked for that trade alone and the batch goes on.
 *
 * <p>It wraps the handler itself, inside the dead-letter logic, and only the engine's read-model and monitor
 * handlers (plain JDBC); JPA-stored sagas are left alone, since rolling back under Hibernate's feet would
 * desynchronize its session.
 */
@Component
class SavepointPerEvent implements HandlerEnhancerDefinition {

    private static final String[] JDBC_HANDLER_PACKAGES = {"io.papertrading.query.", "io.papertrading.command.monitor."};

    private final DataSource dataSource;

    SavepointPerEvent(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public <T> MessageHandlingMember<T> wrapHandler(MessageHandlingMember<T> original) {
        String owner = original.declaringClass().getName();
        boolean jdbcProjection = original.canHandleMessageType(EventMessage.class)
                && (owner.startsWith(JDBC_HANDLER_PACKAGES[0]) || owner.startsWith(JDBC_HANDLER_PACKAGES[1]));
        return jdbcProjection ? new Savepointed<>(original, dataSource) : original;
    }

    private static final class Savepointed<T> extends WrappedMessageHandlingMember<T> {
        private final DataSource dataSource;

        Savepointed(MessageHandlingMember<T> delegate, DataSource dataSource) {
            super(delegate);
            this.dataSource = dataSource;
        }

        @Override
        public Object handle(Message<?> message, T target) throws Exception {
            if (!TransactionSynchronizationManager.isActualTransactionActive()) {
                return super.handle(message, target);
            }
            Connection connection = DataSourceUtils.getConnection(dataSource);
            try {
                Savepoint savepoint = connection.setSavepoint();
                Object result;
                try {
                    result = super.handle(message, target);
                } catch (Exception e) {
                    connection.rollback(savepoint);
                    throw e;
                }
                connection.releaseSavepoint(savepoint);
                return result;
            } finally {
                DataSourceUtils.releaseConnection(connection, dataSource);
            }
        }
    }
}
