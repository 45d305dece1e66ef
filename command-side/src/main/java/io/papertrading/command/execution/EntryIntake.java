package io.papertrading.command.execution;

import io.papertrading.command.CommandNode;
import io.papertrading.command.trade.LiveTradeLedger;
import io.papertrading.kernel.trade.event.TradePlacedEvent;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.messaging.MessageDispatchInterceptor;
import org.springframework.stereotype.Component;

import java.util.Map;

/**
 * Hands a placed trade's entry leg to the {@link OrderDesk} in the placement's own transaction (the subscribing,
 * failing processing group {@value LiveTradeLedger#GROUP}): the order goes to the broker as soon as the trade is
 * stored, however far behind the execution saga is, and a placement that is rolled back asks for nothing. The saga
 * hands over the same leg when it starts; the desk keeps the tag of a leg it is done with until the saga ends, so
 * that second hand-over never sends a second order.
 */
@CommandNode
@Component
@ProcessingGroup(LiveTradeLedger.GROUP)
public class EntryIntake {

    /**
     * Metadata of a TradePlaced whose entry leg was handed to the desk in the placement's own transaction: the saga
     * need not hand it over again (a trade placed by an earlier version has no such mark).
     */
    public static final String HANDED_OVER = "entryHandedOver";

    private final DeskOrders desk;
    private final BrokerResolver brokers;

    EntryIntake(DeskOrders desk, BrokerResolver brokers) {
        this.desk = desk;
        this.brokers = brokers;
    }

    /**
     * Marks every TradePlaced a node with the intake publishes as handed over ({@link #HANDED_OVER}), for the event
     * bus of such a node: the intake handles the event in the same transaction, or the placement fails whole.
     */
    public static MessageDispatchInterceptor<EventMessage<?>> handOverMark() {
        return messages -> (index, message) -> message.getPayload() instanceof TradePlacedEvent
                ? message.andMetaData(Map.of(HANDED_OVER, "true")) : message;
    }

    @EventHandler
    void on(TradePlacedEvent e) {
        String accountKey;
        try {
            accountKey = brokers.resolve(e.username()).accountKey();
        } catch (RuntimeException unusable) {
            accountKey = EntryLeg.unresolved(e.username());
        }
        desk.add(EntryLeg.of(e, accountKey));
    }
}
