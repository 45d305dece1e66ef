package io.papertrading.query.support;

import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionException;
import org.springframework.transaction.support.SimpleTransactionStatus;
import org.springframework.transaction.support.TransactionCallback;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * For projections: runs the work inside the caller's transaction when there is one (an event processor's
 * batch), else in a new transaction. Unlike a participating {@link TransactionTemplate}, a failure inside an
 * existing transaction does not mark it rollback-only: the processor decides, and its dead-letter queue can
 * park the one failed event and commit the rest of the batch.
 */
public class JoiningTransactionTemplate extends TransactionTemplate {

    public JoiningTransactionTemplate(PlatformTransactionManager transactionManager) {
        super(transactionManager);
    }

    @Override
    public <T> T execute(TransactionCallback<T> action) throws TransactionException {
        if (TransactionSynchronizationManager.isActualTransactionActive()) {
            return action.doInTransaction(new SimpleTransactionStatus(false));
        }
        return super.execute(action);
    }
}
