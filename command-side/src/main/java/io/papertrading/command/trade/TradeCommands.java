package io.papertrading.command.trade;

import io.papertrading.kernel.error.OperationConflictException;
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
 * Sends a user's trade commands and unwraps their answers. A command that loses a race for the trade's stream
 * (another node appended an event between this node's load and its append) is sent again, so the aggregate
 * judges it against the trade as it now is: a placement finds the trade another request with the same
 * Idempotency-Key made and answers it, so twenty concurrent submissions make exactly one trade; a close that
 * lost to the saga's fill on another node closes the now filled trade, or is refused as an illegal transition.
 */
@Component
class TradeCommands {

    private static final int ATTEMPTS = 3;

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
        return send(command);
    }

    /**
     * Sends the command, again after a lost race; a trade that keeps changing under it for every attempt is
     * refused as a conflict (nothing of this command was written), never answered as a server failure.
     */
    TradeAck send(Object command) {
        for (int attempt = 1; ; attempt++) {
            try {
                return sendOnce(command);
            } catch (RuntimeException e) {
                if (!isConcurrencyFailure(e)) {
                    throw e;
                }
                if (attempt >= ATTEMPTS) {
                    throw new OperationConflictException("the trade kept changing while this request was applied; "
                            + "nothing was changed by it, reload the trade and try again");
                }
            }
        }
    }

    private TradeAck sendOnce(Object command) {
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
