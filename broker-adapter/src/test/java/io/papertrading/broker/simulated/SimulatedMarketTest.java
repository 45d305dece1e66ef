package io.papertrading.broker.simulated;

import io.papertrading.broker.Greeks;
import io.papertrading.broker.OptionQuote;
import io.papertrading.broker.Quote;
import io.papertrading.kernel.instrument.OptionSymbol;
import io.papertrading.kernel.instrument.OptionType;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SimulatedMarketTest {

    private static final Instant START = Instant.parse("2025-03-03T15:00:00Z");
    private static final List<String> SYMBOLS = List.of("AAPL", "MSFT", "SPY", "ZZTOP", "AAPL250620C00230000");

    private final MutableClock clock = new MutableClock(START);
    private final SimulatedMarket market = new SimulatedMarket(7L, clock);

    @Test
    void sameSeedGivesIdenticalQuotes() {
        SimulatedMarket twin = new SimulatedMarket(7L, clock);

        for (int minute = 0; minute < 5; minute++) {
            for (String symbol : SYMBOLS) {
                assertThat(twin.quote(symbol)).isEqualTo(market.quote(symbol));
            }
            clock.advance(Duration.ofMinutes(1));
        }
    }

    @Test
    void differentSeedsGiveDifferentPrices() {
        SimulatedMarket other = new SimulatedMarket(8L, clock);

        assertThat(other.quote("AAPL").mark()).isNotEqualTo(market.quote("AAPL").mark());
        assertThat(other.quote("ZZTOP").mark()).isNotEqualTo(market.quote("ZZTOP").mark());
    }

    @Test
    void pricesWalkAsTheClockMovesAndStayNearTheirReference() {
        BigDecimal first = market.price("AAPL", START);
        BigDecimal later = market.price("AAPL", START.plus(Duration.ofDays(3)));

        assertThat(later).isNotEqualByComparingTo(first);
        assertThat(first.doubleValue()).isBetween(230 * 0.5, 230 * 2.0);
    }

    @Test
    void stockQuoteHasASpreadAroundTheMid() {
        Quote quote = market.quote("SPY");

        assertThat(quote.bid()).isLessThan(quote.ask());
        assertThat(quote.mark()).isEqualTo(quote.last());
        assertThat(quote.askSize()).isPositive();
    }

    @Test
    void malformedSymbolsHaveNoQuote() {
        assertThat(market.quote("not a symbol")).isNull();
    }

    @Test
    void expirationsAreFutureFridaysIncludingMonthlies() {
        List<LocalDate> dates = market.expirations("AAPL");

        assertThat(dates).isSorted().allSatisfy(d -> assertThat(d.getDayOfWeek()).isEqualTo(DayOfWeek.FRIDAY));
        assertThat(dates.get(0)).isEqualTo(LocalDate.of(2025, 3, 7));
        assertThat(dates).contains(LocalDate.of(2025, 6, 20), LocalDate.of(2025, 9, 19));
    }

    @Test
    void chainHasCallsAndPutsAroundTheSpot() {
        LocalDate expiry = market.expirations("AAPL").get(2);
        List<OptionQuote> chain = market.chain("AAPL", expiry, true);
        BigDecimal spot = market.price("AAPL", START);

        assertThat(chain).hasSize(42);
        assertThat(chain).allSatisfy(o -> assertThat(o.contract().expiry()).isEqualTo(expiry));
        assertThat(chain.get(0).contract().strike()).isLessThan(spot);
        assertThat(chain.get(41).contract().strike()).isGreaterThan(spot);
        assertThat(market.chain("AAPL", LocalDate.of(2025, 3, 5), true)).isEmpty();
    }

    @Test
    void putCallParityHoldsWithinTheSpread() {
        LocalDate expiry = market.expirations("MSFT").get(6);
        List<OptionQuote> chain = market.chain("MSFT", expiry, true);
        double spot = market.price("MSFT", START).doubleValue();
        double years = Duration.between(START, SimulatedMarket.expiryInstant(chain.get(0).contract())).getSeconds()
                / (365.0 * 24 * 3600);

        for (int i = 0; i < chain.size(); i += 2) {
            OptionQuote call = chain.get(i);
            OptionQuote put = chain.get(i + 1);
            assertThat(call.contract().type()).isEqualTo(OptionType.CALL);
            double strike = call.contract().strike().doubleValue();
            double parity = spot - strike * Math.exp(-SimulatedMarket.RISK_FREE_RATE * years);
            double difference = call.mark().amount().doubleValue() - put.mark().amount().doubleValue();
            double tolerance = spread(call) / 2 + spread(put) / 2 + 0.01;
            assertThat(difference).isCloseTo(parity, org.assertj.core.data.Offset.offset(tolerance));
        }
    }

    @Test
    void greeksHaveTheirTheoreticalSigns() {
        LocalDate expiry = market.expirations("SPY").get(4);

        for (OptionQuote option : market.chain("SPY", expiry, true)) {
            Greeks g = option.greeks();
            if (option.contract().type() == OptionType.CALL) {
                assertThat(g.delta()).isStrictlyBetween(BigDecimal.ZERO, BigDecimal.ONE);
                // Without dividends a call always loses value with time (a deep ITM put may not).
                assertThat(g.theta()).isNegative();
            } else {
                assertThat(g.delta()).isStrictlyBetween(BigDecimal.ONE.negate(), BigDecimal.ZERO);
            }
            assertThat(g.gamma()).isPositive();
            assertThat(g.vega()).isPositive();
            assertThat(g.impliedVolatility()).isPositive();
        }
    }

    @Test
    void chainWithoutGreeksLeavesThemOut() {
        LocalDate expiry = market.expirations("SPY").get(0);

        assertThat(market.chain("SPY", expiry, false)).allSatisfy(o -> assertThat(o.greeks()).isNull());
    }

    @Test
    void anyValidContractIsQuotedEvenOffTheListedChain() {
        OptionQuote odd = market.optionQuote(OptionSymbol.parse("ZZTOP251219P00012500"));

        assertThat(odd.ask()).isNotNull();
        assertThat(odd.greeks().delta()).isNegative();
        assertThat(odd.quote().last()).isNull();
    }

    @Test
    void expiredContractIsWorthItsIntrinsicValueAtExpiry() {
        OptionSymbol call = OptionSymbol.parse("AAPL250307C00100000");
        clock.set(SimulatedMarket.expiryInstant(call).plus(Duration.ofDays(2)));

        Quote quote = market.quote(call.occ());
        BigDecimal intrinsic = call.intrinsicValue(market.price("AAPL", SimulatedMarket.expiryInstant(call)));

        assertThat(quote.bid().amount()).isLessThanOrEqualTo(intrinsic);
        assertThat(quote.ask().amount()).isGreaterThanOrEqualTo(intrinsic);
        assertThat(quote.greeks().gamma()).isZero();
    }

    private static double spread(OptionQuote o) {
        return o.ask().amount().subtract(o.bid().amount()).doubleValue();
    }
}
