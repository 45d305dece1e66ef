package io.papertrading.query.support;

/**
 * A projection that folds a processor batch's events in memory and writes what they changed once, when the batch's
 * transaction is about to commit, instead of after every event. Whoever runs events one by one in savepoints (to
 * dead-letter a failing one alone) makes it write after each event instead, and tells it when a savepoint was
 * rolled back.
 */
public interface BatchedProjection {

    /** Writes what the current transaction folded and has not written yet; nothing when there is nothing. */
    void flush();

    /** Forgets what the current transaction folded or remembers of the database: its writes were rolled back. */
    void discard();
}
