package io.papertrading.broker.tradier;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.papertrading.broker.Balance;
import io.papertrading.broker.BrokerAuthException;
import io.papertrading.broker.ConnectionInfo;
import io.papertrading.broker.OptionQuote;
import io.papertrading.broker.OrderRequest;
import io.papertrading.broker.OrderSide;
import io.papertrading.broker.OrderState;
import io.papertrading.broker.OrderStatusReport;
import io.papertrading.broker.PlacedOrder;
import io.papertrading.broker.Position;
import io.papertrading.broker.Quote;
import io.papertrading.kernel.instrument.Instrument;
import io.papertrading.kernel.instrument.OptionSymbol;
import io.papertrading.kernel.instrument.OptionType;
import io.papertrading.kernel.money.Money;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The decision log's T-09 suite, against MockWebServer serving Tradier's documented responses. */
class TradierBrokerTest {

    private final MockTradier tradier = new MockTradier();
    private final TradierBroker broker = tradier.broker();

    @AfterEach
    void stop() {
        tradier.close();
    }

    @Test
    void t0901_connectionTestReadsProfileAndAccountType() {
        tradier.enqueueFixture("user_profile_multi.json");

        ConnectionInfo info = broker.testConnection();

        assertThat(info.ok()).isTrue();
        assertThat(info.accountIds()).containsExactly("VA000001", "VA000002", "VA000003");
        assertThat(info.accountType()).isEqualTo("margin");
        assertThat(info.accountName()).isEqualTo("George Costanza");
        assertThat(tradier.take().getUrl().encodedPath()).isEqualTo("/v1/user/profile");
    }

    @Test
    void connectionTestIsNotOkWhenTheAccountIsNotTheTokens() {
        tradier.enqueueFixture("user_profile_multi.json");

        ConnectionInfo info = new TradierBroker(new TradierConfig(tradier.baseUrl(), "VA999999", MockTradier.TOKEN,
                tradier.tuning())).testConnection();

        assertThat(info.ok()).isFalse();
        assertThat(info.accountType()).isNull();
    }

    @Test
    void t0902_quotesForAaplMsftSpyCarryEveryField() throws Exception {
        ObjectNode aapl = (ObjectNode) TradierJson.MAPPER.readTree(TradierFixtures.read("quotes_single.json"))
                .path("quotes").path("quote");
        ObjectNode msft = aapl.deepCopy().put("symbol", "MSFT").put("description", "Microsoft Corp");
        ObjectNode spy = (ObjectNode) TradierJson.MAPPER.readTree(TradierFixtures.read("quotes_with_unmatched.json"))
                .path("quotes").path("quote");
        ObjectNode body = TradierJson.MAPPER.createObjectNode();
        ArrayNode list = body.putObject("quotes").putArray("quote");
        list.add(aapl).add(msft).add(spy);
        tradier.enqueue(TradierFixtures.json(200, body.toString()));

        List<Quote> quotes = broker.getQuotes(List.of("AAPL", "MSFT", "SPY"));

        assertThat(quotes).extracting(Quote::symbol).containsExactly("AAPL", "MSFT", "SPY");
        Quote first = quotes.get(0);
        assertThat(first.bid()).isEqualTo(Money.of("273.53"));
        assertThat(first.ask()).isEqualTo(Money.of("273.59"));
        assertThat(first.last()).isEqualTo(Money.of("273.47"));
        assertThat(first.mark()).isEqualTo(Money.of("273.56"));
        assertThat(first.volume()).isEqualTo(47994892L);
        assertThat(first.bidSize()).isEqualTo(100L);
        assertThat(first.askSize()).isEqualTo(200L);
        assertThat(first.tradeTime()).isEqualTo(Instant.ofEpochMilli(1762982100011L));
        assertThat(first.description()).isEqualTo("Apple Inc");
        assertThat(quotes.get(2).ask()).isEqualTo(Money.of("196.25"));
        RecordedRequest request = tradier.take();
        assertThat(request.getUrl().encodedPath()).isEqualTo("/v1/markets/quotes");
        assertThat(request.getUrl().queryParameter("symbols")).isEqualTo("AAPL,MSFT,SPY");
    }

