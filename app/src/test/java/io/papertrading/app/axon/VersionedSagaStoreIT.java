package io.papertrading.app.axon;

import io.papertrading.app.IntegrationTestBase;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.messaging.unitofwork.DefaultUnitOfWork;
import org.axonframework.modelling.command.ConcurrencyException;
import org.axonframework.modelling.saga.AssociationValue;
import org.axonframework.modelling.saga.AssociationValuesImpl;
import org.axonframework.modelling.saga.repository.SagaStore;
import org.axonframework.serialization.Serializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Two nodes change one saga at once, on the app's real saga store and PostgreSQL: the write of the node that
 * loaded first but wrote last fails instead of undoing the other node's change.
 */
class VersionedSagaStoreIT extends IntegrationTestBase {

    @Autowired
    private SagaStore<Object> store;
    @Autowired
    private TransactionManager transactions;
    @Autowired
    private Serializer serializer;

    @Test
    void theLaterOfTwoConcurrentWritesFailsAndTheEarlierSurvives() throws Exception {
        String id = UUID.randomUUID().toString();
        inUnitOfWork(() -> {
            store.insertSaga(Probe.class, id, new Probe("placed"), Set.of(new AssociationValue("probe", id)));
            return null;
        });
        CountDownLatch nodeALoaded = new CountDownLatch(1);
        CountDownLatch nodeBCommitted = new CountDownLatch(1);

        // node A: loads, then writes only after node B has committed its own change
        CompletableFuture<Throwable> nodeA = CompletableFuture.supplyAsync(() -> {
            try {
                inUnitOfWork(() -> {
                    Probe saga = store.loadSaga(Probe.class, id).saga();
                    nodeALoaded.countDown();
                    await(nodeBCommitted);
                    saga.setState("polled: still working");
                    store.updateSaga(Probe.class, id, saga, associations(id));
                    return null;
                });
                return null;
            } catch (Throwable failure) {
                return failure;
            }
        });
        // node B: the user's close, committed while A still holds its stale copy
        await(nodeALoaded);
        inUnitOfWork(() -> {
            Probe saga = store.loadSaga(Probe.class, id).saga();
            saga.setState("closing: exit order 302");
            store.updateSaga(Probe.class, id, saga, associations(id));
            return null;
        });
        nodeBCommitted.countDown();

        assertThat(nodeA.get(30, TimeUnit.SECONDS)).isInstanceOf(ConcurrencyException.class);
        assertThat(inUnitOfWork(() -> store.loadSaga(Probe.class, id).saga().getState()))
                .isEqualTo("closing: exit order 302");
        assertThat(ownerJdbc.queryForObject("select version from saga_entry where saga_id = ?", Long.class, id))
                .isEqualTo(1L);
    }

    @Test
    void aSagaWrittenTwiceInTurnKeepsEveryChange() {
        String id = UUID.randomUUID().toString();
        inUnitOfWork(() -> {
            store.insertSaga(Probe.class, id, new Probe("placed"), Set.of(new AssociationValue("probe", id)));
            return null;
        });
        for (String state : new String[] {"open", "closing"}) {
            inUnitOfWork(() -> {
                Probe saga = store.loadSaga(Probe.class, id).saga();
                saga.setState(state);
                store.updateSaga(Probe.class, id, saga, associations(id));
                return null;
            });
        }

        assertThat(inUnitOfWork(() -> store.loadSaga(Probe.class, id).saga().getState())).isEqualTo("closing");
        assertThat(ownerJdbc.queryForObject("select version from saga_entry where saga_id = ?", Long.class, id))
                .isEqualTo(2L);
    }

    @Test
    void aCopyKeptBeforeAnotherNodesWriteIsNeverWrittenBack() {
        String id = UUID.randomUUID().toString();
        inUnitOfWork(() -> {
            store.insertSaga(Probe.class, id, new Probe("placed"), Set.of(new AssociationValue("probe", id)));
            return null;
        });
        // this node has the committed saga in hand; another node (its own store) moves it on
        assertThat(inUnitOfWork(() -> store.loadSaga(Probe.class, id).saga().getState())).isEqualTo("placed");
        SagaStore<Object> otherNode = new VersionedSagaStore(engineJdbc, serializer);
        inUnitOfWork(() -> {
            Probe saga = otherNode.loadSaga(Probe.class, id).saga();
            saga.setState("closing: exit order 302");
            otherNode.updateSaga(Probe.class, id, saga, associations(id));
            return null;
        });

        // a change made from this node's stale copy is refused, not written over the other node's
        assertThatThrownBy(() -> inUnitOfWork(() -> {
            Probe saga = store.loadSaga(Probe.class, id).saga();
            saga.setState("polled: still working");
            store.updateSaga(Probe.class, id, saga, associations(id));
            return null;
        })).isInstanceOf(ConcurrencyException.class);
        // handled again, it starts from what the other node left
        assertThat(inUnitOfWork(() -> store.loadSaga(Probe.class, id).saga().getState()))
                .isEqualTo("closing: exit order 302");
    }

    @Test
    void aSagaAnotherNodeEndedIsGoneOnceAWriteFromTheKeptCopyIsRefused() {
        String id = UUID.randomUUID().toString();
        AssociationValue association = new AssociationValue("probe", id);
        inUnitOfWork(() -> {
            store.insertSaga(Probe.class, id, new Probe("placed"), Set.of(association));
            return null;
        });
        assertThat(inUnitOfWork(() -> store.findSagas(Probe.class, association))).containsExactly(id);
        assertThat(inUnitOfWork(() -> store.loadSaga(Probe.class, id))).isNotNull();
        SagaStore<Object> otherNode = new VersionedSagaStore(engineJdbc, serializer);
        inUnitOfWork(() -> {
            otherNode.deleteSaga(Probe.class, id, Set.of(association));
            return null;
        });

        assertThatThrownBy(() -> inUnitOfWork(() -> {
            Probe saga = store.loadSaga(Probe.class, id).saga();
            saga.setState("polled");
            store.updateSaga(Probe.class, id, saga, associations(id));
            return null;
        })).isInstanceOf(ConcurrencyException.class);
        assertThat(inUnitOfWork(() -> store.loadSaga(Probe.class, id))).isNull();
        assertThat(ownerJdbc.queryForObject("select count(*) from saga_entry where saga_id = ?", Integer.class, id))
                .isZero();
    }

