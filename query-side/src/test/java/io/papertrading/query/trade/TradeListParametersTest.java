package io.papertrading.query.trade;

import io.papertrading.kernel.error.FieldError;
import io.papertrading.kernel.error.ValidationFailedException;
import io.papertrading.kernel.trade.TradeStatus;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TradeListParametersTest {

    @Test
    void noParametersMeansTheFirstPageOfFiftyUnfiltered() {
        FindTradesQuery q = TradeListParameters.parse("alice", null, null, null, null, null, null, null);

        assertThat(q).isEqualTo(new FindTradesQuery("alice", null, null, null, null, null, 0, 50));
    }

    @Test
    void parsesEveryFilter() {
        FindTradesQuery q = TradeListParameters.parse("alice", List.of("OPEN,PENDING", " CLOSED "), "aapl", " momentum ",
                "2026-01-01", "2026-12-31", "2", "500");

        assertThat(q.statuses()).containsExactlyInAnyOrder(TradeStatus.OPEN, TradeStatus.PENDING, TradeStatus.CLOSED);
        assertThat(q.symbol()).isEqualTo("AAPL");
        assertThat(q.strategy()).isEqualTo("momentum");
        assertThat(q.from()).isEqualTo(LocalDate.of(2026, 1, 1));
        assertThat(q.to()).isEqualTo(LocalDate.of(2026, 12, 31));
        assertThat(q.page()).isEqualTo(2);
        assertThat(q.size()).isEqualTo(500);
    }

    @Test
    void refusesStatusesInAnotherCaseAndLookAlikeSymbols() {
        assertThatThrownBy(() -> TradeListParameters.parse("alice", List.of("pending"), null, null, null, null, null, null))
                .isInstanceOf(ValidationFailedException.class);
        // U+017F upper-cases to S under Unicode rules: it must not find trades of symbol S
        assertThatThrownBy(() -> TradeListParameters.parse("alice", List.of(), "\u017F", null, null, null, null, null))
                .isInstanceOf(ValidationFailedException.class);
        assertThatThrownBy(() -> TradeListParameters.parse("alice", List.of(), null, null, "1969-12-31", null, null, null))
                .isInstanceOf(ValidationFailedException.class);
    }

    @Test
    void reportsEveryInvalidParameterAtOnceWithoutEchoingIt() {
        assertThatThrownBy(() -> TradeListParameters.parse("alice", List.of("OPEN,BOGUS"), "AAPL'; --", "x".repeat(65),
                "yesterday", "2026-13-01", "-1", "501"))
                .isInstanceOfSatisfying(ValidationFailedException.class, e -> {
                    assertThat(e.errors()).extracting(FieldError::field)
                            .containsExactly("status", "symbol", "strategy", "from", "to", "page", "size");
                    assertThat(e.errors()).extracting(FieldError::message)
                            .noneMatch(m -> m.contains("BOGUS") || m.contains("--") || m.contains("yesterday"));
                });
    }

    @Test
    void refusesARangeThatEndsBeforeItStarts() {
        assertThatThrownBy(() -> TradeListParameters.parse("alice", null, null, null, "2026-02-01", "2026-01-31", null, null))
                .isInstanceOfSatisfying(ValidationFailedException.class,
                        e -> assertThat(e.errors()).extracting(FieldError::field).containsExactly("to"));
    }

    @Test
    void refusesAZeroSizeAndANonNumericPage() {
        assertThatThrownBy(() -> TradeListParameters.parse("alice", null, null, null, null, null, "two", "0"))
                .isInstanceOfSatisfying(ValidationFailedException.class,
                        e -> assertThat(e.errors()).extracting(FieldError::field).containsExactly("page", "size"));
    }

    @Test
    void minVersionIsAbsentOrAPositiveInteger() {
        assertThat(TradeListParameters.minVersion(null)).isZero();
        assertThat(TradeListParameters.minVersion("3")).isEqualTo(3);
        for (String bad : new String[]{"0", "-2", "three", "1.5"}) {
            assertThatThrownBy(() -> TradeListParameters.minVersion(bad)).as(bad)
                    .isInstanceOf(ValidationFailedException.class);
        }
    }
}
