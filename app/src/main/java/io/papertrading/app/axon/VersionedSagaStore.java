package io.papertrading.app.axon;

import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.axonframework.modelling.command.ConcurrencyException;
import org.axonframework.modelling.saga.AssociationValue;
import org.axonframework.modelling.saga.AssociationValues;
import org.axonframework.modelling.saga.repository.SagaStore;
import org.axonframework.serialization.SerializedObject;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.SimpleSerializedObject;
import org.axonframework.serialization.SimpleSerializedType;
import org.springframework.jdbc.core.JdbcTemplate;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The saga store, in plain SQL on the tables Axon's JPA saga store defined ({@code saga_entry},
 * {@code association_value_entry}; same serialized form, so either reads the other's rows), with optimistic
 * locking: every load reads the saga's version ({@code saga_entry.version}) with its state and remembers it in the
 * unit of work, and every update succeeds only if the row still has that version, bumping it. A saga changed by
 * another node between this node's load and its write fails the write with a {@link ConcurrencyException}: the
 * unit of work rolls back and its event or deadline is handled again on the saga as the other node left it.
 *
 * <p>Runs in the unit of work's transaction (the JDBC statements join the engine's transaction). The JPA store did
 * the same work with a version query beside each load and update and Hibernate's query machinery around every
 * statement; the saga processor spent a third of its time there.
 */
final class VersionedSagaStore implements SagaStore<Object> {

    private static final String VERSIONS = VersionedSagaStore.class.getName() + ".versions";

    private final JdbcTemplate jdbc;
    private final Serializer serializer;

    VersionedSagaStore(JdbcTemplate jdbc, Serializer serializer) {
        this.jdbc = jdbc;
        this.serializer = serializer;
    }

    @Override
    public Set<String> findSagas(Class<?> sagaType, AssociationValue associationValue) {
        return new HashSet<>(jdbc.queryForList("""
                        select saga_id from association_value_entry
                        where association_key = ? and association_value = ? and saga_type = ?""", String.class,
                associationValue.getKey(), associationValue.getValue(), typeName(sagaType)));
    }

    @Override
    public <S> Entry<S> loadSaga(Class<S> sagaType, String sagaIdentifier) {
        List<Stored> rows = jdbc.query(
                "select serialized_saga, saga_type, revision, version from saga_entry where saga_id = ?",
                (rs, i) -> new Stored(rs.getBytes(1), rs.getString(2), rs.getString(3), rs.getLong(4)),
                sagaIdentifier);
        if (rows.isEmpty()) {
            return null;
        }
        Stored row = rows.get(0);
        SerializedObject<byte[]> serialized = new SimpleSerializedObject<>(row.data(), byte[].class,
                new SimpleSerializedType(row.type(), row.revision()));
        S saga = serializer.deserialize(serialized);
        Set<AssociationValue> associations = new HashSet<>(jdbc.query("""
                        select association_key, association_value from association_value_entry
                        where saga_id = ? and saga_type = ?""",
                (rs, i) -> new AssociationValue(rs.getString(1), rs.getString(2)),
                sagaIdentifier, typeName(sagaType)));
        versions().put(sagaIdentifier, row.version());
        return new LoadedSaga<>(saga, associations);
    }

    @Override
    public void insertSaga(Class<?> sagaType, String sagaIdentifier, Object saga, Set<AssociationValue> associations) {
        SerializedObject<byte[]> serialized = serializer.serialize(saga, byte[].class);
        jdbc.update("""
                        insert into saga_entry (saga_id, saga_type, revision, serialized_saga, version)
                        values (?, ?, ?, ?, 0)""",
                sagaIdentifier, serialized.getType().getName(), serialized.getType().getRevision(), serialized.getData());
        String type = typeName(sagaType);
        for (AssociationValue association : associations) {
            insertAssociation(sagaIdentifier, type, association);
        }
        versions().put(sagaIdentifier, 0L);
    }

    @Override
    public void updateSaga(Class<?> sagaType, String sagaIdentifier, Object saga, AssociationValues associations) {
        Long expected = versions().get(sagaIdentifier);
        SerializedObject<byte[]> serialized = serializer.serialize(saga, byte[].class);
        int updated = expected == null ? 0 : jdbc.update("""
                        update saga_entry set serialized_saga = ?, revision = ?, version = version + 1
                        where saga_id = ? and version = ?""",
                serialized.getData(), serialized.getType().getRevision(), sagaIdentifier, expected);
        if (updated != 1) {
            throw new ConcurrencyException("saga " + sagaIdentifier + " was changed by another node since it was "
                    + "loaded; handled again on its current state");
        }
        versions().put(sagaIdentifier, expected + 1);
        String type = typeName(sagaType);
        for (AssociationValue removed : associations.removedAssociations()) {
            jdbc.update("""
                            delete from association_value_entry
                            where association_key = ? and association_value = ? and saga_type = ? and saga_id = ?""",
                    removed.getKey(), removed.getValue(), type, sagaIdentifier);
        }
        for (AssociationValue added : associations.addedAssociations()) {
            insertAssociation(sagaIdentifier, type, added);
        }
    }

    @Override
    public void deleteSaga(Class<?> sagaType, String sagaIdentifier, Set<AssociationValue> associations) {
        versions().remove(sagaIdentifier);
        jdbc.update("delete from association_value_entry where saga_id = ?", sagaIdentifier);
        jdbc.update("delete from saga_entry where saga_id = ?", sagaIdentifier);
    }

    private void insertAssociation(String sagaIdentifier, String type, AssociationValue association) {
        // ids from the sequence the JPA store allocated from: each nextval is a block of its own, never a clash
        jdbc.update("""
                        insert into association_value_entry (id, association_key, association_value, saga_id, saga_type)
                        values (nextval('association_value_entry_seq'), ?, ?, ?, ?)""",
                association.getKey(), association.getValue(), sagaIdentifier, type);
    }

    private String typeName(Class<?> sagaType) {
        return serializer.typeForClass(sagaType).getName();
    }

    /** Versions of the sagas loaded in the current unit of work (one map per root unit of work). */
    private static Map<String, Long> versions() {
        if (!CurrentUnitOfWork.isStarted()) {
            throw new IllegalStateException("sagas are loaded and stored within a unit of work");
        }
        return CurrentUnitOfWork.get().root().getOrComputeResource(VERSIONS, key -> new HashMap<>());
    }

    private record Stored(byte[] data, String type, String revision, long version) {
    }

    private record LoadedSaga<S>(S saga, Set<AssociationValue> associationValues) implements Entry<S> {
    }
}
