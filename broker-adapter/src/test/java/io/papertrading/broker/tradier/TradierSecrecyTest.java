package io.papertrading.broker.tradier;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.papertrading.broker.BrokerException;
import io.papertrading.broker.OrderRequest;
import io.papertrading.broker.OrderSide;
import io.papertrading.kernel.instrument.Instrument;
import mockwebserver3.MockResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

import static io.papertrading.broker.tradier.TradierFixtures.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The access token never shows up in exceptions, toString or logs, even when Tradier echoes it back. */
class TradierSecrecyTest {

    private final MockTradier tradier = new MockTradier();
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger("io.papertrading");
    private Level previousLevel;

    @BeforeEach
    void captureLogs() {
        previousLevel = root.getLevel();
        root.setLevel(Level.TRACE);
        logs.start();
        root.addAppender(logs);
    }

    @AfterEach
    void stop() {
        root.detachAppender(logs);
        root.setLevel(previousLevel);
        tradier.close();
    }

    @Test
    void tokenIsAbsentFromMessagesToStringAndLogs() {
        TradierBroker broker = tradier.broker();
        tradier.enqueue(new MockResponse.Builder().code(401).body("Invalid Access Token " + MockTradier.TOKEN).build());
        tradier.enqueue(TradierFixtures.json(400, "{\"errors\":{\"error\":\"bad token " + MockTradier.TOKEN + "\"}}"));
        tradier.enqueue(TradierFixtures.json(200, "{\"errors\":{\"error\":[\"" + MockTradier.TOKEN + "\"]}}"));
        tradier.enqueue(status(503), status(503), status(503));

        List<String> texts = new ArrayList<>();
        texts.add(messages(catchThrowableOfType(BrokerException.class, broker::testConnection)));
        texts.add(messages(catchThrowableOfType(BrokerException.class, broker::listOrders)));
        texts.add(messages(catchThrowableOfType(BrokerException.class, () -> broker.placeOrder(
                OrderRequest.market("t", Instrument.stock("AAPL"), OrderSide.BUY_TO_OPEN, 1)))));
        texts.add(messages(catchThrowableOfType(BrokerException.class, broker::getBalance)));
        texts.add(broker.toString());
        texts.add(new TradierConfig(tradier.baseUrl(), MockTradier.ACCOUNT, MockTradier.TOKEN, tradier.tuning()).toString());
        logs.list.forEach(e -> texts.add(e.getFormattedMessage()));

        assertThat(logs.list).isNotEmpty();
        assertThat(texts).hasSizeGreaterThan(6).allSatisfy(text -> assertThat(text).doesNotContain(MockTradier.TOKEN));
        assertThat(texts.get(0)).contains("Invalid Access Token ***");
    }

    private static String messages(Throwable error) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = error; t != null; t = t.getCause()) {
            all.append(t).append('\n');
        }
        return all.toString();
    }
}
