package io.papertrading.query.support;

import io.papertrading.kernel.trade.event.PriceObservedEvent;
import io.papertrading.kernel.trade.event.TradeAnnotatedEvent;
import io.papertrading.kernel.trade.event.TradeEvent;
import io.papertrading.kernel.trade.event.TradePlacedEvent;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class EventStoreReaderTest {

    /** The stored types a bulk read selects in SQL: every trade event the kernel has, and nothing else. */
    @Test
    void selectsEveryConcreteTradeEventType() throws Exception {
        List<String> types = EventStoreReader.concreteTypes(TradeEvent.class);
        assertThat(types).contains(TradePlacedEvent.class.getName(), PriceObservedEvent.class.getName(),
                TradeAnnotatedEvent.class.getName())
                .doesNotContain("io.papertrading.kernel.trade.event.BrokerOrderReportedEvent",
                        "io.papertrading.kernel.trade.event.TradeStatusEvent");
        // every record of the package that is a trade event
        var classes = new org.springframework.core.io.support.PathMatchingResourcePatternResolver()
                .getResources("classpath*:" + TradeEvent.class.getPackageName().replace('.', '/') + "/*.class");
        long expected = Arrays.stream(classes).map(r -> r.getFilename()).filter(n -> !n.contains("$"))
                .map(n -> TradeEvent.class.getPackageName() + "." + n.replace(".class", ""))
                .filter(n -> {
                    try {
                        Class<?> c = Class.forName(n);
                        return TradeEvent.class.isAssignableFrom(c) && c.isRecord();
                    } catch (ClassNotFoundException e) {
                        throw new IllegalStateException(e);
                    }
                }).count();
        assertThat(types).hasSize((int) expected);
    }
}
