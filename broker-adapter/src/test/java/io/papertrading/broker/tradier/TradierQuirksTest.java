package io.papertrading.broker.tradier;

import io.papertrading.broker.Balance;
import io.papertrading.broker.BrokerException;
import io.papertrading.broker.BrokerInsufficientFundsException;
import io.papertrading.broker.BrokerOrderRejectedException;
import io.papertrading.broker.OptionQuote;
import io.papertrading.broker.OrderRequest;
import io.papertrading.broker.OrderSide;
import io.papertrading.broker.OrderState;
import io.papertrading.broker.OrderStatusReport;
import io.papertrading.broker.Quote;
import io.papertrading.kernel.instrument.Instrument;
import io.papertrading.kernel.money.Money;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** One test per documented Tradier quirk the adapter normalises. */
class TradierQuirksTest {

    private static final OrderRequest BUY_AAPL = OrderRequest.market("trade-1", Instrument.stock("AAPL"),
            OrderSide.BUY_TO_OPEN, 10);

    private final MockTradier tradier = new MockTradier();
    private final TradierBroker broker = tradier.broker();

    @AfterEach
    void stop() {
        tradier.close();
    }

    @Test
    void aLoneQuoteComesAsAnObjectAndReadsAsAListOfOne() {
        tradier.enqueueFixture("quotes_single.json");

        assertThat(broker.getQuotes(List.of("AAPL"))).extracting(Quote::symbol).containsExactly("AAPL");
    }

    @Test
    void aLoneOrderAndALonePositionReadAsListsOfOne() {
        tradier.enqueueFixture("orders_single.json", "positions_single.json");

        assertThat(broker.listOrders()).extracting(OrderStatusReport::orderId).containsExactly("228749");
        assertThat(broker.getPositions()).singleElement().satisfies(p -> assertThat(p.symbol()).isEqualTo("AAPL"));
    }

    @Test
    void emptyListsSentAsTheStringNullReadAsEmpty() {
        tradier.enqueueFixture("orders_empty.json", "positions_null.json");

        assertThat(broker.listOrders()).isEmpty();
        assertThat(broker.getPositions()).isEmpty();
    }

    @Test
    void emptyListsSentAsJsonNullReadAsEmpty() {
        tradier.enqueue(TradierFixtures.json(200, "{\"positions\":null}"));
        tradier.enqueueFixture("chain_empty.json", "expirations_empty.json");

        assertThat(broker.getPositions()).isEmpty();
        assertThat(broker.getOptionChain("AAPL", LocalDate.of(2030, 1, 1), false)).isEmpty();
        assertThat(broker.getExpirations("AAPL")).isEmpty();
    }

    @Test
    void errorEnvelopeWithAListBecomesABrokerExceptionWithItsText() {
        tradier.enqueue(TradierFixtures.json(400, TradierFixtures.read("errors_invalid.json")));

        assertThatThrownBy(broker::listOrders).isExactlyInstanceOf(BrokerException.class)
                .hasMessageContaining("type is invalid for class option");
    }

    @Test
    void errorEnvelopeWithAStringBecomesABrokerExceptionWithItsText() {
        tradier.enqueue(TradierFixtures.json(400, TradierFixtures.read("errors_invalid_string.json")));

        assertThatThrownBy(() -> broker.getQuotes(List.of("^TNX"))).isExactlyInstanceOf(BrokerException.class)
                .hasMessageContaining("^TNX: symbol not found");
    }

    @Test
    void placementErrorInsideHttp200IsARejectionForFunds() {
        tradier.enqueueFixture("order_place_error_200.json");

        assertThatThrownBy(() -> broker.placeOrder(BUY_AAPL))
                .isInstanceOf(BrokerInsufficientFundsException.class)
                .extracting(e -> ((BrokerOrderRejectedException) e).reason())
                .isEqualTo("You do not have enough buying power for this trade.");
    }

    @Test
    void placementErrorWithHttp400IsARejectionWithTheReason() {
        tradier.enqueue(TradierFixtures.json(400, TradierFixtures.read("errors_invalid.json")));

        assertThatThrownBy(() -> broker.placeOrder(BUY_AAPL))
                .isExactlyInstanceOf(BrokerOrderRejectedException.class)
                .hasMessageContaining("type is invalid for class option");
    }

    @Test
    void okPlacementThenRejectedStatusSurfacesTheReasonDescription() {
        tradier.enqueueFixture("order_place_ok.json", "order_rejected.json");

        assertThatThrownBy(() -> broker.placeOrderAndConfirm(BUY_AAPL))
                .isInstanceOf(BrokerOrderRejectedException.class)
                .extracting(e -> ((BrokerOrderRejectedException) e).reason())
                .isEqualTo("Buy Stop order must have a Stop price greater than the current Ask price");
        assertThat(tradier.sleeper.waits).containsExactly(Duration.ofMillis(250));
        tradier.take();
        assertThat(tradier.take().getUrl().encodedPath()).isEqualTo("/v1/accounts/VA000001/orders/257459");
    }

