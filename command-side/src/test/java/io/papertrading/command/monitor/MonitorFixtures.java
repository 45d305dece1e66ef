package io.papertrading.command.monitor;

import io.papertrading.broker.BrokerProvider;
import io.papertrading.broker.Quote;
import io.papertrading.kernel.money.Money;
import io.papertrading.kernel.trade.TradeAck;
import io.papertrading.kernel.trade.TradeStatus;
import io.papertrading.kernel.trade.command.RequestCloseCommand;
import org.axonframework.commandhandling.SimpleCommandBus;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.commandhandling.gateway.DefaultCommandGateway;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.SimpleEventBus;
import org.axonframework.eventhandling.gateway.DefaultEventGateway;
import org.axonframework.eventhandling.gateway.EventGateway;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/** Test doubles around the price monitor: recording buses, a quotes-only broker. */
final class MonitorFixtures {

    final SimpleEventBus eventBus = SimpleEventBus.builder().build();
    final EventGateway events = DefaultEventGateway.builder().eventBus(eventBus).build();
    final List<Object> published = new CopyOnWriteArrayList<>();
    final SimpleCommandBus commandBus = SimpleCommandBus.builder().build();
    final CommandGateway commands = DefaultCommandGateway.builder().commandBus(commandBus).build();
    final List<RequestCloseCommand> closeRequests = new CopyOnWriteArrayList<>();

    MonitorFixtures() {
        eventBus.subscribe(messages -> messages.stream().map(EventMessage::getPayload).forEach(published::add));
        commandBus.subscribe(RequestCloseCommand.class.getName(), message -> {
            RequestCloseCommand c = (RequestCloseCommand) message.getPayload();
            closeRequests.add(c);
            return new TradeAck(c.tradeId(), TradeStatus.CLOSING, 3);
        });
    }

    /** A broker that only answers quotes, from {@code quotes}; anything else fails the test. */
    static BrokerProvider quotesOnly(Function<List<String>, List<Quote>> quotes) {
        return (BrokerProvider) Proxy.newProxyInstance(BrokerProvider.class.getClassLoader(),
                new Class<?>[]{BrokerProvider.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getQuotes")) {
                        @SuppressWarnings("unchecked")
                        List<String> symbols = (List<String>) args[0];
                        return quotes.apply(symbols);
                    }
                    if (method.getName().equals("toString")) {
                        return "quotes-only broker";
                    }
                    throw new AssertionError("unexpected broker call " + method.getName());
                });
    }

    static Quote quote(String symbol, String mid) {
        Money m = Money.of(mid);
        return new Quote(symbol, null, m, m, m, null, null, null, null, null, null);
    }
}
