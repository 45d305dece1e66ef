package io.papertrading.query.support;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;

import static org.assertj.core.api.Assertions.assertThat;

class CopyRowsTest {

    private static String text(CopyRows rows) {
        return new String(rows.bytes(), 0, rows.length(), StandardCharsets.UTF_8);
    }

    @Test
    void writesTabSeparatedRowsWithNullsAndPlainNumbers() {
        CopyRows rows = new CopyRows();
        rows.text("a").nullField().number(new BigDecimal("1E+3")).number(new BigDecimal("-0.00050")).number(42L)
                .date(LocalDate.of(2026, 6, 19)).text(null).endRow();
        rows.text("b").endRow();
        assertThat(text(rows)).isEqualTo("a\t\\N\t1000\t-0.00050\t42\t2026-06-19\t\\N\nb\n");
    }

    @Test
    void escapesWhatWouldBreakTheFormatAndKeepsUnicode() {
        CopyRows rows = new CopyRows();
        rows.text("tab\there\\ new\nline\r— ☃ \uD83D\uDE00 and \\ again\t").endRow();
        assertThat(text(rows)).isEqualTo("tab\\there\\\\ new\\nline\\r— ☃ \uD83D\uDE00 and \\\\ again\\t\n");
    }

    @Test
    void writesTimesInUtcToTheMicrosecond() {
        CopyRows rows = new CopyRows();
        rows.time(Instant.parse("2026-03-02T14:30:00Z")).time(Instant.parse("1999-12-31T23:59:59.123456789Z"))
                .time(null).endRow();
        assertThat(text(rows)).isEqualTo("2026-03-02 14:30:00.000000+00\t1999-12-31 23:59:59.123456+00\t\\N\n");
    }

    @Test
    void growsPastItsFirstBuffer() {
        CopyRows rows = new CopyRows();
        String long1 = "x".repeat(100_000);
        rows.text(long1).text("é".repeat(50_000)).endRow();
        assertThat(text(rows)).isEqualTo(long1 + "\t" + "é".repeat(50_000) + "\n");
        rows.clear();
        assertThat(rows.length()).isZero();
    }
}