    @Test
    void t0903_balanceHasEquityAndBuyingPower() {
        tradier.enqueueFixture("balances_margin.json");

        Balance balance = broker.getBalance();

        assertThat(balance.totalEquity()).isEqualTo(Money.of("17798.36"));
        assertThat(balance.cash()).isEqualTo(Money.of("6363.86"));
        assertThat(balance.optionBuyingPower()).isEqualTo(Money.of("6363.86"));
        assertThat(balance.stockBuyingPower()).isEqualTo(Money.of("12727.72"));
        assertThat(balance.accountType()).isEqualTo("margin");
        assertThat(tradier.take().getUrl().encodedPath()).isEqualTo("/v1/accounts/VA000001/balances");
    }

    @Test
    void cashAccountBuyingPowerIsTheCashAvailable() {
        tradier.enqueueFixture("balances_cash.json");

        Balance balance = broker.getBalance();

        assertThat(balance.accountType()).isEqualTo("cash");
        assertThat(balance.buyingPower(true)).isEqualTo(Money.of("4343.38"));
        assertThat(balance.buyingPower(false)).isEqualTo(Money.of("4343.38"));
    }

    @Test
    void t0904_expirationsAreDates() {
        tradier.enqueueFixture("expirations_dates.json");

        List<LocalDate> dates = broker.getExpirations("AAPL");

        assertThat(dates).hasSize(11).startsWith(LocalDate.of(2021, 2, 5)).endsWith(LocalDate.of(2023, 1, 20));
        assertThat(tradier.take().getUrl().queryParameter("symbol")).isEqualTo("AAPL");
    }

    @Test
    void t0905_chainCarriesGreeks() {
        tradier.enqueueFixture("chain_greeks.json");

        List<OptionQuote> chain = broker.getOptionChain("VXX", LocalDate.of(2019, 5, 17), true);

        assertThat(chain).isNotEmpty();
        OptionQuote call = chain.stream().filter(o -> o.contract().type() == OptionType.CALL).findFirst().orElseThrow();
        assertThat(call.contract()).isEqualTo(OptionSymbol.parse("VXX190517C00016000"));
        assertThat(call.bid()).isEqualTo(Money.of("10.85"));
        assertThat(call.greeks().delta()).isEqualByComparingTo("1.0");
        assertThat(call.greeks().gamma()).isEqualByComparingTo(new BigDecimal("1.95546E-10"));
        assertThat(call.greeks().theta()).isEqualByComparingTo("-0.00204837");
        assertThat(call.greeks().vega()).isNotNull();
        assertThat(call.greeks().impliedVolatility()).isEqualByComparingTo("0.380002");
        RecordedRequest request = tradier.take();
        assertThat(request.getUrl().encodedPath()).isEqualTo("/v1/markets/options/chains");
        assertThat(request.getUrl().queryParameter("expiration")).isEqualTo("2019-05-17");
        assertThat(request.getUrl().queryParameter("greeks")).isEqualTo("true");
    }

    @Test
    void t0906_marketOrderIsFormEncodedWithTagAndHeaders() {
        tradier.enqueueFixture("order_place_ok.json");
        String tag = "0b6f6f4e-3c57-4bd4-9f0e-7d1f5b2f9a10";

        PlacedOrder placed = broker.placeOrder(OrderRequest.market(tag, Instrument.stock("AAPL"),
                OrderSide.BUY_TO_OPEN, 1));

        assertThat(placed.orderId()).isEqualTo("257459");
        assertThat(placed.tag()).isEqualTo(tag);
        RecordedRequest request = tradier.take();
        assertThat(request.getMethod()).isEqualTo("POST");
        assertThat(request.getUrl().encodedPath()).isEqualTo("/v1/accounts/VA000001/orders");
        assertThat(request.getHeaders().get("Authorization")).isEqualTo("Bearer " + MockTradier.TOKEN);
        assertThat(request.getHeaders().get("Accept")).isEqualTo("application/json");
        assertThat(request.getHeaders().get("Content-Type")).startsWith("application/x-www-form-urlencoded");
        assertThat(request.getBody().utf8()).isEqualTo(
                "class=equity&symbol=AAPL&side=buy&quantity=1&type=market&duration=day&tag=" + tag);
    }

