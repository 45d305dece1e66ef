package io.papertrading.query.support;

import io.papertrading.kernel.trade.event.TradeEvent;
import org.axonframework.config.ConfigurerModule;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.async.SequencingPolicy;
import org.axonframework.eventhandling.async.SequentialPerAggregatePolicy;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.util.List;

/**
 * Sequences the query side's projections by trade: every {@link TradeEvent} (including the high-volume
 * {@code PriceObservedEvent}, which is stored outside the trade's own stream and would otherwise be sequenced
 * by its own event id) is handled in store order with the other events of its trade, on one segment. Without
 * this a price observation could be applied before its trade was opened on one run and after on another, and a
 * replay would not reproduce the live figures.
 *
 * <p>A trade's own events are sequenced by their aggregate identifier, which is the trade id, without reading
 * the payload: every segment of a processor sequences every event, and deserializing the payloads of the events
 * another segment handles was work thrown away.
 */
@Configuration(proxyBeanMethods = false)
public class TradeSequencing {

    /** The processing groups sequenced by trade id. */
    public static final List<String> GROUPS = List.of("trades", "analytics-portfolio");

    /** The trade id of a trade event, else the aggregate's identifier (Axon's default). */
    public static final SequencingPolicy<EventMessage<?>> BY_TRADE = TradeSequencing::sequenceOf;

    private static Object sequenceOf(EventMessage<?> event) {
        // an event an aggregate applied has a type; one published outside a stream (a price observation) is
        // stored with none and its own id as its aggregate identifier
        if (event instanceof DomainEventMessage<?> d && d.getType() != null) {
            return d.getAggregateIdentifier();
        }
        return event.getPayload() instanceof TradeEvent e && e.tradeId() != null
                ? e.tradeId().value()
                : SequentialPerAggregatePolicy.instance().getSequenceIdentifierFor(event);
    }

    @Bean
    ConfigurerModule tradeSequencingPolicy() {
        return configurer -> GROUPS.forEach(group ->
                configurer.eventProcessing().registerSequencingPolicy(group, c -> BY_TRADE));
    }
}