    @Test
    void okPlacementThenWorkingStatusIsConfirmed() {
        tradier.enqueueFixture("order_place_ok.json", "order_partially_filled.json");

        assertThat(broker.placeOrderAndConfirm(BUY_AAPL).state()).isEqualTo(OrderState.PARTIALLY_FILLED);
    }

    @Test
    void plainTextErrorBodyOnAnotherStatusStillGivesAClearMessage() {
        tradier.enqueue(new mockwebserver3.MockResponse.Builder().code(404).body("Not Found").build());

        assertThatThrownBy(() -> broker.getOrder("1")).isExactlyInstanceOf(BrokerException.class)
                .hasMessageContaining("HTTP 404").hasMessageContaining("Not Found");
    }

    @Test
    void epochMillisecondsAndEpochSecondsBothReadAsInstants() {
        tradier.enqueueFixture("quotes_multi.json", "chain_no_greeks_new_docs.json");

        Quote millis = broker.getQuotes(List.of("AAPL", "VXX190517P00016000")).get(0);
        OptionQuote seconds = broker.getOptionChain("AAPL", LocalDate.of(2021, 4, 16), false).get(0);

        assertThat(millis.tradeTime()).isEqualTo(Instant.ofEpochMilli(1557168406000L));
        assertThat(seconds.quote().tradeTime()).isEqualTo(Instant.ofEpochSecond(1612196262L));
    }

    @Test
    void unknownOrderStatusReadsAsUnknownAndNotTerminal() {
        tradier.enqueue(TradierFixtures.json(200,
                "{\"order\":{\"id\":7,\"status\":\"held_for_review\",\"quantity\":1.0,\"exec_quantity\":0}}"));

        OrderStatusReport order = broker.getOrder("7");

        assertThat(order.state()).isEqualTo(OrderState.UNKNOWN);
        assertThat(order.state().isTerminal()).isFalse();
        assertThat(order.remainingQuantity()).isEqualByComparingTo("1");
    }

    @Test
    void untradedOptionHasNullLastAndAMarkFromBidAndAsk() {
        tradier.enqueueFixture("quotes_multi.json");

        Quote option = broker.getQuotes(List.of("AAPL", "VXX190517P00016000")).get(1);

        assertThat(option.last()).isNull();
        assertThat(option.volume()).isZero();
        assertThat(option.tradeTime()).isNull();
        assertThat(option.bid()).isEqualTo(Money.ZERO);
        assertThat(option.mark()).isEqualTo(Money.of("0.005"));
        assertThat(option.optionSymbol().strike()).isEqualByComparingTo("16");
    }

    @Test
    void veryLongDecimalLiteralsParseExactly() {
        tradier.enqueue(TradierFixtures.json(200, "{\"balances\":{\"account_type\":\"margin\","
                + "\"total_equity\":17798.360000000000000000000000,\"total_cash\":0.1000000000000000055511151231257827,"
                + "\"margin\":{\"option_buying_power\":6363.86,\"stock_buying_power\":12727.72}}}"));

        Balance balance = broker.getBalance();

        assertThat(balance.totalEquity().amount()).isEqualByComparingTo("17798.36");
        assertThat(balance.cash().amount()).isEqualTo(new BigDecimal("0.1000000000000000055511151231257827"));
    }

    @Test
    void greeksUpdatedAtWithoutZoneIsReadAsMarketTime() {
        tradier.enqueueFixture("chain_greeks.json");

        OptionQuote first = broker.getOptionChain("VXX", LocalDate.of(2019, 5, 17), true).get(0);

        assertThat(first.greeks().updatedAt()).isEqualTo(
                LocalDateTime.of(2019, 8, 29, 14, 59, 8).atZone(ZoneId.of("America/New_York")).toInstant());
    }

    @Test
    void unmatchedSymbolsAreLeftOutQuietly() {
        tradier.enqueueFixture("quotes_with_unmatched.json");

        List<Quote> quotes = broker.getQuotes(List.of("SPY", "SPY140627C00195500"));

        assertThat(quotes).extracting(Quote::symbol).containsExactly("SPY");
    }

    @Test
    void expirationsWithStrikesUseTheirOtherShape() {
        tradier.enqueueFixture("expirations_with_strikes.json");

        assertThat(broker.getExpirations("VXX")).startsWith(LocalDate.of(2023, 11, 10), LocalDate.of(2023, 11, 17));
    }

    @Test
    void missingRemainingQuantityIsDerivedFromQuantityAndExecuted() {
        tradier.enqueueFixture("orders_multi.json");

        OrderStatusReport first = broker.listOrders().get(0);

        assertThat(first.remainingQuantity()).isEqualByComparingTo("0");
        assertThat(first.lastFillPrice()).isNull();
    }
}
