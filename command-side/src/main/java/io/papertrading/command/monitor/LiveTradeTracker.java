package io.papertrading.command.monitor;

import io.papertrading.command.CommandNode;
import io.papertrading.kernel.trade.TradeOrder;
import io.papertrading.kernel.trade.TradeStatus;
import io.papertrading.kernel.trade.event.BracketsChangedEvent;
import io.papertrading.kernel.trade.event.CloseRequestedEvent;
import io.papertrading.kernel.trade.event.EntryFilledWhileClosingEvent;
import io.papertrading.kernel.trade.event.EntryPartiallyFilledEvent;
import io.papertrading.kernel.trade.event.ExitRejectedEvent;
import io.papertrading.kernel.trade.event.TradeCanceledEvent;
import io.papertrading.kernel.trade.event.TradeClosedEvent;
import io.papertrading.kernel.trade.event.TradeExpiredEvent;
import io.papertrading.kernel.trade.event.TradeOpenedEvent;
import io.papertrading.kernel.trade.event.TradePlacedEvent;
import io.papertrading.kernel.trade.event.TradeRejectedEvent;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.SequenceNumber;
import org.springframework.stereotype.Component;

/**
 * Keeps the price monitor's {@link LiveTradeBook} in step with the trade events (processing group
 * {@value #PROCESSING_GROUP}, a streaming processor of the command side). Only trade stream events are
 * handled; price observations never reach it.
 */
@CommandNode
@Component
@ProcessingGroup(LiveTradeTracker.PROCESSING_GROUP)
public class LiveTradeTracker {

    public static final String PROCESSING_GROUP = "price-monitor";

    private final LiveTradeBook book;

    public LiveTradeTracker(LiveTradeBook book) {
        this.book = book;
    }

    @EventHandler
    public void on(TradePlacedEvent e, @SequenceNumber long seq) {
        TradeOrder o = e.order();
        book.placed(e.tradeId(), e.username(), o.instrument().tradedSymbol(), o.side(), o.stopLoss(), o.takeProfit(),
                seq + 1);
    }

    @EventHandler
    public void on(EntryPartiallyFilledEvent e, @SequenceNumber long seq) {
        book.filled(e.tradeId(), TradeStatus.PARTIALLY_FILLED, e.filledQuantity(), e.averagePrice(), seq + 1);
    }

    @EventHandler
    public void on(TradeOpenedEvent e, @SequenceNumber long seq) {
        book.filled(e.tradeId(), TradeStatus.OPEN, e.filledQuantity(), e.entryPrice(), seq + 1);
    }

    @EventHandler
    public void on(EntryFilledWhileClosingEvent e, @SequenceNumber long seq) {
        book.filled(e.tradeId(), TradeStatus.CLOSING, e.filledQuantity(), e.averagePrice(), seq + 1);
    }

    @EventHandler
    public void on(BracketsChangedEvent e, @SequenceNumber long seq) {
        book.brackets(e.tradeId(), e.stopLoss(), e.takeProfit(), seq + 1);
    }

    @EventHandler
    public void on(CloseRequestedEvent e, @SequenceNumber long seq) {
        book.status(e.tradeId(), TradeStatus.CLOSING, seq + 1);
    }

    @EventHandler
    public void on(ExitRejectedEvent e, @SequenceNumber long seq) {
        book.status(e.tradeId(), TradeStatus.OPEN, seq + 1);
    }

    @EventHandler
    public void on(TradeClosedEvent e) {
        book.finished(e.tradeId());
    }

    @EventHandler
    public void on(TradeExpiredEvent e) {
        book.finished(e.tradeId());
    }

    @EventHandler
    public void on(TradeCanceledEvent e) {
        book.finished(e.tradeId());
    }

    @EventHandler
    public void on(TradeRejectedEvent e) {
        book.finished(e.tradeId());
    }
}
