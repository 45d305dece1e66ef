package io.papertrading.app.web;

import io.papertrading.kernel.error.FieldError;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class QueryTextFilterTest {

    @ParameterizedTest
    @CsvSource({"strategy=a%00b, strategy", "symbol=A%0A, symbol", "to=%09, to", "a=%C2%85, a", "x=%FF, x",
            "size=%, query", "s=%zz, query", "%00=1, query"})
    void refusesControlCharactersAndBrokenEscapesNamingTheParameter(String query, String field) {
        FieldError refusal = QueryTextFilter.refusal(query);
        assertThat(refusal).isNotNull();
        assertThat(refusal.field()).isEqualTo(field);
    }

    @ParameterizedTest
    @ValueSource(strings = {"status=OPEN,CLOSED&symbol=AAPL", "asOf=2026-02-19T14:30:00Z", "strategy=caf%C3%A9+%F0%9F%93%88",
            "flag", "a=&b=", ""})
    void acceptsOrdinaryQueries(String query) {
        assertThat(QueryTextFilter.refusal(query)).isNull();
    }

    @ParameterizedTest
    @ValueSource(ints = {33, 100})
    void refusesTooManyParameters(int count) {
        assertThat(QueryTextFilter.refusal("a=1&".repeat(count - 1) + "a=1")).isNotNull();
    }
}
