package io.papertrading.query.trade;

import io.papertrading.kernel.trade.TradeId;
import io.papertrading.kernel.trade.TradeStatus;
import io.papertrading.kernel.trade.event.EntryOrderSubmittedEvent;
import io.papertrading.kernel.trade.event.PriceObservedEvent;
import io.papertrading.kernel.trade.event.TradeOpenedEvent;
import io.papertrading.kernel.trade.event.TradePlacedEvent;
import org.axonframework.eventhandling.AnnotationEventHandlerAdapter;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.GenericQueryMessage;
import org.axonframework.queryhandling.SimpleQueryBus;
import org.axonframework.queryhandling.annotation.AnnotationQueryHandlerAdapter;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static io.papertrading.query.trade.ProjectionHarness.money;
import static io.papertrading.query.trade.ProjectionHarness.newTradeId;
import static io.papertrading.query.trade.ProjectionHarness.stockOrder;
import static io.papertrading.query.trade.ProjectionHarness.uniqueUser;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The projection and the query handlers as Axon sees them: its annotations resolve the sequence number and
 * the event identifier from real messages, the most specific handler wins, and the query bus answers.
 */
class TradeAxonWiringIT {

    private static final Instant T0 = Instant.parse("2026-04-01T13:00:00Z");

    private final ProjectionHarness h = new ProjectionHarness();
    private final AnnotationEventHandlerAdapter adapter = new AnnotationEventHandlerAdapter(h.projection);
    private final String alice = uniqueUser("alice");

    private void publish(TradeId id, long seq, Object event) throws Exception {
        adapter.handle(new GenericDomainEventMessage<>("Trade", id.value(), seq, event));
    }

    @Test
    void domainEventMessagesDriveTheProjection() throws Exception {
        TradeId id = newTradeId();
        TradePlacedEvent placed = new TradePlacedEvent(id, alice, stockOrder("AAPL", "BUY", 2, null), "k", "h", T0);
        publish(id, 0, placed);
        publish(id, 1, new EntryOrderSubmittedEvent(id, "SIMULATED", "S-1", T0.plusSeconds(1)));
        publish(id, 2, new TradeOpenedEvent(id, 2, money("100"), "entry filled", T0.plusSeconds(2)));
        publish(id, 0, placed);
        adapter.handle(GenericEventMessage.asEventMessage(new PriceObservedEvent(id, alice, null, null, money("101"),
                null, null, null, null, T0.plusSeconds(3))));

        TradeView t = h.queries.find(alice, id.value()).orElseThrow();

        assertThat(t.status()).isEqualTo(TradeStatus.OPEN);
        assertThat(t.version()).isEqualTo(3);
        assertThat(t.brokerOrderId()).isEqualTo("S-1");
        assertThat(t.unrealizedPnl()).isEqualByComparingTo("2");
        assertThat(h.queries.transitions(alice, id.value()).orElseThrow()).hasSize(2);
    }

    @Test
    void theQueryBusAnswersTradeQueries() throws Exception {
        TradeId id = newTradeId();
        publish(id, 0, new TradePlacedEvent(id, alice, stockOrder("AAPL", "BUY", 2, null), "k", "h", T0));
        SimpleQueryBus bus = SimpleQueryBus.builder().build();
        new AnnotationQueryHandlerAdapter<>(new TradeQueryHandlers(h.queries)).subscribe(bus);

        Optional<TradeView> found = bus.query(new GenericQueryMessage<>(new FindTradeQuery(alice, id.value()),
                ResponseTypes.optionalInstanceOf(TradeView.class))).get().getPayload();
        Optional<TradeView> foreign = bus.query(new GenericQueryMessage<>(new FindTradeQuery("someone-else", id.value()),
                ResponseTypes.optionalInstanceOf(TradeView.class))).get().getPayload();
        FindTradesResponse page = bus.query(new GenericQueryMessage<>(
                new FindTradesQuery(alice, null, null, null, null, null, 0, 10),
                ResponseTypes.instanceOf(FindTradesResponse.class))).get().getPayload();
        List<TransitionView> transitions = bus.query(new GenericQueryMessage<>(new FindTransitionsQuery(alice, id.value()),
                ResponseTypes.multipleInstancesOf(TransitionView.class))).get().getPayload();

        assertThat(found).get().extracting(TradeView::tradeId).isEqualTo(id.value());
        assertThat(foreign).isEmpty();
        assertThat(page.total()).isEqualTo(1);
        assertThat(transitions).extracting(TransitionView::to).containsExactly(TradeStatus.PENDING);
    }
}
