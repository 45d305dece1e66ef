package io.papertrading.app.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.mock.http.MockHttpInputMessage;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The strict reader and the refusals it produces, as plain objects: each names the field and what it must be. */
class StrictJsonTest {

    record Order(String side, Integer quantity, BigDecimal limitPrice, String notes, List<String> roles, Boolean flag) {
    }

    private final ObjectMapper strict = StrictJsonConfiguration.strict(JsonMapper.builder().build());

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "{\"quantity\":1.5}                         | quantity   | an integer",
            "{\"quantity\":\"5\"}                       | quantity   | an integer",
            "{\"quantity\":true}                        | quantity   | an integer",
            "{\"quantity\":99999999999}                 | quantity   | ",
            "{\"limitPrice\":\"2.15\"}                  | limitPrice | a number",
            "{\"notes\":5}                              | notes      | a string",
            "{\"notes\":\"a\\u0000b\"}                  | notes      | control characters",
            "{\"notes\":\"\\ud800\"}                    | notes      | control characters",
            "{\"roles\":[\"admin\",\"\\u0007\"]}        | roles[1]   | control characters",
            "{\"flag\":\"true\"}                        | flag       | true or false",
            "{\"quantity\":1,\"quantity\":2}            | quantity   | more than once",
            "{\"username\":\"bob\"}                     | username   | unknown field",
            "{\"side\":\"BUY\"} {\"side\":\"SELL\"}     | body       | ",
            "{\"side\":                                 | body       | not valid JSON",
            "[]                                         | body       | a JSON object"})
    void refusesWithTheFieldNamed(String body, String field, String message) {
        ProblemDetail problem = refusal(body);
        Map<?, ?> error = (Map<?, ?>) ((List<?>) problem.getProperties().get("errors")).get(0);
        assertThat(error.get("field")).isEqualTo(field);
        if (message != null) {
            assertThat((String) error.get("message")).contains(message);
        }
        assertThat(problem.getStatus()).isEqualTo(400);
    }

    @Test
    void refusesNestingDeeperThanAnyRequestNeeds() {
        String deep = "{\"roles\":" + "[".repeat(40) + "]".repeat(40) + "}";
        assertThat(refusal(deep).getStatus()).isEqualTo(400);
    }

    @Test
    void readsAValidBodyWithLineBreaksAndEmoji() throws Exception {
        Order order = strict.readValue("{\"side\":\"BUY\",\"quantity\":2,\"limitPrice\":2.15,\"notes\":\"a\\n\\tb \\uD83D\\uDCC8\"}",
                Order.class);
        assertThat(order.quantity()).isEqualTo(2);
        assertThat(order.limitPrice()).isEqualByComparingTo("2.15");
        assertThat(order.notes()).isEqualTo("a\n\tb \uD83D\uDCC8");
    }

    private ProblemDetail refusal(String body) {
        Exception cause = catchThrowableOfType(Exception.class, () -> strict.readValue(body, Order.class));
        assertThat(cause).as("refused: %s", body).isNotNull();
        return JsonRefusals.problem(new HttpMessageNotReadableException("unreadable", cause,
                new MockHttpInputMessage(body.getBytes(StandardCharsets.UTF_8))));
    }
}
