package io.papertrading.command.trade;

import io.papertrading.kernel.trade.TradeAck;
import io.papertrading.kernel.trade.TradeId;
import io.papertrading.kernel.trade.command.PlaceTradeCommand;
import org.axonframework.commandhandling.CommandExecutionException;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.modelling.command.AggregateStreamCreationException;
import org.axonframework.modelling.command.ConcurrencyException;
import org.springframework.stereotype.Component;

/**
 * Sends trade commands and unwraps their answers. A placement that loses a creation race (another request
 * with the same Idempotency-Key appended the first event a moment earlier) is sent again: the retry finds
 * the existing trade and answers it, so twenty concurrent submissions make exactly one trade.
 */
@Component
class TradeCommands {

    private static final int PLACEMENT_ATTEMPTS = 3;

    private final CommandGateway gateway;
    private final EventStore eventStore;
    private final PlacementPacing pacing;

    TradeCommands(CommandGateway gateway, EventStore eventStore, PlacementPacing pacing) {
        this.gateway = gateway;
        this.eventStore = eventStore;
        this.pacing = pacing;
    }

    /** Whether the trade has any event (an index lookup in the event store). */
    boolean exists(TradeId tradeId) {
        return eventStore.lastSequenceNumberFor(tradeId.value()).isPresent();
    }

    TradeAck place(PlaceTradeCommand command) {
        pacing.awaitRoom();
        for (int attempt = 1; ; attempt++) {
            try {
                return send(command);
            } catch (RuntimeException e) {
                if (attempt >= PLACEMENT_ATTEMPTS || !isConcurrencyFailure(e)) {
                    throw e;
                }
            }
        }
    }

    TradeAck send(Object command) {
        try {
            return gateway.sendAndWait(command);
        } catch (CommandExecutionException e) {
            // a local command bus normally rethrows the handler's own exception; unwrap if it was wrapped
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    /**
     * Lost a race for the trade's stream: its first event (Axon's {@link AggregateStreamCreationException}, which
     * is no {@link ConcurrencyException}) or a later one, appended by another node since this one loaded it.
     */
    static boolean isConcurrencyFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConcurrencyException || t instanceof AggregateStreamCreationException) {
                return true;
            }
        }
        return false;
    }
}
