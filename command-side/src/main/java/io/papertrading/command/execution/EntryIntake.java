package io.papertrading.command.execution;

import io.papertrading.command.CommandNode;
import io.papertrading.command.trade.LiveTradeLedger;
import io.papertrading.kernel.trade.event.TradePlacedEvent;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.springframework.stereotype.Component;

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
class EntryIntake {

    private final DeskOrders desk;
    private final BrokerResolver brokers;

    EntryIntake(DeskOrders desk, BrokerResolver brokers) {
        this.desk = desk;
        this.brokers = brokers;
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
