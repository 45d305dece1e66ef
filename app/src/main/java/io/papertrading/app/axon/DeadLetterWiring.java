package io.papertrading.app.axon;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.papertrading.query.admin.DeadLetters;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.messaging.deadletter.Decisions;
import org.axonframework.messaging.deadletter.EnqueuePolicy;
import org.axonframework.messaging.deadletter.ThrowableCause;
import org.axonframework.config.ConfigurerModule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.dao.CannotAcquireLockException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.transaction.CannotCreateTransactionException;

import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Dead letters: every failed event is parked (never dropped) with whether its cause was transient and how
 * often it was retried; transient ones are retried here with back-off; their count shows in health and in the
 * {@code paper.dead.letters} gauge per processor.
 */
@Configuration(proxyBeanMethods = false)
class DeadLetterWiring {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterWiring.class);
    /** PostgreSQL states worth waiting out: connection lost, serialization failure, deadlock, lock or statement timeout, shutdown. */
    private static final Set<String> TRANSIENT_STATES = Set.of("40001", "40P01", "55P03", "57014", "57P01", "57P02", "57P03");

    @Bean
    ConfigurerModule deadLetterPolicy() {
        // the cause's message is cut to what the dead-letter table holds (1,023 characters): a longer one (a long
        // statement's text in a JDBC exception) could not be parked at all, and its segment would retry for ever
        EnqueuePolicy<EventMessage<?>> policy = (letter, cause) -> Decisions.enqueue(ThrowableCause.truncated(cause),
                l -> l.diagnostics()
                .and(DeadLetters.TRANSIENT, isTransient(cause))
                // a letter that already carries a count was parked before: this is a retry that failed again
                .and(DeadLetters.RETRIES, l.diagnostics().containsKey(DeadLetters.RETRIES) ? DeadLetters.retries(l) + 1 : 0L));
        return configurer -> configurer.eventProcessing().registerDefaultDeadLetterPolicy(c -> policy);
    }

    static boolean isTransient(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof TransientDataAccessException || t instanceof RecoverableDataAccessException
                    || t instanceof CannotAcquireLockException || t instanceof CannotCreateTransactionException
                    || t instanceof DataAccessResourceFailureException || t instanceof SQLTransientException
                    || t instanceof SQLRecoverableException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || TRANSIENT_STATES.contains(sql.getSQLState()))) {
                return true;
            }
        }
        return false;
    }

    @Bean
    HealthIndicator deadLettersHealthIndicator(ObjectProvider<DeadLetters> letters) {
        return () -> {
            DeadLetters d = letters.getIfAvailable();
            if (d == null) {
                return Health.unknown().build();
            }
            Map<String, Long> counts = d.counts();
            long total = counts.values().stream().mapToLong(Long::longValue).sum();
            // parked events do not stop the engine; they are shown so an operator can act on them
            return Health.up().withDetail("total", total).withDetail("byProcessor", counts).build();
        };
    }

    @Bean
    SmartLifecycle deadLetterRetrier(ObjectProvider<DeadLetters> letters, MeterRegistry meters, Clock clock) {
        return new SmartLifecycle() {
            private ScheduledExecutorService executor;

            @Override
            public void start() {
                DeadLetters d = letters.getIfAvailable();
                if (d == null) {
                    return;
                }
                d.counts().keySet().forEach(processor -> Gauge.builder("paper.dead.letters",
                                () -> d.count(processor, null))
                        .tag("processor", processor).description("events parked after a handler failed on them")
                        .register(meters));
                executor = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "dead-letter-retrier");
                    t.setDaemon(true);
                    return t;
                });
                executor.scheduleWithFixedDelay(() -> {
                    try {
                        int handled = d.retryDue(clock, 100);
                        if (handled > 0) {
                            log.info("Retried {} dead-letter sequence(s) parked for a transient cause", handled);
                        }
                    } catch (RuntimeException e) {
                        log.warn("Retrying dead letters failed: {}", e.getClass().getSimpleName());
                    }
                }, 1, 1, TimeUnit.SECONDS);
            }

            @Override
            public void stop() {
                if (executor != null) {
                    executor.shutdownNow();
                    executor = null;
                }
            }

            @Override
            public boolean isRunning() {
                return executor != null;
            }
        };
    }
}
