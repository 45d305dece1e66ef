package io.papertrading.app.axon;

import io.papertrading.app.IntegrationTestBase;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.messaging.unitofwork.DefaultUnitOfWork;
import org.axonframework.modelling.command.ConcurrencyException;
import org.axonframework.modelling.saga.AssociationValue;
import org.axonframework.modelling.saga.AssociationValuesImpl;
import org.axonframework.modelling.saga.repository.SagaStore;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two nodes change one saga at once, on the app's real saga store and PostgreSQL: the write of the node that
 * loaded first but wrote last fails instead of undoing the other node's change.
 */
class VersionedSagaStoreIT extends IntegrationTestBase {

    @Autowired
    private SagaStore<Object> store;
    @Autowired
    private TransactionManager transactions;

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
