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

import java.sql.PreparedStatement;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
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
 *
 * <p><b>Committed copies.</b> A trade's saga is loaded for nearly every one of its events, each time in another
 * batch: two reads per event, and an association lookup. The store keeps the last committed form of recently used
 * sagas (bytes, version, associations) and which sagas an association value led to. A copy is only ever taken
 * from a committed write or a read, never from an uncommitted one, and is replaced only by a newer version. A copy
 * made stale by another node (or a row it deleted) costs nothing unsafe: the version check refuses the write made
 * from it, the copy is dropped, and the unit of work runs again on what the database holds. A lookup that found
 * nothing is never remembered: a saga started on another node is always found.
 */
final class VersionedSagaStore implements SagaStore<Object> {

    private static final String VERSIONS = VersionedSagaStore.class.getName() + ".versions";
    private static final String SEEN = VersionedSagaStore.class.getName() + ".seen";
    /** Sagas whose committed copy is kept: a few hundred bytes to a few KB each. */
    static final int CACHED_SAGAS = 4096;

    private final JdbcTemplate jdbc;
    private final Serializer serializer;
    private final Map<String, Stored> committed = lru(CACHED_SAGAS);
    private final Map<AssociationKey, Set<String>> associated = lru(CACHED_SAGAS);

    VersionedSagaStore(JdbcTemplate jdbc, Serializer serializer) {
        this.jdbc = jdbc;
        this.serializer = serializer;
    }

    @Override
    public Set<String> findSagas(Class<?> sagaType, AssociationValue associationValue) {
        String type = typeName(sagaType);
        AssociationKey key = new AssociationKey(type, associationValue);
        synchronized (associated) {
            Set<String> known = associated.get(key);
            if (known != null) {
                return new HashSet<>(known);
            }
        }
        Map<AssociationKey, Set<String>> seen = seenInUnitOfWork();
        Set<String> seenHere = seen.get(key);
        if (seenHere != null) {
            return new HashSet<>(seenHere);
        }
        Set<String> found = new HashSet<>(jdbc.queryForList("""
                        select saga_id from association_value_entry
                        where association_key = ? and association_value = ? and saga_type = ?""", String.class,
                associationValue.getKey(), associationValue.getValue(), type));
        seen.put(key, Set.copyOf(found));
        if (!found.isEmpty()) {
            synchronized (associated) {
                associated.merge(key, Set.copyOf(found), VersionedSagaStore::union);
            }
        }
        return found;
    }

    @Override
    public <S> Entry<S> loadSaga(Class<S> sagaType, String sagaIdentifier) {
        Stored row;
        synchronized (committed) {
            row = committed.get(sagaIdentifier);
        }
        if (row == null) {
            List<Stored> rows = jdbc.query(
                    "select serialized_saga, saga_type, revision, version from saga_entry where saga_id = ?",
                    (rs, i) -> new Stored(rs.getBytes(1), rs.getString(2), rs.getString(3), rs.getLong(4), null),
                    sagaIdentifier);
            if (rows.isEmpty()) {
                return null;
            }
            Set<AssociationValue> associations = Set.copyOf(jdbc.query("""
                            select association_key, association_value from association_value_entry
                            where saga_id = ? and saga_type = ?""",
                    (rs, i) -> new AssociationValue(rs.getString(1), rs.getString(2)),
                    sagaIdentifier, typeName(sagaType)));
            row = rows.get(0).with(associations);
            remember(sagaIdentifier, row);
        }
        SerializedObject<byte[]> serialized = new SimpleSerializedObject<>(row.data(), byte[].class,
                new SimpleSerializedType(row.type(), row.revision()));
        S saga = serializer.deserialize(serialized);
        versions().put(sagaIdentifier, row.version());
        return new LoadedSaga<>(saga, new HashSet<>(row.associations()));
    }

    @Override
    public void insertSaga(Class<?> sagaType, String sagaIdentifier, Object saga, Set<AssociationValue> associations) {
        SerializedObject<byte[]> serialized = serializer.serialize(saga, byte[].class);
        String type = typeName(sagaType);
        String[] keys = associations.stream().map(AssociationValue::getKey).toArray(String[]::new);
        String[] values = associations.stream().map(AssociationValue::getValue).toArray(String[]::new);
        // the saga and its associations in one statement: one round trip on the saga processor's one thread, which
        // starts a saga for every trade (ids from the JPA store's sequence, as insertAssociation explains)
        jdbc.update(c -> {
            PreparedStatement ps = c.prepareStatement("""
                    with saga as (
                        insert into saga_entry (saga_id, saga_type, revision, serialized_saga, version)
                        values (?, ?, ?, ?, 0))
                    insert into association_value_entry (id, association_key, association_value, saga_id, saga_type)
                    select nextval('association_value_entry_seq'), a.key, a.value, ?, ?
                    from unnest(?::varchar[], ?::varchar[]) as a (key, value)""");
            ps.setString(1, sagaIdentifier);
            ps.setString(2, serialized.getType().getName());
            ps.setString(3, serialized.getType().getRevision());
            ps.setBytes(4, serialized.getData());
            ps.setString(5, sagaIdentifier);
            ps.setString(6, type);
            ps.setArray(7, c.createArrayOf("varchar", keys));
            ps.setArray(8, c.createArrayOf("varchar", values));
            return ps;
        });
        link(sagaIdentifier, type, associations);
        versions().put(sagaIdentifier, 0L);
        afterCommit(sagaIdentifier, type, new Stored(serialized.getData(), serialized.getType().getName(),
                serialized.getType().getRevision(), 0L, Set.copyOf(associations)), Set.of());
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
            forget(sagaIdentifier);
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
        link(sagaIdentifier, type, associations.addedAssociations());
        unlinkSeen(sagaIdentifier, type, associations.removedAssociations());
        afterCommit(sagaIdentifier, type, new Stored(serialized.getData(), serialized.getType().getName(),
                serialized.getType().getRevision(), expected + 1, Set.copyOf(associations.asSet())),
                Set.copyOf(associations.removedAssociations()));
    }

