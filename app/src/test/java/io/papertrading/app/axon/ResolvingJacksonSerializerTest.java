package io.papertrading.app.axon;

import org.axonframework.serialization.SerializedObject;
import org.axonframework.serialization.SerializedType;
import org.axonframework.serialization.SimpleSerializedObject;
import org.axonframework.serialization.SimpleSerializedType;
import org.axonframework.serialization.UnknownSerializedType;
import org.axonframework.serialization.json.JacksonSerializer;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ResolvingJacksonSerializerTest {

    private final ResolvingJacksonSerializer serializer =
            new ResolvingJacksonSerializer(JacksonSerializer.builder().objectMapper(AxonConfiguration.storageMapper()));
    private final JacksonSerializer axons = JacksonSerializer.builder().objectMapper(AxonConfiguration.storageMapper()).build();

    record Filled(String tradeId, BigDecimal price, Instant at) {
    }

    record Noted(String tradeId, String text) {
    }

    @Test
    void readsEachTypeAsItsOwnWhateverWasReadBefore() {
        List<Object> written = List.of(new Filled("t-1", new BigDecimal("2.15"), Instant.parse("2026-06-19T14:30:00Z")),
                new Noted("t-1", "earnings run-up"), new Filled("t-2", new BigDecimal("0.05"), Instant.EPOCH),
                new Noted("t-2", "second"));
        for (int round = 0; round < 3; round++) { // the first round resolves, the later ones remember
            for (Object payload : written) {
                SerializedObject<byte[]> stored = serializer.serialize(payload, byte[].class);
                Object read = serializer.deserialize(stored);
                assertThat(read).isEqualTo(payload).isEqualTo(axons.deserialize(stored));
            }
        }
    }

    @Test
    void answersTypesAsAxonsSerializerDoes() {
        for (SerializedType type : List.<SerializedType>of(new SimpleSerializedType(Filled.class.getName(), null),
                new SimpleSerializedType(Noted.class.getName(), "1"), new SimpleSerializedType("no.such.Type", null),
                SimpleSerializedType.emptyType(), new SimpleSerializedType("empty", "1"))) {
            for (int round = 0; round < 2; round++) {
                assertThat(serializer.classForType(type)).as(type.toString()).isEqualTo(axons.classForType(type));
            }
        }
        assertThat(serializer.classForType(new SimpleSerializedType("no.such.Type", null)))
                .isEqualTo(UnknownSerializedType.class);
        assertThat(serializer.classForType(SimpleSerializedType.emptyType())).isEqualTo(Void.class);
    }

    @Test
    void keepsAnUnknownPayloadUnknown() {
        SerializedObject<byte[]> stored = new SimpleSerializedObject<>("{\"a\":1}".getBytes(), byte[].class,
                "no.such.Type", null);
        Object read = serializer.deserialize(stored);
        assertThat(read).isInstanceOf(UnknownSerializedType.class);
    }
}
