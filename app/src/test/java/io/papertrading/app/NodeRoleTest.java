package io.papertrading.app;

import io.papertrading.command.CommandNode;
import io.papertrading.command.execution.TradeExecutionSaga;
import io.papertrading.command.monitor.LiveTradeTracker;
import io.papertrading.query.QueryNode;
import io.papertrading.query.analytics.AnalyticsProjection;
import io.papertrading.query.trade.TradeProjection;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

class NodeRoleTest {

    @Configuration(proxyBeanMethods = false)
    static class Components {
        @Bean
        @CommandNode
        String commandComponent() {
            return "command";
        }

        @Bean
        @QueryNode
        Integer queryComponent() {
            return 42;
        }
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Components.class);

    @Test
    void allRunsBothSides() {
        runner.run(c -> assertThat(c).hasSingleBean(String.class).hasSingleBean(Integer.class));
        runner.withPropertyValues("paper.role=ALL").run(c -> assertThat(c).hasSingleBean(String.class).hasSingleBean(Integer.class));
    }

    @Test
    void aCommandNodeRunsNoQueryComponents() {
        runner.withPropertyValues("paper.role=command")
                .run(c -> assertThat(c).hasSingleBean(String.class).doesNotHaveBean(Integer.class));
    }

    @Test
    void aQueryNodeRunsNoCommandComponents() {
        runner.withPropertyValues("paper.role=query")
                .run(c -> assertThat(c).doesNotHaveBean(String.class).hasSingleBean(Integer.class));
    }

    @Test
    void refusesAnUnknownRole() {
        new ApplicationContextRunner().withBean(NodeRole.class).withPropertyValues("paper.role=both")
                .run(c -> assertThat(c).hasFailed());
    }

    @Test
    void theSagaMonitorAndProjectionsAreAssignedToTheirSide() {
        assertThat(TradeExecutionSaga.class).hasAnnotation(CommandNode.class);
        assertThat(LiveTradeTracker.class).hasAnnotation(CommandNode.class);
        assertThat(TradeProjection.class).hasAnnotation(QueryNode.class);
        assertThat(AnalyticsProjection.class).hasAnnotation(QueryNode.class);
    }
}
