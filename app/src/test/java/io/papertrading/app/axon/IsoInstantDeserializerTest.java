package io.papertrading.app.axon;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IsoInstantDeserializerTest {

    private static final ObjectMapper STORAGE = AxonConfiguration.storageMapper();
    private static final ObjectMapper JACKSON = JsonMapper.builder().addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();

    record Stamped(Instant at) {
    }

    @Test
    void readsWhatTheStorageMapperWritesAsJacksonDoes() throws Exception {
        Random random = new Random(11);
        for (int i = 0; i < 20_000; i++) {
            long seconds = random.nextLong(Instant.parse("1000-01-01T00:00:00Z").getEpochSecond(),
                    Instant.parse("9999-12-31T23:59:59Z").getEpochSecond());
            int nanos = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1000;
                default -> random.nextInt(1_000_000_000);
            };
            String json = STORAGE.writeValueAsString(new Stamped(Instant.ofEpochSecond(seconds, nanos)));
            assertThat(STORAGE.readValue(json, Stamped.class)).as(json).isEqualTo(JACKSON.readValue(json, Stamped.class));
        }
    }

    @Test
    void leavesEveryOtherFormToJackson() throws Exception {
        for (String value : List.of("\"2026-03-02T14:30:00.5Z\"", "\"2026-03-02T14:30:00+01:00\"",
                "\"2026-03-02T23:59:60Z\"", "1772461800", "1772461800.123456789", "\"+12026-03-02T14:30:00Z\"",
                "\"2026-03-02T14:30:00.1234567890Z\"")) {
            String json = "{\"at\":" + value + "}";
            Object expected;
            try {
                expected = JACKSON.readValue(json, Stamped.class);
            } catch (Exception e) {
                expected = e.getClass();
            }
            Object actual;
            try {
                actual = STORAGE.readValue(json, Stamped.class);
            } catch (Exception e) {
                actual = e.getClass();
            }
            assertThat(actual).as(value).isEqualTo(expected);
        }
    }

    @Test
    void refusesWhatJacksonRefuses() {
        assertThatThrownBy(() -> STORAGE.readValue("{\"at\":\"2026-02-30T14:30:00Z\"}", Stamped.class))
                .isInstanceOf(com.fasterxml.jackson.databind.JsonMappingException.class);
        assertThat(IsoInstantDeserializer.parse("2026-02-30T14:30:00Z")).isNull();
        assertThat(IsoInstantDeserializer.parse("2026-03-02T14:30:00.Z")).isNull();
        assertThat(IsoInstantDeserializer.parse("2026-03-02T24:00:00Z")).isNull();
    }
}
