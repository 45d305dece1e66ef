package io.papertrading.app.axon;

import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.axonframework.modelling.command.ConcurrencyException;
import org.axonframework.modelling.saga.AssociationValue;
import org.axonframework.modelling.saga.AssociationValues;
import org.axonframework.modelling.saga.repository.SagaStore;
import org.springframework.jdbc.core.JdbcTemplate;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A saga store with optimistic locking: every load remembers the saga's version ({@code saga_entry.version}) in the
 * unit of work, and every update succeeds only if the row still has that version, bumping it. A saga changed by
 * another node between this node's load and its write fails the write with a {@link ConcurrencyException}: the
 * unit of work rolls back and its event or deadline is handled again on the saga as the other node left it.
 *
 * <p>The version is read before the saga itself; under READ COMMITTED a write committed between the two reads
 * makes the remembered version older than the state, which fails the write spuriously (and safely), never the
 * other way round. Runs in the unit of work's transaction: the JDBC statements join the JPA transaction.
 */
final class VersionedSagaStore implements SagaStore<Object> {

    private static final String VERSIONS = VersionedSagaStore.class.getName() + ".versions";

    private final SagaStore<Object> delegate;
    private final JdbcTemplate jdbc;

    VersionedSagaStore(SagaStore<Object> delegate, JdbcTemplate jdbc) {
        this.delegate = delegate;
        this.jdbc = jdbc;
    }

    @Override
    public Set<String> findSagas(Class<?> sagaType, AssociationValue associationValue) {
        return delegate.findSagas(sagaType, associationValue);
    }

    @Override
    public <S> Entry<S> loadSaga(Class<S> sagaType, String sagaIdentifier) {
        List<Long> version = jdbc.queryForList("select version from saga_entry where saga_id = ?", Long.class,
                sagaIdentifier);
        Entry<S> entry = delegate.loadSaga(sagaType, sagaIdentifier);
        if (entry != null && !version.isEmpty()) {
            versions().put(sagaIdentifier, version.get(0));
        }
        return entry;
    }

    @Override
    public void insertSaga(Class<?> sagaType, String sagaIdentifier, Object saga, Set<AssociationValue> associations) {
        delegate.insertSaga(sagaType, sagaIdentifier, saga, associations);
        versions().put(sagaIdentifier, 0L);
    }

    @Override
    public void updateSaga(Class<?> sagaType, String sagaIdentifier, Object saga, AssociationValues associations) {
        Long expected = versions().get(sagaIdentifier);
        int updated = expected == null
                ? 0
                : jdbc.update("update saga_entry set version = version + 1 where saga_id = ? and version = ?",
                        sagaIdentifier, expected);
        if (updated != 1) {
            throw new ConcurrencyException("saga " + sagaIdentifier + " was changed by another node since it was "
                    + "loaded; handled again on its current state");
        }
        versions().put(sagaIdentifier, expected + 1);
        delegate.updateSaga(sagaType, sagaIdentifier, saga, associations);
    }

    @Override
    public void deleteSaga(Class<?> sagaType, String sagaIdentifier, Set<AssociationValue> associations) {
        versions().remove(sagaIdentifier);
        delegate.deleteSaga(sagaType, sagaIdentifier, associations);
    }

    /** Versions of the sagas loaded in the current unit of work (one map per root unit of work). */
    private static Map<String, Long> versions() {
        if (!CurrentUnitOfWork.isStarted()) {
            throw new IllegalStateException("sagas are loaded and stored within a unit of work");
        }
        return CurrentUnitOfWork.get().root().getOrComputeResource(VERSIONS, key -> new HashMap<>());
    }
}