    @Override
    public void deleteSaga(Class<?> sagaType, String sagaIdentifier, Set<AssociationValue> associations) {
        versions().remove(sagaIdentifier);
        forget(sagaIdentifier);
        jdbc.update("delete from association_value_entry where saga_id = ?", sagaIdentifier);
        jdbc.update("delete from saga_entry where saga_id = ?", sagaIdentifier);
        String type = typeName(sagaType);
        unlinkSeen(sagaIdentifier, type, associations);
        CurrentUnitOfWork.get().root().afterCommit(u -> {
            forget(sagaIdentifier);
            unlink(sagaIdentifier, type, associations);
        });
    }

    /**
     * A saga written in this unit of work now answers its association values here, before the transaction commits:
     * an event of the same batch finds it without asking the database again. Where this unit of work had looked the
     * value up (a saga starts only after finding none), the set is whole, so once committed it is also the node's
     * copy; a value it never looked up may be shared with sagas it does not know, so it stays unknown until asked.
     */
    private void link(String sagaIdentifier, String type, Set<AssociationValue> associations) {
        Map<AssociationKey, Set<String>> seen = seenInUnitOfWork();
        Map<AssociationKey, Set<String>> whole = new HashMap<>();
        for (AssociationValue a : associations) {
            AssociationKey key = new AssociationKey(type, a);
            Set<String> known = seen.get(key);
            if (known != null) {
                Set<String> now = union(known, Set.of(sagaIdentifier));
                seen.put(key, now);
                whole.put(key, now);
            }
        }
        if (!whole.isEmpty()) {
            CurrentUnitOfWork.get().root().afterCommit(u -> {
                synchronized (associated) {
                    whole.forEach((key, ids) -> associated.merge(key, ids, VersionedSagaStore::union));
                }
            });
        }
    }

    /** Once the write is committed, its form is the saga's copy (unless a newer one got there first). */
    private void afterCommit(String sagaIdentifier, String type, Stored written, Set<AssociationValue> removed) {
        CurrentUnitOfWork.get().root().afterCommit(u -> {
            remember(sagaIdentifier, written);
            unlink(sagaIdentifier, type, removed);
            synchronized (associated) {
                for (AssociationValue a : written.associations()) {
                    associated.computeIfPresent(new AssociationKey(type, a), (k, ids) -> union(ids, Set.of(sagaIdentifier)));
                }
            }
        });
    }

    private void remember(String sagaIdentifier, Stored row) {
        synchronized (committed) {
            committed.merge(sagaIdentifier, row, (old, now) -> now.version() >= old.version() ? now : old);
        }
    }

    private void forget(String sagaIdentifier) {
        synchronized (committed) {
            committed.remove(sagaIdentifier);
        }
    }

    private void unlink(String sagaIdentifier, String type, Set<AssociationValue> associations) {
        synchronized (associated) {
            for (AssociationValue a : associations) {
                associated.computeIfPresent(new AssociationKey(type, a), (k, ids) -> {
                    Set<String> left = new HashSet<>(ids);
                    left.remove(sagaIdentifier);
                    return left.isEmpty() ? null : Set.copyOf(left);
                });
            }
        }
    }

    /** The saga no longer answers these association values in this unit of work. */
    private static void unlinkSeen(String sagaIdentifier, String type, Set<AssociationValue> associations) {
        Map<AssociationKey, Set<String>> seen = seenInUnitOfWork();
        for (AssociationValue a : associations) {
            seen.computeIfPresent(new AssociationKey(type, a), (k, ids) -> without(ids, sagaIdentifier));
        }
    }

    private static Set<String> without(Set<String> ids, String sagaIdentifier) {
        Set<String> left = new HashSet<>(ids);
        left.remove(sagaIdentifier);
        return Set.copyOf(left);
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }

    private static <K, V> Map<K, V> lru(int capacity) {
        return new LinkedHashMap<>(capacity * 4 / 3 + 1, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > capacity;
            }
        };
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

    /**
     * What this unit of work's transaction knows of association values: the sagas a lookup found, with the sagas it
     * has since written or deleted (one map per root unit of work, gone with it, committed or not).
     */
    private static Map<AssociationKey, Set<String>> seenInUnitOfWork() {
        if (!CurrentUnitOfWork.isStarted()) {
            throw new IllegalStateException("sagas are looked up within a unit of work");
        }
        return CurrentUnitOfWork.get().root().getOrComputeResource(SEEN, key -> new HashMap<>());
    }

    /** A saga as committed: its serialized form, version and associations. */
    private record Stored(byte[] data, String type, String revision, long version, Set<AssociationValue> associations) {
        Stored with(Set<AssociationValue> associations) {
            return new Stored(data, type, revision, version, associations);
        }
    }

    private record AssociationKey(String sagaType, AssociationValue value) {
    }

    private record LoadedSaga<S>(S saga, Set<AssociationValue> associationValues) implements Entry<S> {
    }
}
