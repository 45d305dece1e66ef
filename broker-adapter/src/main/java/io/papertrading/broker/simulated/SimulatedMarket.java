package io.papertrading.broker.simulated;

import io.papertrading.broker.Greeks;
import io.papertrading.broker.OptionQuote;
import io.papertrading.broker.Quote;
import io.papertrading.kernel.instrument.OptionSymbol;
import io.papertrading.kernel.instrument.OptionType;
import io.papertrading.kernel.money.Money;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A deterministic market for the simulated broker. Each underlying follows a seeded random walk in one-minute
 * steps: its price at a time is a pure function of (seed, symbol, time), so the same seed gives the same market
 * on every run. Options are priced from it with Black-Scholes at an implied volatility fixed per contract, so any
 * valid OCC symbol has a quote and greeks. Shared by every simulated account; thread-safe.
 */
public final class SimulatedMarket {

    /** Annual risk-free rate used for option pricing. */
    public static final double RISK_FREE_RATE = 0.04;

    private static final Duration STEP = Duration.ofMinutes(1);
    private static final double STEPS_PER_YEAR = 252 * 390;
    private static final double SECONDS_PER_YEAR = 365 * 24 * 3600;
    // Octaves of the walk: noise at 1, 2, 4 ... 2^16 minutes. Brownian-like up to ~45 days, bounded beyond, so
    // prices stay near their reference levels over long runs.
    private static final int OCTAVES = 16;
    private static final Pattern STOCK = Pattern.compile("[A-Z][A-Z0-9.]{0,9}");
    private static final Map<String, Double> REFERENCE_PRICES = Map.of(
            "AAPL", 230.0, "MSFT", 420.0, "SPY", 560.0, "QQQ", 480.0, "IWM", 220.0,
            "TSLA", 250.0, "NVDA", 130.0, "AMZN", 190.0, "GOOGL", 170.0, "META", 560.0);
    private static final Map<String, Double> REFERENCE_VOLS = Map.of("SPY", 0.15, "QQQ", 0.20, "IWM", 0.22);
    private static final MathContext GREEK_PRECISION = new MathContext(6);

    private final SeededNoise noise;
    private final Clock clock;

