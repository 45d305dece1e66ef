package io.papertrading.app.execution;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.boot.config.DbSchedulerCustomizer;
import com.github.kagkarlsson.scheduler.serializer.JacksonSerializer;
import com.github.kagkarlsson.scheduler.task.FailureHandler;
import com.github.kagkarlsson.scheduler.task.Task;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.papertrading.command.CommandNode;
import io.papertrading.command.execution.BrokerResolver;
import io.papertrading.command.execution.DeskOrders;
import io.papertrading.command.execution.EntryIntake;
import io.papertrading.command.execution.ExecutionSettings;
import io.papertrading.command.execution.OrderDesk;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.config.ConfigurationScopeAwareProvider;
import org.axonframework.deadline.DeadlineManager;
import org.axonframework.deadline.DeadlineManagerSpanFactory;
import org.axonframework.deadline.dbscheduler.DbSchedulerDeadlineManager;
import org.axonframework.deadline.dbscheduler.DbSchedulerHumanReadableDeadlineDetails;
import org.axonframework.eventhandling.gateway.EventGateway;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.serialization.Serializer;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.PropertySource;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.util.function.SingletonSupplier;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The execution saga's collaborators. The saga itself is found by Axon's Spring autoconfiguration
 * ({@code @Saga}); its broker comes from the application's {@link io.papertrading.command.execution.BrokerResolver}
 * bean, its deadlines (expiry, a withdrawal overdue) from a db-scheduler DeadlineManager (rows in
 * {@code scheduled_tasks}), and its broker work from the {@link OrderDesk}, run once in the cluster by
 * {@link OrderDeskRunner} over the {@code desk_orders} table.
 *
 * <p>Deadlines are stored as readable JSON, not as Axon's default Java-serialized blob: an operator can see in
 * {@code scheduled_tasks.task_data} which deadline of which saga a row is (deadline name, scope with the saga id,
 * payload), and no Java serialization is read back from the database. Axon's autoconfiguration backs off for the
 * deadline manager and its task defined here.
 *
 * <p>{@code execution-defaults.properties} tunes db-scheduler for a 1 s poll cadence: its default 10 s polling
 * interval would make every "1 s" poll wait up to 10 s, and its default 5 min heartbeat would leave a poll that
 * was running when its JVM died stuck for half an hour before another node takes it over. Application
 * properties override both.
 */
@Configuration(proxyBeanMethods = false)
@PropertySource("classpath:io/papertrading/app/execution/execution-defaults.properties")
class ExecutionWiring {

    private static final String PREFIX = "paper.execution.";
    /** 1 s, 2 s, 4 s ... about 4.5 hours in all before db-scheduler gives a deadline up. */
    private static final int DEADLINE_ATTEMPTS = 15;

    @Bean
    ExecutionSettings executionSettings(Environment env) {
        ExecutionSettings d = ExecutionSettings.defaults();
        return new ExecutionSettings(
                duration(env, "first-poll", d.firstPoll()),
                env.getProperty(PREFIX + "backoff-factor", Double.class, d.backoffFactor()),
                duration(env, "max-unconfirmed-poll", d.maxUnconfirmedPoll()),
                duration(env, "max-working-poll", d.maxWorkingPoll()),
                duration(env, "max-broker-backoff", d.maxBrokerBackoff()),
                duration(env, "confirmation-timeout", d.confirmationTimeout()),
                duration(env, "snapshot-tick", d.snapshotTick()),
                env.getProperty(PREFIX + "max-list-requests-per-minute", Integer.class, d.maxListRequestsPerMinute()));
    }

    /**
     * On a node that takes commands, a placement's TradePlaced says its entry went to the desk in the same
     * transaction ({@link EntryIntake#HANDED_OVER}), so the saga does not hand it over a second time: one desk write
     * less per trade.
     */
    @Bean
    @CommandNode
    InitializingBean entryHandOverMark(EventStore eventStore) {
        return () -> eventStore.registerDispatchInterceptor(EntryIntake.handOverMark());
    }

    @Bean
    DeskOrders deskOrders(JdbcTemplate jdbc, ObjectProvider<OrderDeskRunner> runner) {
        // the runner, once it exists, is kept (asked for again while it does not): asking the bean factory on every
        // commit that adds or withdraws a leg cost 3% of a placement's CPU (profiled under load). A node without a
        // desk nudges nothing: the node that works it sees the leg at its next tick.
        SingletonSupplier<OrderDeskRunner> desk = SingletonSupplier.of(runner::getIfAvailable);
        return new JdbcDeskOrders(jdbc, accountKey -> {
            OrderDeskRunner r = desk.get();
            if (r != null) {
                r.nudge(accountKey);
            }
        });
    }

