package io.papertrading.command.execution;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.papertrading.kernel.instrument.Instrument;
import io.papertrading.kernel.instrument.OptionSymbol;
import io.papertrading.kernel.money.Money;
import io.papertrading.kernel.trade.OrderType;
import io.papertrading.kernel.trade.Side;
import io.papertrading.kernel.trade.TradeOrder;
import org.axonframework.serialization.SerializedObject;
import org.axonframework.serialization.json.JacksonSerializer;
import org.junit.jupiter.api.Test;

import java.beans.Introspector;
import java.beans.PropertyDescriptor;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The saga store keeps sagas as Jackson JSON: every stored field must survive (STACK.md trap 4). */
class TradeExecutionSagaSerializationTest {

    @Test
    void everyStoredFieldHasAGetterAndASetter() throws Exception {
        Map<String, PropertyDescriptor> properties = Arrays.stream(
                        Introspector.getBeanInfo(TradeExecutionSaga.class).getPropertyDescriptors())
                .collect(Collectors.toMap(PropertyDescriptor::getName, Function.identity()));
        for (Field field : TradeExecutionSaga.class.getDeclaredFields()) {
            int m = field.getModifiers();
            if (Modifier.isStatic(m) || Modifier.isTransient(m)) {
                continue;
            }
            PropertyDescriptor p = properties.get(field.getName());
            assertThat(p).as(field.getName()).isNotNull();
            assertThat(p.getReadMethod()).as("getter of " + field.getName()).isNotNull();
            assertThat(p.getWriteMethod()).as("setter of " + field.getName()).isNotNull();
        }
    }

    @Test
    void aSagaInMidFlightSurvivesTheJacksonRoundTrip() throws Exception {
        // configured like the app's saga serializer: its own mapper, default typing
        JacksonSerializer serializer = JacksonSerializer.builder().objectMapper(JsonMapper.builder()
                .addModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .build()).defaultTyping().build();
        TradeExecutionSaga saga = new TradeExecutionSaga();
        saga.setTradeId("t-1");
        saga.setUsername("alice");
        saga.setOrder(new TradeOrder(Instrument.option(OptionSymbol.parse("AAPL300621C00260000")), Side.BUY, 2,
                OrderType.LIMIT, Money.of("2.15"), Money.of("1.50"), Money.of("3.20"), "momentum", "notes"));
        saga.setPhase(TradeExecutionSaga.Phase.EXIT);
        saga.setStopLoss(Money.of("1.5"));
        saga.setTakeProfit(Money.of("3.2"));
        saga.setFilledQuantity(2);
        saga.setPosition(2);
        saga.setAccountKey("tradier:sandbox:VA000001");
        saga.setBrokerName("TRADIER");
        saga.setEntryLive(true);
        saga.setEntryOrderId("101");
        saga.setBracketTag("t-1-b2");
        saga.setBracketOrderId("102");
        saga.setBracketAttempts(2);
        saga.setExitTag("t-1-x1");
        saga.setExitOrderId("103");
        saga.setExitAttempts(1);
        saga.setBracketWithdrawing(true);
        saga.setWithdrawalDeadlineId("w");
        saga.setExpiryDeadlineId("e");
        saga.setExpiryRetryMillis(4000);

        SerializedObject<byte[]> stored = serializer.serialize(saga, byte[].class);
        TradeExecutionSaga back = serializer.deserialize(stored);

        assertThat(back).usingRecursiveComparison().isEqualTo(saga);
    }
}
