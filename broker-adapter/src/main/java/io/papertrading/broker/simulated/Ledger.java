package io.papertrading.broker.simulated;

import io.papertrading.broker.Position;
import io.papertrading.kernel.instrument.Instrument;
import io.papertrading.kernel.instrument.OptionSymbol;
import io.papertrading.kernel.money.Money;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Cash and holdings of one simulated account. Not thread-safe: its books serialise access. Remembers whether it
 * changed, so a stored account is written back only when a fill or a settlement moved it.
 */
final class Ledger {

    /** A holding; quantity and cost basis are negative for a short position. */
    record Holding(Instrument instrument, BigDecimal quantity, BigDecimal costBasis, Instant acquiredAt) {
    }

    private BigDecimal cash;
    private final Map<String, Holding> holdings = new LinkedHashMap<>();
    /** Traded symbols whose holding changed, appeared or went since this ledger was built. */
    private final Set<String> touched = new LinkedHashSet<>();
    private boolean changed;

    Ledger(Money startingCash) {
        this(startingCash.amount(), List.of());
    }

    /** A ledger as it was stored. */
    Ledger(BigDecimal cash, List<Holding> stored) {
        this.cash = cash;
        stored.forEach(h -> holdings.put(h.instrument().tradedSymbol(), h));
    }

    BigDecimal cash() {
        return cash;
    }

    /** The holdings, in the order they were first acquired. */
    List<Holding> holdings() {
        return List.copyOf(holdings.values());
    }

    /** Whether cash or holdings changed since this ledger was built. */
    boolean changed() {
        return changed;
    }

    /** Traded symbols whose holding changed since this ledger was built (gone ones included), in change order. */
    Set<String> touched() {
        return Collections.unmodifiableSet(touched);
    }

    /** The holding of a traded symbol, or null. */
    Holding holding(String tradedSymbol) {
        return holdings.get(tradedSymbol);
    }

    /** Signed quantity held of a traded symbol (0 when none). */
    BigDecimal quantity(String tradedSymbol) {
        Holding h = holdings.get(tradedSymbol);
        return h == null ? BigDecimal.ZERO : h.quantity();
    }

    /** Books a fill: cash moves by price × quantity × multiplier; the holding grows or shrinks. */
    void fill(Instrument instrument, boolean buy, int quantity, BigDecimal price, Instant at) {
        BigDecimal signed = BigDecimal.valueOf(buy ? quantity : -quantity);
        BigDecimal amount = price.multiply(signed).multiply(instrument.multiplier());
        cash = cash.subtract(amount);
        changed = true;
        String symbol = instrument.tradedSymbol();
        touched.add(symbol);
        Holding old = holdings.get(symbol);
        if (old == null || old.quantity().signum() == 0) {
            holdings.put(symbol, new Holding(instrument, signed, amount, at));
            return;
        }
        BigDecimal newQuantity = old.quantity().add(signed);
        if (newQuantity.signum() == 0) {
            holdings.remove(symbol);
        } else if (old.quantity().signum() == signed.signum()) {
            holdings.put(symbol, new Holding(instrument, newQuantity, old.costBasis().add(amount), old.acquiredAt()));
        } else {
            // A partial close keeps the average cost of what remains.
            BigDecimal kept = old.costBasis().multiply(newQuantity).divide(old.quantity(), 10, RoundingMode.HALF_EVEN);
            holdings.put(symbol, new Holding(instrument, newQuantity, kept, old.acquiredAt()));
        }
    }

    /** Settles options expired by {@code now} at intrinsic value (worthless when out of the money). */
    void settleExpired(Instant now, Function<OptionSymbol, BigDecimal> underlyingAtExpiry) {
        for (Iterator<Holding> it = holdings.values().iterator(); it.hasNext(); ) {
            Holding h = it.next();
            OptionSymbol contract = h.instrument().optionSymbol();
            if (contract != null && !SimulatedMarket.expiryInstant(contract).isAfter(now)) {
                BigDecimal intrinsic = contract.intrinsicValue(underlyingAtExpiry.apply(contract));
                cash = cash.add(intrinsic.multiply(h.quantity()).multiply(OptionSymbol.CONTRACT_MULTIPLIER));
                it.remove();
                touched.add(h.instrument().tradedSymbol());
                changed = true;
            }
        }
    }

    /** Market value of all holdings, signed (shorts are liabilities). */
    BigDecimal marketValue(Function<String, BigDecimal> mark) {
        BigDecimal total = BigDecimal.ZERO;
        for (Holding h : holdings.values()) {
            total = total.add(mark.apply(h.instrument().tradedSymbol()).multiply(h.quantity())
                    .multiply(h.instrument().multiplier()));
        }
        return total;
    }

    /** What short positions would cost to buy back. */
    BigDecimal shortLiability(Function<String, BigDecimal> mark) {
        BigDecimal total = BigDecimal.ZERO;
        for (Holding h : holdings.values()) {
            if (h.quantity().signum() < 0) {
                total = total.add(mark.apply(h.instrument().tradedSymbol()).multiply(h.quantity().negate())
                        .multiply(h.instrument().multiplier()));
            }
        }
        return total;
    }

    List<Position> positions() {
        List<Position> out = new ArrayList<>();
        for (Holding h : holdings.values()) {
            out.add(new Position(h.instrument().tradedSymbol(), h.quantity(),
                    new Money(h.costBasis().setScale(2, RoundingMode.HALF_EVEN)), h.acquiredAt()));
        }
        return out;
    }
}
