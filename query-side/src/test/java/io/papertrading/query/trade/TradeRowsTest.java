package io.papertrading.query.trade;

import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class TradeRowsTest {

    /** What the context column was written with before: the context's own mapper. */
    private static final JsonMapper MAPPER = JsonMapper.builder().enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN).build();

    @Test
    void writesTheContextAsItsMapperDoesCharacterForCharacter() throws Exception {
        Random random = new Random(7);
        List<Object> values = List.of(new BigDecimal("-12.3400"), new BigDecimal("1E+5"), new BigDecimal("0.00001"),
                42, 7_000_000_000L, new BigInteger("123456789012345678901234567890"), true, false,
                "plain", "quote \" backslash \\ slash /", "tab\tnew\nline\rback\bfeed\f", "nul \u0000 unit \u001f del \u007f",
                "— ☃ \uD83D\uDE00 \u2028", "");
        for (int n = 0; n < 500; n++) {
            Map<String, Object> context = new LinkedHashMap<>();
            int size = random.nextInt(6);
            for (int i = 0; i < size; i++) {
                context.put(i % 2 == 0 ? "k" + i : "key \"" + i + "\"\n", random.nextInt(10) == 0 ? null
                        : values.get(random.nextInt(values.size())));
            }
            assertThat(TradeRows.contextJson(context)).isEqualTo(MAPPER.writeValueAsString(context));
        }
    }

    @Test
    void leavesOtherValuesToTheMapper() throws Exception {
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("list", List.of(1, "two"));
        nested.put("map", Map.of("a", new BigDecimal("1.50")));
        nested.put("double", 1.5d);
        assertThat(TradeRows.contextJson(nested)).isEqualTo(MAPPER.writeValueAsString(nested));
    }
}