    @Test
    void optionLimitOrderSendsTheOccSymbolAndOpenIntent() {
        tradier.enqueueFixture("order_place_ok.json");
        Instrument call = Instrument.option(OptionSymbol.parse("AAPL210416C00125000"));

        broker.placeOrder(OrderRequest.limit("t-1", call, OrderSide.BUY_TO_OPEN, 1, Money.of("3.50"),
                io.papertrading.broker.TimeInForce.GTC));

        assertThat(tradier.take().getBody().utf8()).isEqualTo("class=option&symbol=AAPL"
                + "&option_symbol=AAPL210416C00125000&side=buy_to_open&quantity=1&type=limit&price=3.50"
                + "&duration=gtc&tag=t-1");
    }

    @Test
    void t0907_orderStatusIsReadBackWithTags() {
        tradier.enqueueFixture("order_partially_filled.json");

        OrderStatusReport order = broker.getOrder("300112");

        assertThat(order.state()).isEqualTo(OrderState.PARTIALLY_FILLED);
        assertThat(order.quantity()).isEqualByComparingTo("100");
        assertThat(order.execQuantity()).isEqualByComparingTo("40");
        assertThat(order.remainingQuantity()).isEqualByComparingTo("60");
        assertThat(order.avgFillPrice()).isEqualTo(Money.of("149.98"));
        assertThat(order.lastFillPrice()).isEqualTo(Money.of("149.98"));
        assertThat(order.tag()).isEqualTo("my-tag-example-1");
        assertThat(order.side()).isEqualTo(OrderSide.BUY_TO_OPEN);
        assertThat(order.createdAt()).isEqualTo(Instant.parse("2024-03-01T15:02:29.682Z"));
        RecordedRequest request = tradier.take();
        assertThat(request.getUrl().encodedPath()).isEqualTo("/v1/accounts/VA000001/orders/300112");
        assertThat(request.getUrl().queryParameter("includeTags")).isEqualTo("true");
    }

    @Test
    void t0908_positionsIncludingTheStringNull() {
        tradier.enqueueFixture("positions_multi.json", "positions_null.json");

        List<Position> positions = broker.getPositions();
        List<Position> none = broker.getPositions();

        assertThat(positions).hasSize(7);
        assertThat(positions.get(5).symbol()).isEqualTo("IBM");
        assertThat(positions.get(5).quantity()).isEqualByComparingTo("13");
        assertThat(positions.get(5).costBasis()).isEqualTo(Money.of("1772.54"));
        assertThat(none).isEmpty();
    }

    @Test
    void t0909_invalidTokenFailsWithAuthException() {
        tradier.enqueue(new MockResponse.Builder().code(401).addHeader("Content-Type", "text/plain")
                .body("Invalid Access Token").build());

        assertThatThrownBy(broker::testConnection)
                .isInstanceOf(BrokerAuthException.class)
                .hasMessageContaining("Invalid Access Token");
    }

    @Test
    void t0912_listOrdersAsksForTagsAndReturnsEveryOrder() {
        tradier.enqueueFixture("orders_multi.json");

        List<OrderStatusReport> orders = broker.listOrders();

        assertThat(orders).extracting(OrderStatusReport::orderId).containsExactly("123456", "228749", "229063");
        assertThat(orders).extracting(OrderStatusReport::state)
                .containsExactly(OrderState.FILLED, OrderState.EXPIRED, OrderState.CANCELED);
        assertThat(orders.get(1).optionSymbol()).isEqualTo("SPY180720C00274000");
        assertThat(orders.get(2).legs()).hasSize(2);
        assertThat(orders.get(2).legs().get(1).side()).isEqualTo(OrderSide.SELL_TO_CLOSE);
        assertThat(tradier.take().getUrl().queryParameter("includeTags")).isEqualTo("true");
    }

    @Test
    void cancelSendsADeleteForTheOrder() {
        tradier.enqueueFixture("order_cancel_ok.json");

        broker.cancelOrder("123456");

        RecordedRequest request = tradier.take();
        assertThat(request.getMethod()).isEqualTo("DELETE");
        assertThat(request.getUrl().encodedPath()).isEqualTo("/v1/accounts/VA000001/orders/123456");
    }
}
