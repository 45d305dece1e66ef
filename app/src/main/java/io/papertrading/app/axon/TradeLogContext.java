package io.papertrading.app.axon;

import io.papertrading.kernel.trade.event.BrokerOrderReportedEvent;
import io.papertrading.kernel.trade.event.TradeEvent;
import org.axonframework.config.ConfigurerModule;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.messaging.InterceptorChain;
import org.axonframework.messaging.MessageHandlerInterceptor;
import org.axonframework.messaging.unitofwork.UnitOfWork;
import org.slf4j.MDC;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Every log line written while an event processor handles a trade's event carries the trade's id in the
 * logging context ({@code tradeId}), so structured logs ({@code LOGGING_STRUCTURED_FORMAT_CONSOLE=ecs})
 * can be searched by trade.
 */
@Configuration(proxyBeanMethods = false)
class TradeLogContext {

    static final String TRADE_ID = "tradeId";

    @Bean
    ConfigurerModule tradeIdInLogs() {
        MessageHandlerInterceptor<EventMessage<?>> interceptor = TradeLogContext::handle;
        return configurer -> configurer.eventProcessing()
                .registerDefaultHandlerInterceptor((config, processorName) -> interceptor);
    }

    private static Object handle(UnitOfWork<? extends EventMessage<?>> unitOfWork, InterceptorChain chain) throws Exception {
        Object payload = unitOfWork.getMessage().getPayload();
        String tradeId = payload instanceof TradeEvent e && e.tradeId() != null ? e.tradeId().value()
                : payload instanceof BrokerOrderReportedEvent r && r.tradeId() != null ? r.tradeId().value() : null;
        if (tradeId == null) {
            return chain.proceed();
        }
        String previous = MDC.get(TRADE_ID);
        MDC.put(TRADE_ID, tradeId);
        try {
            return chain.proceed();
        } finally {
            if (previous == null) {
                MDC.remove(TRADE_ID);
            } else {
                MDC.put(TRADE_ID, previous);
            }
        }
    }
}
