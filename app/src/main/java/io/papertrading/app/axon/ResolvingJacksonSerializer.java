package io.papertrading.app.axon;

import com.fasterxml.jackson.databind.ObjectReader;
import org.axonframework.serialization.SerializedType;
import org.axonframework.serialization.UnknownSerializedType;
import org.axonframework.serialization.json.JacksonSerializer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Axon's JSON serializer, remembering what it resolves for every message it reads: the class a stored type name
 * stands for, and the reader of that class. Axon's own asks the class loader by name ({@code Class.forName}) and
 * builds a new reader on every payload and every saga it deserializes: 3% of the execution saga thread's CPU under
 * load (profiled); every processor reads through the same path. The stored format is unchanged.
 *
 * <p>Only classes found are remembered (a name no class answers stays {@link UnknownSerializedType}, asked again
 * next time; the empty type is Axon's to answer), and at most {@link #REMEMBERED} of each: the names come from the
 * event store, whose types are few.
 */
final class ResolvingJacksonSerializer extends JacksonSerializer {

    static final int REMEMBERED = 1024;

    private final Map<String, Class<?>> classes = new ConcurrentHashMap<>();
    private final Map<Class<?>, ObjectReader> readers = new ConcurrentHashMap<>();

    ResolvingJacksonSerializer(Builder builder) {
        super(builder);
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Class classForType(SerializedType type) {
        return remembered(classes, type.getName(), name -> super.classForType(type),
                found -> found != UnknownSerializedType.class && found != Void.class);
    }

    @Override
    protected ObjectReader getReader(Class<?> type) {
        return remembered(readers, type, super::getReader, reader -> true);
    }

    /** What {@code resolve} answers for {@code key}, kept when {@code keep} says so and there is room. */
    private static <K, V> V remembered(Map<K, V> known, K key, Function<K, V> resolve, Predicate<V> keep) {
        V value = known.get(key);
        if (value == null) {
            value = resolve.apply(key);
            if (keep.test(value) && known.size() < REMEMBERED) {
                known.put(key, value);
            }
        }
        return value;
    }
}
