package io.papertrading.command.trade;

import io.papertrading.command.CommandNode;
import io.papertrading.kernel.trade.event.TradePlacedEvent;
import io.papertrading.kernel.trade.event.TradeStatusEvent;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.springframework.stereotype.Component;

/**
 * Keeps {@link LiveTrades} in step with the trade events, in the processing group {@value #GROUP}: a subscribing
 * processor whose errors propagate, so each row is written in the transaction of the command whose event it
 * follows, or that command fails.
 */
@CommandNode
@Component
@ProcessingGroup(LiveTradeLedger.GROUP)
public class LiveTradeLedger {

    /** The processing group; wired as a subscribing processor with a propagating error handler. */
    public static final String GROUP = "live-trades";

    private final LiveTrades liveTrades;

    public LiveTradeLedger(LiveTrades liveTrades) {
        this.liveTrades = liveTrades;
    }

    @EventHandler
    void on(TradePlacedEvent e) {
        liveTrades.add(e.username(), e.tradeId());
    }

    @EventHandler
    void on(TradeStatusEvent e) {
        if (e.newStatus().isTerminal()) {
            liveTrades.remove(e.tradeId());
        }
    }
}