    public SimulatedMarket(long seed, Clock clock) {
        this.noise = new SeededNoise(seed);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public Clock clock() {
        return clock;
    }

    public Instant now() {
        return clock.instant();
    }

    /** The quote for a stock or OCC option symbol now, or null for a malformed symbol. */
    public Quote quote(String symbol) {
        return quoteAt(symbol, now());
    }

    /** The quote at a given time. */
    public Quote quoteAt(String symbol, Instant at) {
        if (symbol == null) {
            return null;
        }
        Optional<OptionSymbol> contract = OptionSymbol.tryParse(symbol);
        if (contract.isPresent()) {
            return optionQuoteAt(contract.get(), at, true).quote();
        }
        return STOCK.matcher(symbol).matches() ? stockQuote(symbol, at) : null;
    }

    /** The underlying's mid price at a time, in cents. */
    public BigDecimal price(String symbol, Instant at) {
        return cents(rawPrice(symbol, at), RoundingMode.HALF_EVEN);
    }

    /** Weekly Fridays for eight weeks plus monthly (third-Friday) expirations for six months, ascending. */
    public List<LocalDate> expirations(String symbol) {
        Instant now = now();
        LocalDate today = now.atZone(MarketHours.NEW_YORK).toLocalDate();
        TreeSet<LocalDate> dates = new TreeSet<>();
        LocalDate friday = today.with(TemporalAdjusters.nextOrSame(DayOfWeek.FRIDAY));
        for (int week = 0; week < 8; week++) {
            dates.add(friday.plusWeeks(week));
        }
        for (int month = 0; month <= 6; month++) {
            dates.add(today.plusMonths(month).with(TemporalAdjusters.dayOfWeekInMonth(3, DayOfWeek.FRIDAY)));
        }
        dates.removeIf(d -> !MarketHours.closeOf(d).isAfter(now));
        return List.copyOf(dates);
    }

    /** Calls and puts at 21 strikes around the spot for a listed expiration; empty for any other date. */
    public List<OptionQuote> chain(String symbol, LocalDate expiration, boolean greeks) {
        if (!STOCK.matcher(symbol).matches() || !expirations(symbol).contains(expiration)) {
            return List.of();
        }
        Instant now = now();
        double spot = rawPrice(symbol, now);
        double increment = spot < 25 ? 0.5 : spot < 100 ? 1 : spot < 200 ? 2.5 : 5;
        double atm = Math.round(spot / increment) * increment;
        List<OptionQuote> chain = new ArrayList<>();
        for (int i = -10; i <= 10; i++) {
            double strike = atm + i * increment;
            if (strike <= 0) {
                continue;
            }
            for (OptionType type : OptionType.values()) {
                OptionSymbol contract = new OptionSymbol(symbol, expiration, type,
                        BigDecimal.valueOf(strike).setScale(3, RoundingMode.HALF_EVEN));
                chain.add(optionQuoteAt(contract, now, greeks));
            }
        }
        return chain;
    }

    /** The contract's quote now, greeks included. */
    public OptionQuote optionQuote(OptionSymbol contract) {
        return optionQuoteAt(contract, now(), true);
    }

    /** When an option stops trading and settles: 16:00 New York on its expiry date. */
    public static Instant expiryInstant(OptionSymbol contract) {
        return MarketHours.closeOf(contract.expiry());
    }

    /** The implied volatility this market uses for a contract: a skewed smile around the root's own volatility. */
    double impliedVolatility(OptionSymbol contract) {
        double moneyness = Math.log(contract.strike().doubleValue() / referencePrice(contract.root()));
        double skew = moneyness < 0 ? -0.8 * moneyness : 0.3 * moneyness;
        // Keyed by strike and expiry but not by call/put: a call and a put that differ in volatility would break
        // put-call parity, which real markets arbitrage away.
        long series = key(contract.root()) * 31 + contract.expiry().toEpochDay();
        double jitter = (noise.uniform(series, contract.strike().unscaledValue().longValue(), 7) - 0.5) * 0.04;
        return Math.min(3.0, Math.max(0.05, annualVol(contract.root()) * (1 + skew) + jitter));
    }

    private Quote stockQuote(String symbol, Instant at) {
        BigDecimal mid = price(symbol, at);
        BigDecimal half = mid.multiply(new BigDecimal("0.0001")).setScale(2, RoundingMode.CEILING)
                .max(new BigDecimal("0.01"));
        long step = step(at);
        long size = 100 * (1 + (long) (noise.uniform(key(symbol), step, 3) * 5));
        long volume = 100_000 + (long) (noise.uniform(key(symbol), step, 4) * 5_000_000);
        return new Quote(symbol, symbol + " (simulated)", new Money(mid.subtract(half)), new Money(mid.add(half)),
                new Money(mid), volume, size, size, null, null, at);
    }

    private OptionQuote optionQuoteAt(OptionSymbol contract, Instant at, boolean withGreeks) {
        Instant expiry = expiryInstant(contract);
        Instant pricedAt = at.isAfter(expiry) ? expiry : at;
        BigDecimal underlying = price(contract.root(), pricedAt);
        double years = Duration.between(pricedAt, expiry).getSeconds() / SECONDS_PER_YEAR;
        double vol = impliedVolatility(contract);
        BlackScholes.Valuation v = BlackScholes.value(contract.type(), underlying.doubleValue(),
                contract.strike().doubleValue(), years, RISK_FREE_RATE, vol);
        double half = Math.min(0.25, Math.max(0.01, v.price() * 0.01));
        BigDecimal bid = cents(Math.max(0, v.price() - half), RoundingMode.FLOOR);
        BigDecimal ask = cents(Math.max(0.01, v.price() + half), RoundingMode.CEILING);
        long step = step(at);
        long size = 10 + (long) (noise.uniform(key(contract.occ()), step, 5) * 40);
        Greeks greeks = withGreeks ? new Greeks(greek(v.delta()), greek(v.gamma()), greek(v.theta()),
                greek(v.vega()), greek(v.rho()), greek(vol), at) : null;
        Quote quote = new Quote(contract.occ(), contract.root() + " " + contract.expiry() + " " + contract.strike()
                .stripTrailingZeros().toPlainString() + " " + contract.type(), new Money(bid), new Money(ask),
                null, 0L, size, size, new Money(underlying), greeks, null);
        return new OptionQuote(contract, quote, (long) (noise.uniform(key(contract.occ()), 0, 6) * 5000));
    }

    private double rawPrice(String symbol, Instant at) {
        return referencePrice(symbol) * Math.exp(logOffset(symbol, step(at)));
    }

    /** Sum of interpolated noise over octaves, each scaled like a random walk over its span. */
    private double logOffset(String symbol, long step) {
        double sigma = annualVol(symbol) / Math.sqrt(STEPS_PER_YEAR);
        long key = key(symbol);
        double sum = 0;
        for (int k = 0; k <= OCTAVES; k++) {
            long span = 1L << k;
            long cell = Math.floorDiv(step, span);
            double frac = (double) (step - cell * span) / span;
            double a = noise.gaussian(key, k, cell);
            double b = noise.gaussian(key, k, cell + 1);
            sum += sigma * Math.sqrt(span) * (a + (b - a) * frac);
        }
        return sum;
    }

    private double referencePrice(String symbol) {
        Double known = REFERENCE_PRICES.get(symbol);
        return known != null ? known : 10 + Math.floorMod(symbol.hashCode(), 49_000) / 100.0;
    }

    private double annualVol(String symbol) {
        Double known = REFERENCE_VOLS.get(symbol);
        return known != null ? known : 0.25 + Math.floorMod(symbol.hashCode(), 20) / 100.0;
    }

    private static long step(Instant at) {
        return Math.floorDiv(at.getEpochSecond(), STEP.getSeconds());
    }

    private static long key(String symbol) {
        return symbol.hashCode();
    }

    private static BigDecimal cents(double value, RoundingMode mode) {
        return BigDecimal.valueOf(value).setScale(2, mode);
    }

    private static BigDecimal greek(double value) {
        return new BigDecimal(value, GREEK_PRECISION);
    }
}
