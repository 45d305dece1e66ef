package io.papertrading.query.admin;

import io.papertrading.query.QueryNode;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.SimpleSerializedObject;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import java.util.List;
import java.util.OptionalLong;

/**
 * How far a processor has got on every node: the tokens stored for its segments, read without claiming them
 * (Axon's token store claims what it fetches). For a node that claims none of the segments itself, where its own
 * processor knows no position.
 */
@QueryNode
@Component
class StoredPositions {

    private final JdbcTemplate jdbc;
    private final Serializer serializer;

    /** {@code jdbc} is the engine's; {@code serializer} is the one the token store writes with. */
    StoredPositions(JdbcTemplate jdbc, Serializer serializer) {
        this.jdbc = jdbc;
        this.serializer = serializer;
    }

    /** The slowest stored segment of {@code processor} (a segment with no token counts as 0); empty when none is stored. */
    OptionalLong slowest(String processor) {
        List<Long> positions = jdbc.query("select token, token_type from token_entry where processor_name = ?",
                (rs, n) -> {
                    byte[] token = rs.getBytes(1);
                    String type = rs.getString(2);
                    if (token == null || type == null) {
                        return 0L;
                    }
                    TrackingToken stored = serializer.deserialize(
                            new SimpleSerializedObject<>(token, byte[].class, type, null));
                    return ProcessorProgress.position(stored);
                }, processor);
        return positions.stream().mapToLong(Long::longValue).min();
    }
}
