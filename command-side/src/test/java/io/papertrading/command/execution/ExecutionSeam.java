package io.papertrading.command.execution;

import io.papertrading.command.trade.InMemoryLiveTrades;
import io.papertrading.command.trade.LiveTradeLedger;
import io.papertrading.command.trade.LiveTrades;
import io.papertrading.command.trade.Trade;
import io.papertrading.kernel.trade.TradeId;
import io.papertrading.kernel.trade.TradeStatus;
import io.papertrading.kernel.trade.event.TradeStatusEvent;
import org.axonframework.config.Configuration;
import org.axonframework.config.ConfigurationScopeAwareProvider;
import org.axonframework.config.DefaultConfigurer;
import org.axonframework.deadline.DeadlineMessage;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventsourcing.eventstore.inmemory.InMemoryEventStorageEngine;
import org.axonframework.messaging.Message;
import org.axonframework.messaging.ScopeAware;
import org.axonframework.messaging.ScopeAwareProvider;
import org.axonframework.messaging.ScopeDescriptor;
import org.axonframework.messaging.unitofwork.DefaultUnitOfWork;
import org.axonframework.modelling.saga.AssociationValue;
import org.axonframework.modelling.saga.SagaScopeDescriptor;
import org.axonframework.modelling.saga.repository.inmemory.InMemorySagaStore;
import org.axonframework.test.deadline.StubDeadlineManager;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The execution saga and the real {@link Trade} aggregate in one Axon configuration: the saga's commands reach
 * the aggregate, and the aggregate's events reach the saga, synchronously. Time stands still until
 * {@link #advance} moves it, one poller tick at a time: deadlines due meanwhile fire one by one, each in its own
 * unit of work, with the saga's clock at the deadline's time, and after each tick the real {@link OrderDesk}
 * works every account once, its reports published to the saga. Every command the aggregate refuses is recorded in {@link #refusals},
 * since the saga itself only logs them.
 */
final class ExecutionSeam implements AutoCloseable {

    final FakeBroker broker = new FakeBroker();
    final StubDeadlineManager deadlines;
    final Clock clock;
    final List<String> refusals = new CopyOnWriteArrayList<>();
    final InMemoryDeskOrders deskOrders = (InMemoryDeskOrders) DeskOrders.inMemory();
    final LiveTrades liveTrades = new InMemoryLiveTrades();
    private final InMemorySagaStore sagas = new InMemorySagaStore();
    final OrderDesk desk;
    private final Duration tick;
    private final Configuration axon;
    private final ScopeAwareProvider scopes;

    ExecutionSeam(Instant start, ExecutionSettings settings) {
        this(start, settings, null);
    }

    /** With the users' brokers from {@code brokers} instead of the {@link #broker} fake for everyone. */
    ExecutionSeam(Instant start, ExecutionSettings settings, BrokerResolver brokers) {
        deadlines = new StubDeadlineManager(start);
        StubDeadlineManager time = deadlines;
        clock = new FixtureClock(() -> time);
        BrokerResolver resolver = brokers != null ? brokers
                : user -> new BrokerAccount("fake:" + user, "FAKE", broker, true);
        DefaultConfigurer configurer = (DefaultConfigurer) DefaultConfigurer.defaultConfiguration();
        configurer.configureEmbeddedEventStore(c -> new InMemoryEventStorageEngine())
                .configureAggregate(Trade.class)
                .configureDeadlineManager(c -> deadlines)
                .registerComponent(Clock.class, c -> clock)
                .registerComponent(LiveTrades.class, c -> liveTrades)
                .registerComponent(ExecutionSettings.class, c -> settings)
                .registerComponent(BrokerResolver.class, c -> resolver)
                .registerComponent(DeskOrders.class, c -> deskOrders);
        configurer.eventProcessing().usingSubscribingEventProcessors().registerSaga(TradeExecutionSaga.class)
                .registerSagaStore(c -> sagas)
                .registerEventHandler(c -> new LiveTradeLedger(liveTrades))
                .registerEventHandler(c -> new EntryIntake(deskOrders, resolver));
        axon = configurer.start();
        axon.eventBus().registerDispatchInterceptor(EntryIntake.handOverMark()); // as a command node's event bus
        axon.commandBus().registerHandlerInterceptor((unitOfWork, chain) -> {
            try {
                return chain.proceed();
            } catch (Exception refused) {
                refusals.add(unitOfWork.getMessage().getPayloadType().getSimpleName() + ": " + refused.getMessage());
                throw refused;
            }
        });
        scopes = new ConfigurationScopeAwareProvider(axon);
        tick = settings.snapshotTick();
        desk = new OrderDesk(deskOrders, resolver,
                batch -> axon.eventBus().publish(batch.stream().map(GenericEventMessage::asEventMessage).toList()),
                command -> axon.commandGateway().send(command), clock, settings);
    }

    /**
     * Sends a command as a user would, waiting for its outcome (refusals throw); the desk then works at once, as
     * the application's desk does when a saga step asks for a new leg.
     */
    Object send(Object command) {
        Object result = axon.commandGateway().sendAndWait(command);
        desk.workAll();
        return result;
    }

    /** Moves time on tick by tick; every deadline due by then fires in order, and the desk works after each tick. */
    void advance(Duration by) {
        Duration left = by;
        while (left.compareTo(Duration.ZERO) > 0) {
            Duration step = left.compareTo(tick) < 0 ? left : tick;
            deadlines.advanceTimeBy(step, this::fire);
            desk.workAll();
            left = left.minus(step);
        }
    }

    Instant now() {
        return clock.instant();
    }

    /** The trade's events, oldest first. */
    List<Object> events(TradeId id) {
        return axon.eventStore().readEvents(id.value()).asStream().map(Message::getPayload).map(Object.class::cast)
                .toList();
    }

    <E> List<E> events(TradeId id, Class<E> type) {
        return events(id).stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** The trade's status as its events say. */
    TradeStatus status(TradeId id) {
        return events(id, TradeStatusEvent.class).stream().reduce((a, b) -> b).map(TradeStatusEvent::newStatus)
                .orElse(TradeStatus.PENDING);
    }

    /** A deadline of this name for the trade's saga, as an earlier version would have left one, fired now. */
    void fireDeadline(String name, TradeId id) {
        String sagaId = sagas.findSagas(TradeExecutionSaga.class, new AssociationValue("tradeId", id.value()))
                .iterator().next();
        deadlines.schedule(Duration.ZERO, name, null,
                new SagaScopeDescriptor(TradeExecutionSaga.class.getSimpleName(), sagaId));
        advance(tick);
    }

    /** Deadlines still scheduled: none may outlive a trade's saga. */
    List<String> scheduledDeadlines() {
        return deadlines.getScheduledDeadlines().stream().map(d -> d.getDeadlineName()).toList();
    }

    private void fire(ScopeDescriptor scope, DeadlineMessage<?> message) {
        DefaultUnitOfWork.startAndGet(message).execute(() -> scopes.provideScopeAwareStream(scope)
                .filter(target -> target.canResolve(scope))
                .forEach(target -> send(target, message, scope)));
    }

    private static void send(ScopeAware target, DeadlineMessage<?> message, ScopeDescriptor scope) {
        try {
            target.send(message, scope);
        } catch (Exception e) {
            throw new IllegalStateException("deadline " + message.getDeadlineName() + " failed", e);
        }
    }

    @Override
    public void close() {
        axon.shutdown();
    }
}
