package io.papertrading.app.bench;

import java.util.Arrays;
import java.util.Locale;

/** Durations in nanoseconds, added from many threads; percentiles by the nearest-rank method. */
final class Samples {

    private long[] values = new long[1024];
    private int size;

    synchronized void add(long nanos) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = nanos;
    }

    synchronized void addAll(Samples other) {
        long[] theirs = other.sorted();
        for (long v : theirs) {
            add(v);
        }
    }

    synchronized int size() {
        return size;
    }

    synchronized long[] sorted() {
        long[] copy = Arrays.copyOf(values, size);
        Arrays.sort(copy);
        return copy;
    }

    /** The p-th percentile in milliseconds (NaN when empty). */
    double millis(double p) {
        long[] s = sorted();
        if (s.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * s.length);
        return s[Math.min(s.length - 1, Math.max(0, rank - 1))] / 1e6;
    }

    /** "p50 x ms, p99 y ms" (with the sample size when asked). */
    String p50p99() {
        return String.format(Locale.ROOT, "p50 %s, p99 %s", ms(millis(50)), ms(millis(99)));
    }

    static String ms(double millis) {
        if (Double.isNaN(millis)) {
            return "n/a";
        }
        return millis >= 1000 ? String.format(Locale.ROOT, "%.2f s", millis / 1000)
                : String.format(Locale.ROOT, millis >= 10 ? "%.0f ms" : "%.1f ms", millis);
    }
}