    @Bean
    OrderDesk orderDesk(DeskOrders orders, BrokerResolver brokers, EventGateway events, CommandGateway commands,
                        Clock clock, ExecutionSettings settings) {
        return new OrderDesk(orders, brokers, events::publish, commands::send, clock, settings);
    }

    /** The desk's list-orders requests to brokers, over all accounts (the resting benchmark reads it). */
    @Bean
    MeterBinder orderDeskMetrics(OrderDesk desk) {
        return registry -> FunctionCounter.builder("paper.desk.list.requests", desk, OrderDesk::listRequestsTotal)
                .description("list-orders requests the order desk sent to brokers").register(registry);
    }

    /** Works the brokers from one node of the cluster, every {@code paper.execution.snapshot-tick}. */
    @Bean
    @CommandNode
    OrderDeskRunner orderDeskRunner(DataSource dataSource, OrderDesk desk, ExecutionSettings settings,
                                    Environment env) {
        return new OrderDeskRunner(dataSource, desk, settings.snapshotTick(),
                env.getProperty(PREFIX + "desk-threads", Integer.class, 4));
    }

    /**
     * The order desk in {@code /actuator/health} ({@code orderDesk}): whether this node works the brokers (one
     * node of the cluster does) and how many legs are worked. A leg never taken up, or never sent, minutes after it
     * should have been means no node works the desk: DOWN.
     */
    @Bean
    @CommandNode
    HealthIndicator orderDeskHealthIndicator(OrderDeskRunner runner, JdbcTemplate jdbc) {
        return () -> {
            Map<String, Object> counts = jdbc.queryForMap("""
                    select count(*) as legs,
                           count(*) filter (where (confirm_by is null and created_at < now() - interval '5 minutes')
                               or (stage <> 'SENT' and confirm_by < now() - interval '5 minutes')) as stuck
                    from desk_orders where not done""");
            long stuck = ((Number) counts.get("stuck")).longValue();
            return (stuck == 0 ? Health.up() : Health.down())
                    .withDetail("worksHere", runner.isLeader())
                    .withDetail("legs", ((Number) counts.get("legs")).longValue())
                    .withDetail("legsUnsentLongAfterTheirWindow", stuck)
                    .build();
        };
    }

    /** db-scheduler writes task data with Jackson (its default is Java serialization). */
    @Bean
    DbSchedulerCustomizer jsonTaskData() {
        return new DbSchedulerCustomizer() {
            @Override
            public Optional<com.github.kagkarlsson.scheduler.serializer.Serializer> serializer() {
                return Optional.of(new JacksonSerializer());
            }
        };
    }

    /**
     * Axon's deadline task, retried quickly when it fails: a deadline whose saga write lost a race with another
     * node (see the saga store's version check) runs again a second later on the saga's new state, not after
     * db-scheduler's default five minutes; repeated failures back off up to a few minutes.
     */
    @Bean
    @Qualifier("deadlineDetailsTask")
    Task<DbSchedulerHumanReadableDeadlineDetails> deadlineDetailsTask(ApplicationContext context) {
        Task<DbSchedulerHumanReadableDeadlineDetails> axon =
                DbSchedulerDeadlineManager.humanReadableTask(() -> context.getBean(DbSchedulerDeadlineManager.class));
        return Tasks.oneTime(axon.getName(), DbSchedulerHumanReadableDeadlineDetails.class)
                .onFailure(new FailureHandler.MaxRetriesFailureHandler<>(DEADLINE_ATTEMPTS,
                        new FailureHandler.ExponentialBackoffFailureHandler<>(Duration.ofSeconds(1), 2.0)))
                .execute(axon::execute);
    }

    /** As Axon's autoconfiguration builds it, but with readable deadline details; Spring starts the scheduler. */
    @Bean
    DeadlineManager deadlineManager(Scheduler scheduler, org.axonframework.config.Configuration configuration,
                                    Serializer serializer, TransactionManager transactionManager,
                                    DeadlineManagerSpanFactory spanFactory) {
        return DbSchedulerDeadlineManager.builder()
                .scheduler(scheduler)
                .scopeAwareProvider(new ConfigurationScopeAwareProvider(configuration))
                .serializer(serializer)
                .transactionManager(transactionManager)
                .spanFactory(spanFactory)
                .useBinaryPojo(false)
                .startScheduler(false)
                .stopScheduler(false)
                .build();
    }

    private static Duration duration(Environment env, String key, Duration fallback) {
        return env.getProperty(PREFIX + key, Duration.class, fallback);
    }
}
