package io.papertrading.query.stream;

import io.papertrading.query.analytics.PortfolioView;
import io.papertrading.query.trade.TradeChanges;
import io.papertrading.query.trade.TradeView;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One client's live-update stream: the user it serves, the horizon it has delivered up to (the event id a client
 * sends back as {@code Last-Event-ID}), and the last portfolio it sent. Reads and sends of one stream never
 * overlap: {@link TradeStreams} runs them one at a time under this object's lock.
 */
final class TradeStream {

    final String username;
    final SseEmitter emitter;
    /** Set while a refresh is queued, so a burst of notifications queues one read, not one per notification. */
    final AtomicBoolean queued = new AtomicBoolean();
    private long cursor;
    private PortfolioView lastPortfolio;
    private boolean closed;

    TradeStream(String username, SseEmitter emitter, long cursor) {
        this.username = username;
        this.emitter = emitter;
        this.cursor = cursor;
    }

    synchronized long cursor() {
        return cursor;
    }

    synchronized boolean isClosed() {
        return closed;
    }

    synchronized void markClosed() {
        closed = true;
    }

    /** The first event: where this stream starts, so a client that reconnects at once misses nothing. */
    synchronized void ready() throws IOException {
        emitter.send(SseEmitter.event().name("ready").id(Long.toString(cursor))
                .data(new Ready(Long.toString(cursor)), MediaType.APPLICATION_JSON));
    }

    /**
     * Sends the trades that changed and moves the cursor. Only the last trade of a batch carries the id: a
     * client cut off mid-batch resumes from the batch's start and gets all of it again (versions tell it which
     * messages it already has).
     */
    synchronized void deliver(TradeChanges changes) throws IOException {
        int n = changes.trades().size();
        for (int i = 0; i < n; i++) {
            TradeView trade = changes.trades().get(i);
            SseEmitter.SseEventBuilder event = SseEmitter.event().name("trade").data(trade, MediaType.APPLICATION_JSON);
            if (i == n - 1) {
                event.id(Long.toString(changes.horizon()));
            }
            emitter.send(event);
        }
        cursor = Math.max(cursor, changes.horizon());
    }

    /** Sends the portfolio's totals when they differ from the last ones sent. */
    synchronized void portfolio(PortfolioView portfolio) throws IOException {
        if (!portfolio.equals(lastPortfolio)) {
            emitter.send(SseEmitter.event().name("portfolio").data(portfolio, MediaType.APPLICATION_JSON));
            lastPortfolio = portfolio;
        }
    }

    /** A comment line: keeps proxies from closing an idle stream, and finds clients that went away. */
    synchronized void heartbeat() throws IOException {
        emitter.send(SseEmitter.event().comment("heartbeat"));
    }

    /** The data of the {@code ready} event. */
    record Ready(String cursor) {
    }
}
