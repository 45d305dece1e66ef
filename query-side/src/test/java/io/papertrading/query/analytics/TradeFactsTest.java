package io.papertrading.query.analytics;

import io.papertrading.kernel.money.Money;
import io.papertrading.kernel.trade.CloseReason;
import io.papertrading.kernel.trade.TradeId;
import io.papertrading.kernel.trade.TradeOrder;
import io.papertrading.kernel.trade.TradeStatus;
import io.papertrading.kernel.trade.event.CloseRequestedEvent;
import io.papertrading.kernel.trade.event.PositionReducedEvent;
import io.papertrading.kernel.trade.event.PriceObservedEvent;
import io.papertrading.kernel.trade.event.TradeClosedEvent;
import io.papertrading.kernel.trade.event.TradeEvent;
import io.papertrading.kernel.trade.event.TradeExpiredEvent;
import io.papertrading.kernel.trade.event.TradeOpenedEvent;
import io.papertrading.kernel.trade.event.TradePlacedEvent;
import io.papertrading.query.trade.TradeFold;
import io.papertrading.query.trade.TradeRow;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.LocalDate;

import static org.assertj.core.api.Assertions.assertThat;

/** What analytics counts of a folded trade, for the live projection and the portfolio at a past time alike. */
class TradeFactsTest {

    private static final Instant T0 = Instant.parse("2026-03-02T14:30:00Z");
    private static final TradeId ID = new TradeId("t-1");

    private static TradeRow option(TradeEvent... events) {
        TradeOrder order = TradeOrder.validated("SPY", "SPY300621P00400000", "BUY", 2, "MARKET", null, null, null,
                "hedge", null, LocalDate.of(2026, 1, 2));
        TradeRow row = TradeFold.evolve(null, new TradePlacedEvent(ID, "alice", order, "k", "h", T0), 0);
        for (TradeEvent e : events) {
            row = TradeFold.evolve(row, e, row.trade().version());
        }
        return row;
    }

    private static Money m(String amount) {
        return Money.of(amount);
    }

    @Test
    void anOptionThatExpiredUnfilledRealizedNothingAndCountsNowhere() {
        TradeRow unfilled = option(new TradeExpiredEvent(ID, m("397.5"), m("2.5"), 0, Money.ZERO, T0.plusSeconds(60)));

        TradeFacts facts = TradeFacts.of(unfilled);
        StrategyTally tally = AnalyticsQueries.tally(unfilled);

        assertThat(unfilled.trade().realizedPnl()).as("the trade row shows the event's zero").isEqualByComparingTo("0");
        assertThat(facts.realizedPnl()).isNull();
        assertThat(facts.closed()).isFalse();
        assertThat(tally.closedTrades()).isZero();
        assertThat(tally.openTrades()).isZero();
    }

    @Test
    void anExpiryHoldingAPositionCountsOnItsNewYorkDate() {
        TradeRow expired = option(new TradeOpenedEvent(ID, 2, m("5"), "filled", T0.plusSeconds(1)),
                new TradeExpiredEvent(ID, m("397.5"), m("2.5"), 2, m("-500"), Instant.parse("2026-03-21T01:00:00Z")));

        TradeFacts facts = TradeFacts.of(expired);

        assertThat(facts.realizedPnl()).isEqualByComparingTo("-500");
        assertThat(facts.closeDate()).isEqualTo(LocalDate.of(2026, 3, 20));
        assertThat(facts.unrealizedPnl()).isNull();
        assertThat(AnalyticsQueries.tally(expired).losses()).isEqualTo(1);
    }

    @Test
    void aLiveTradeIsOpenWithItsUnrealizedPnlAndHoldsWhatPartialExitsLeft() {
        TradeRow live = TradeFold.observe(option(new TradeOpenedEvent(ID, 2, m("5"), "filled", T0.plusSeconds(1)),
                        new CloseRequestedEvent(ID, CloseReason.MANUAL, "alice", T0.plusSeconds(2)),
                        new PositionReducedEvent(ID, 1, m("6"), m("100"), 1, "1 of 2", T0.plusSeconds(3))),
                new PriceObservedEvent(ID, "alice", null, null, null, m("5.5"), null, null, null, T0.plusSeconds(4)));

        TradeFacts facts = TradeFacts.of(live);

        assertThat(facts.status()).isEqualTo(TradeStatus.CLOSING);
        assertThat(facts.heldQuantity()).isEqualTo(1);
        assertThat(facts.realizedPnl()).as("the part sold counts once the trade ends").isNull();
        assertThat(facts.unrealizedPnl()).as("1 contract × 0.5 × 100").isEqualByComparingTo("50");
        assertThat(AnalyticsQueries.tally(live).openTrades()).isEqualTo(1);
    }

    @Test
    void aClosedTradeCountsItsTotal() {
        TradeRow closed = option(new TradeOpenedEvent(ID, 2, m("5"), "filled", T0.plusSeconds(1)),
                new TradeClosedEvent(ID, CloseReason.MANUAL, 2, m("6"), m("200"), T0.plusSeconds(2)));

        assertThat(TradeFacts.of(closed).realizedPnl()).isEqualByComparingTo("200");
        assertThat(AnalyticsQueries.tally(closed).wins()).isEqualTo(1);
    }
}