    @Test
    void aSagaStartedOnAnotherNodeIsFoundAfterALookupThatFoundNothing() {
        String id = UUID.randomUUID().toString();
        AssociationValue association = new AssociationValue("probe", id);
        assertThat(inUnitOfWork(() -> store.findSagas(Probe.class, association))).isEmpty();
        SagaStore<Object> otherNode = new VersionedSagaStore(engineJdbc, serializer);
        inUnitOfWork(() -> {
            otherNode.insertSaga(Probe.class, id, new Probe("placed"), Set.of(association));
            return null;
        });

        assertThat(inUnitOfWork(() -> store.findSagas(Probe.class, association))).containsExactly(id);
    }

    @Test
    void aSagaStartsWithEveryAssociationItNamesAndAnotherNodeFindsItByEach() {
        String id = UUID.randomUUID().toString();
        AssociationValue trade = new AssociationValue("probe", id);
        AssociationValue order = new AssociationValue("probeOrder", "o-" + id);
        inUnitOfWork(() -> {
            store.insertSaga(Probe.class, id, new Probe("placed"), Set.of(trade, order));
            return null;
        });
        String alone = UUID.randomUUID().toString();
        inUnitOfWork(() -> {
            store.insertSaga(Probe.class, alone, new Probe("alone"), Set.of());
            return null;
        });

        SagaStore<Object> otherNode = new VersionedSagaStore(engineJdbc, serializer);
        assertThat(inUnitOfWork(() -> otherNode.findSagas(Probe.class, trade))).containsExactly(id);
        assertThat(inUnitOfWork(() -> otherNode.findSagas(Probe.class, order))).containsExactly(id);
        SagaStore.Entry<Probe> loaded = inUnitOfWork(() -> otherNode.loadSaga(Probe.class, id));
        assertThat(loaded.saga().getState()).isEqualTo("placed");
        assertThat(loaded.associationValues()).containsExactlyInAnyOrder(trade, order);
        SagaStore.Entry<Probe> lone = inUnitOfWork(() -> otherNode.loadSaga(Probe.class, alone));
        assertThat(lone.saga().getState()).isEqualTo("alone");
        assertThat(lone.associationValues()).isEmpty();
    }

    @Test
    void aSagaStartedInABatchIsFoundByItsLaterEventsAndAfterwardsWithoutAskingTheDatabaseAgain() {
        java.util.concurrent.atomic.AtomicInteger lookups = new java.util.concurrent.atomic.AtomicInteger();
        org.springframework.jdbc.core.JdbcTemplate counting = new org.springframework.jdbc.core.JdbcTemplate(
                engineJdbc.getDataSource()) {
            @Override
            public <T> java.util.List<T> queryForList(String sql, Class<T> elementType, Object... args) {
                lookups.incrementAndGet();
                return super.queryForList(sql, elementType, args);
            }
        };
        SagaStore<Object> node = new VersionedSagaStore(counting, serializer);
        String id = UUID.randomUUID().toString();
        AssociationValue association = new AssociationValue("probe", id);

        Set<String> inTheSameBatch = inUnitOfWork(() -> {
            assertThat(node.findSagas(Probe.class, association)).isEmpty();
            node.insertSaga(Probe.class, id, new Probe("placed"), Set.of(association));
            return node.findSagas(Probe.class, association);
        });
        Set<String> inALaterBatch = inUnitOfWork(() -> node.findSagas(Probe.class, association));

        assertThat(inTheSameBatch).containsExactly(id);
        assertThat(inALaterBatch).containsExactly(id);
        assertThat(lookups).as("only the lookup before the saga started").hasValue(1);

        String notKept = UUID.randomUUID().toString();
        AssociationValue rolledBack = new AssociationValue("probe", notKept);
        assertThatThrownBy(() -> inUnitOfWork(() -> {
            node.findSagas(Probe.class, rolledBack);
            node.insertSaga(Probe.class, notKept, new Probe("placed"), Set.of(rolledBack));
            throw new IllegalStateException("the batch fails");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(inUnitOfWork(() -> node.findSagas(Probe.class, rolledBack))).as("a rolled back start is not known")
                .isEmpty();
        assertThat(lookups).hasValue(3);
    }

    private <T> T inUnitOfWork(Supplier<T> work) {
        DefaultUnitOfWork<?> unitOfWork = DefaultUnitOfWork.startAndGet(null);
        unitOfWork.attachTransaction(transactions);
        try {
            T result = work.get();
            unitOfWork.commit();
            return result;
        } catch (RuntimeException failure) {
            unitOfWork.rollback(failure);
            throw failure;
        }
    }

    private static AssociationValuesImpl associations(String id) {
        return new AssociationValuesImpl(Set.of(new AssociationValue("probe", id)));
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the other node never got there");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A saga's stored state, as the store sees it: a bean. */
    public static class Probe {
        private String state;

        public Probe() {
        }

        Probe(String state) {
            this.state = state;
        }

        public String getState() {
            return state;
        }

        public void setState(String state) {
            this.state = state;
        }
    }
}
