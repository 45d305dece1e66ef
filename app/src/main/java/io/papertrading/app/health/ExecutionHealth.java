package io.papertrading.app.health;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.papertrading.broker.BrokerFactory;
import io.papertrading.query.admin.ProcessorProgress;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.EventTrackerStatus;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What an operator needs to see in {@code /actuator/health} to trust execution: each event processor of this
 * node (running, in error, segments claimed here, lag behind the event store's head) and each broker account's
 * circuit breaker. db-scheduler's own indicator ({@code dbScheduler}) sits beside them.
 *
 * <p>A processor that is not running or is in error makes the node DOWN: its trades would not move. An open
 * breaker does not: one broker account's outage is not this node's; it shows as that breaker's state. Account
 * ids are masked to their last four characters, since the health endpoint is public.
 */
@Configuration(proxyBeanMethods = false)
class ExecutionHealth {

    @Bean
    HealthIndicator eventProcessorsHealthIndicator(EventProcessingConfiguration processing, EventStore events) {
        return () -> {
            long head = ProcessorProgress.head(events);
            Map<String, Object> details = new TreeMap<>();
            boolean healthy = true;
            for (var entry : processing.eventProcessors().entrySet()) {
                Map<String, Object> view = new LinkedHashMap<>();
                boolean running = entry.getValue().isRunning();
                boolean error = entry.getValue().isError();
                view.put("running", running);
                view.put("error", error);
                if (entry.getValue() instanceof StreamingEventProcessor streaming) {
                    var statuses = streaming.processingStatus().values();
                    long position = ProcessorProgress.slowestSegment(streaming).orElse(head);
                    view.put("segmentsClaimedHere", statuses.size());
                    view.put("segmentsInError", statuses.stream().filter(EventTrackerStatus::isErrorState).count());
                    view.put("lag", statuses.isEmpty() ? null : Math.max(0, head - position));
                    view.put("replaying", streaming.isReplaying());
                }
                healthy &= running && !error;
                details.put(entry.getKey(), view);
            }
            return (healthy ? Health.up() : Health.down()).withDetail("head", head).withDetails(details).build();
        };
    }

    @Bean
    HealthIndicator brokersHealthIndicator(BrokerFactory brokers) {
        return () -> {
            Map<String, Object> breakers = new TreeMap<>();
            for (CircuitBreaker breaker : brokers.circuitBreakers().getAllCircuitBreakers()) {
                CircuitBreaker.Metrics metrics = breaker.getMetrics();
                breakers.put(mask(breaker.getName()), Map.of(
                        "state", breaker.getState().name(),
                        "failureRatePercent", metrics.getFailureRate(),
                        "bufferedCalls", metrics.getNumberOfBufferedCalls(),
                        "notPermittedCalls", metrics.getNumberOfNotPermittedCalls()));
            }
            return Health.up().withDetail("circuitBreakers", breakers).build();
        };
    }

    /** {@code tradier:VA12345678} → {@code tradier:…5678}. */
    static String mask(String name) {
        int colon = name.indexOf(':');
        String kind = colon < 0 ? "" : name.substring(0, colon + 1);
        String id = name.substring(colon + 1);
        return kind + (id.length() <= 4 ? "…" : "…" + id.substring(id.length() - 4));
    }
}
