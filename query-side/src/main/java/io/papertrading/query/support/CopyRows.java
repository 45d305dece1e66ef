package io.papertrading.query.support;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.Arrays;

/**
 * Rows in PostgreSQL's COPY text format, for bulk loads: values separated by tabs, rows ended by a newline,
 * {@code \N} for null, backslash escapes for the characters that would break the format. Values are written as
 * PostgreSQL reads them back exactly: numbers in plain notation (the column's scale rounds them, as it rounds a
 * bound parameter), times in UTC to the microsecond (the caller rounds, as the JDBC driver does).
 */
public final class CopyRows {

    private static final DateTimeFormatter TIME = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd HH:mm:ss").appendFraction(ChronoField.MICRO_OF_SECOND, 6, 6, true)
            .appendLiteral("+00").toFormatter().withZone(ZoneOffset.UTC);

    private byte[] bytes = new byte[1 << 16];
    private int length;
    private boolean rowStarted;

    /** The bytes written so far. */
    public byte[] bytes() {
        return bytes;
    }

    /** How many bytes were written so far. */
    public int length() {
        return length;
    }

    public CopyRows text(String value) {
        separate();
        if (value == null) {
            return nullValue();
        }
        int n = value.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c >= 0x80 || c == '\\' || c == '\t' || c == '\n' || c == '\r') {
                // the rest with escapes and UTF-8 (a surrogate pair must not be split)
                utf8(value.substring(i));
                return this;
            }
            bytes[length++] = (byte) c;
        }
        return this;
    }

    public CopyRows number(BigDecimal value) {
        return value == null ? nullField() : plain(value.toPlainString());
    }

    public CopyRows number(long value) {
        return plain(Long.toString(value));
    }

    public CopyRows date(LocalDate value) {
        return value == null ? nullField() : plain(value.toString());
    }

    /** A timestamptz in UTC, to the microsecond (truncated: the caller rounds as it needs). */
    public CopyRows time(Instant value) {
        if (value == null) {
            return nullField();
        }
        LocalDateTime t = LocalDateTime.ofEpochSecond(value.getEpochSecond(), value.getNano(), ZoneOffset.UTC);
        if (t.getYear() < 1000 || t.getYear() > 9999) {
            return plain(TIME.format(value));
        }
        separate();
        ensure(30);
        digits(t.getYear(), 4);
        bytes[length++] = '-';
        digits(t.getMonthValue(), 2);
        bytes[length++] = '-';
        digits(t.getDayOfMonth(), 2);
        bytes[length++] = ' ';
        digits(t.getHour(), 2);
        bytes[length++] = ':';
        digits(t.getMinute(), 2);
        bytes[length++] = ':';
        digits(t.getSecond(), 2);
        bytes[length++] = '.';
        digits(t.getNano() / 1000, 6);
        bytes[length++] = '+';
        bytes[length++] = '0';
        bytes[length++] = '0';
        return this;
    }

    private void digits(int value, int width) {
        for (int i = length + width - 1; i >= length; i--) {
            bytes[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
        length += width;
    }

    public CopyRows nullField() {
        separate();
        return nullValue();
    }

    /** Ends the current row. */
    public CopyRows endRow() {
        ensure(1);
        bytes[length++] = '\n';
        rowStarted = false;
        return this;
    }

    /** Forgets everything written, keeping the buffer. */
    public void clear() {
        length = 0;
        rowStarted = false;
    }

    private CopyRows plain(String ascii) {
        separate();
        ensure(ascii.length());
        for (int i = 0; i < ascii.length(); i++) {
            bytes[length++] = (byte) ascii.charAt(i);
        }
        return this;
    }

    private CopyRows nullValue() {
        ascii('\\', 'N');
        return this;
    }

    private void separate() {
        if (rowStarted) {
            ensure(1);
            bytes[length++] = '\t';
        }
        rowStarted = true;
    }

    private void ascii(char a, char b) {
        ensure(2);
        bytes[length++] = (byte) a;
        bytes[length++] = (byte) b;
    }

    /** Non-ASCII text: its UTF-8 bytes, with the format's escapes. */
    private void utf8(String value) {
        byte[] encoded = value.getBytes(StandardCharsets.UTF_8);
        ensure(encoded.length * 2);
        for (byte b : encoded) {
            switch (b) {
                case '\\' -> ascii('\\', '\\');
                case '\t' -> ascii('\\', 't');
                case '\n' -> ascii('\\', 'n');
                case '\r' -> ascii('\\', 'r');
                default -> bytes[length++] = b;
            }
        }
    }

    private void ensure(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
        }
    }
}
