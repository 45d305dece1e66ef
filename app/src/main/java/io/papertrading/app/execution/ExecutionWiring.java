package io.papertrading.app.execution;

import io.papertrading.command.execution.ExecutionSettings;
import io.papertrading.command.execution.OrderStatusBook;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.PropertySource;
import org.springframework.core.env.Environment;

import java.time.Clock;
import java.time.Duration;

/**
 * The execution saga's collaborators. The saga itself is found by Axon's Spring autoconfiguration
 * ({@code @Saga}); its broker comes from the application's {@link io.papertrading.command.execution.BrokerResolver}
 * bean and its deadlines from the autoconfigured db-scheduler DeadlineManager (rows in {@code scheduled_tasks}).
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

    @Bean
    OrderStatusBook orderStatusBook(Clock clock, ExecutionSettings settings) {
        return new OrderStatusBook(clock, settings);
    }

    private static Duration duration(Environment env, String key, Duration fallback) {
        return env.getProperty(PREFIX + key, Duration.class, fallback);
    }
}
