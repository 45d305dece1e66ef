package io.papertrading.app.monitor;

import io.papertrading.command.CommandNode;
import com.github.kagkarlsson.scheduler.task.helper.RecurringTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.github.kagkarlsson.scheduler.task.schedule.FixedDelay;
import io.papertrading.command.execution.BrokerResolver;
import io.papertrading.command.monitor.LiveTradeBook;
import io.papertrading.command.monitor.MonitorSettings;
import io.papertrading.command.monitor.PriceMonitor;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.eventhandling.gateway.EventGateway;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Clock;
import java.time.Duration;

/**
 * The price monitor's wiring: its settings from {@code paper.monitor.*}, and a db-scheduler recurring task that
 * runs {@link PriceMonitor#tick()} every {@code paper.monitor.interval} (default 15 s) once cluster-wide —
 * db-scheduler picks each execution in PostgreSQL, so with several nodes exactly one runs a given tick, and a
 * node's death hands the task to another. ({@code paper.monitor.enabled=false} leaves the task out, e.g. on
 * query-only nodes; the monitor bean stays for operators and tests.) db-scheduler's polling interval bounds how
 * late a tick can start.
 */
@CommandNode
@Configuration(proxyBeanMethods = false)
class PriceMonitorConfiguration {

    static final String TASK = "price-monitor";

    @Bean
    MonitorSettings monitorSettings(@Value("${paper.monitor.interval:15s}") Duration interval,
                                    @Value("${paper.monitor.max-symbols-per-request:100}") int maxSymbols,
                                    @Value("${paper.monitor.max-requests-per-minute:50}") int maxRequests,
                                    @Value("${paper.monitor.oco-grace:60s}") Duration ocoGrace) {
        return new MonitorSettings(interval, maxSymbols, maxRequests, ocoGrace);
    }

    @Bean
    PriceMonitor priceMonitor(LiveTradeBook book, BrokerResolver brokers, EventGateway events, CommandGateway commands,
                              Clock clock, MonitorSettings settings) {
        return new PriceMonitor(book, brokers, events, commands, clock, settings);
    }

    @Bean
    @ConditionalOnProperty(name = "paper.monitor.enabled", havingValue = "true", matchIfMissing = true)
    RecurringTask<Void> priceMonitorTask(PriceMonitor monitor, MonitorSettings settings) {
        return Tasks.recurring(TASK, FixedDelay.of(settings.interval()))
                .execute((instance, context) -> monitor.tick());
    }
}
