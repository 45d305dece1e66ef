package io.papertrading.query.trade;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.papertrading.kernel.instrument.OptionType;
import io.papertrading.kernel.trade.CloseReason;
import io.papertrading.kernel.trade.OrderType;
import io.papertrading.kernel.trade.Side;
import io.papertrading.kernel.trade.TradeStatus;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.Map;

/** Reads {@code paper_trades} rows into {@link TradeView}s and {@link TradeRow}s, and writes the trade context. */
final class TradeRows {

    /** The columns a {@link TradeView} is read from. */
    static final String VIEW_COLUMNS = """
            id, username, symbol, option_symbol, option_type, strike, expiry, side, quantity, filled_quantity,
            order_type, limit_price, entry_price, exit_price, stop_loss, take_profit, status, close_reason,
            realized_pnl, unrealized_pnl, last_price, mfe, mae, strategy, notes, broker, broker_order_id,
            idempotency_key, version, created_at, opened_at, closed_at, updated_at, trade_context""";
    /** The columns a {@link TradeRow} is read from. */
    static final String ROW_COLUMNS = VIEW_COLUMNS + ", exit_order_id, request_hash";

    /**
     * The context column's own JSON mapping (not the web's, so an API setting never changes stored rows):
     * numbers stay exact both ways, and are written plainly as PostgreSQL writes them.
     */
    private static final JsonMapper CONTEXT_JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
            .build();
    private static final ObjectReader CONTEXT_READER = CONTEXT_JSON.readerFor(Map.class);
    private static final ObjectWriter CONTEXT_WRITER = CONTEXT_JSON.writer();
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private TradeRows() {
    }

    /** The trade with its full row, as the projection folds it. */
    static TradeRow row(ResultSet rs) throws SQLException {
        TradeView trade = view(rs, CONTEXT_READER);
        return new TradeRow(trade, rs.getString("exit_order_id"), rs.getString("request_hash"),
                TradeRow.multiplierOf(trade.symbol(), trade.optionSymbol()));
    }

    /** The trade as the API shows it; {@code contextReader} reads the JSON context into a map. */
    static TradeView view(ResultSet rs, ObjectReader contextReader) throws SQLException {
        return new TradeView(
                rs.getString("id"),
                rs.getString("username"),
                rs.getString("symbol"),
                rs.getString("option_symbol"),
                parse(OptionType.class, rs.getString("option_type")),
                rs.getBigDecimal("strike"),
                rs.getObject("expiry", LocalDate.class),
                parse(Side.class, rs.getString("side")),
                rs.getInt("quantity"),
                rs.getInt("filled_quantity"),
                parse(OrderType.class, rs.getString("order_type")),
                rs.getBigDecimal("limit_price"),
                rs.getBigDecimal("entry_price"),
                rs.getBigDecimal("exit_price"),
                rs.getBigDecimal("stop_loss"),
                rs.getBigDecimal("take_profit"),
                parse(TradeStatus.class, rs.getString("status")),
                parse(CloseReason.class, rs.getString("close_reason")),
                rs.getBigDecimal("realized_pnl"),
                rs.getBigDecimal("unrealized_pnl"),
                rs.getBigDecimal("last_price"),
                rs.getBigDecimal("mfe"),
                rs.getBigDecimal("mae"),
                rs.getString("strategy"),
                rs.getString("notes"),
                rs.getString("broker"),
                rs.getString("broker_order_id"),
                rs.getString("idempotency_key"),
                rs.getLong("version"),
                instant(rs, "created_at"),
                instant(rs, "opened_at"),
                instant(rs, "closed_at"),
                instant(rs, "updated_at"),
                context(contextReader, rs.getString("trade_context")));
    }

    /** One {@code price_snapshots} row. */
    static SnapshotView snapshot(ResultSet rs) throws SQLException {
        return new SnapshotView(instant(rs, "at"), rs.getBigDecimal("bid"), rs.getBigDecimal("ask"),
                rs.getBigDecimal("last"), rs.getBigDecimal("mark"), rs.getBigDecimal("underlying_price"),
                rs.getBigDecimal("iv"), rs.getBigDecimal("delta"), rs.getBigDecimal("unrealized_pnl"),
                rs.getBigDecimal("mfe"), rs.getBigDecimal("mae"));
    }

    /**
     * The context as JSON text for the jsonb column. The values a context holds (text, exact numbers, integers,
     * booleans, nulls) are written here as the context's mapper writes them, character for character: that mapper
     * cost more than the rest of a rebuilt row; anything else goes to the mapper.
     */
    static String contextJson(Map<String, Object> context) {
        if (context.isEmpty()) {
            return "{}";
        }
        StringBuilder json = new StringBuilder(32 * context.size()).append('{');
        for (Map.Entry<String, Object> e : context.entrySet()) {
            if (json.length() > 1) {
                json.append(',');
            }
            if (e.getKey() == null) {
                return mapped(context);
            }
            quote(json, e.getKey());
            json.append(':');
            Object value = e.getValue();
            if (value == null) {
                json.append("null");
            } else if (value instanceof String text) {
                quote(json, text);
            } else if (value instanceof BigDecimal number) {
                json.append(number.toPlainString());
            } else if (value instanceof Integer || value instanceof Long || value instanceof BigInteger
                    || value instanceof Boolean) {
                json.append(value);
            } else {
                return mapped(context);
            }
        }
        return json.append('}').toString();
    }

    private static String mapped(Map<String, Object> context) {
        try {
            return CONTEXT_WRITER.writeValueAsString(context);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("trade context not writable as JSON", e);
        }
    }

    /** A JSON string as Jackson escapes it: quote, backslash and control characters; the rest as it is. */
    private static void quote(StringBuilder json, String text) {
        json.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\b' -> json.append("\\b");
                case '\f' -> json.append("\\f");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (c < 0x20) {
                        json.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        json.append('"');
    }

    private static Map<String, Object> context(ObjectReader reader, String json) {
        if (json == null) {
            return Map.of();
        }
        try {
            return reader.readValue(json);
        } catch (JsonProcessingException e) {
            // the column is jsonb, so this cannot happen short of a driver fault; never echo the content
            throw new IllegalStateException("unreadable trade context", e);
        }
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    static <E extends Enum<E>> E parse(Class<E> type, String value) {
        return value == null ? null : Enum.valueOf(type, value);
    }
}
