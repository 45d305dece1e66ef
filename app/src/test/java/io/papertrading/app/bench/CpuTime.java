package io.papertrading.app.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * CPU seconds used so far, from {@code /proc}: the app's JVM (and of it, its JIT compilers' threads), every
 * PostgreSQL process on this machine (with the children its postmaster has reaped: backends of closed connections),
 * this harness's JVM, and the machine's busy and total time over all cores. Differences of two readings say where a
 * window's CPU went.
 */
record CpuTime(double app, double compilers, double postgres, double harness, double busy, double total) {

    /** Clock ticks per second of {@code /proc/PID/stat} (USER_HZ, 100 on Linux x86-64). */
    private static final double TICKS_PER_SECOND = 100.0;

    static CpuTime now(BenchApp app) throws IOException {
        double postgres = sumOf(Path.of("/proc"), "postgres"::equals, true);
        double harness = ofProcess(Path.of("/proc/self"), false);
        // "cpu  user nice system idle iowait irq softirq steal ..." summed over every core
        List<Long> cpu = Stream.of(Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+"))
                .skip(1).limit(8).map(Long::parseLong).toList();
        long total = cpu.stream().mapToLong(Long::longValue).sum();
        long idle = cpu.get(3) + cpu.get(4);
        return new CpuTime(app.cpuSeconds(), app.compilerCpuSeconds(), postgres, harness,
                (total - idle) / TICKS_PER_SECOND, total / TICKS_PER_SECOND);
    }

    /**
     * CPU seconds of every process (or thread) in {@code dir} ({@code /proc}, {@code /proc/PID/task}) whose command
     * name passes {@code name}, with reaped children's when {@code withChildren}. One that ends between the listing
     * and the read is left out.
     */
    static double sumOf(Path dir, Predicate<String> name, boolean withChildren) throws IOException {
        double sum = 0;
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path p : entries.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                try {
                    if (name.test(Files.readString(p.resolve("comm")).trim())) {
                        sum += ofProcess(p, withChildren);
                    }
                } catch (IOException | RuntimeException gone) {
                    // ended between the listing and the read
                }
            }
        }
        return sum;
    }

    /**
     * The window's CPU per operation: the app (and of it the JIT compilers), PostgreSQL and this harness, in
     * milliseconds.
     */
    String perOperation(long operations) {
        return String.format(Locale.ROOT, "app %.1f ms (of it the JIT compilers %.1f ms), PostgreSQL %.1f ms, this "
                + "harness %.1f ms", 1000 * app / operations, 1000 * compilers / operations,
                1000 * postgres / operations, 1000 * harness / operations);
    }

    /**
     * User plus system CPU seconds of the process at {@code proc} ({@code /proc/PID}), with those of the children it
     * has reaped when {@code withChildren}.
     */
    static double ofProcess(Path proc, boolean withChildren) throws IOException {
        String stat = Files.readString(proc.resolve("stat"));
        // the command name (field 2) is in parentheses and may hold spaces: count fields after its closing one
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        if (withChildren) {
            ticks += Long.parseLong(f[13]) + Long.parseLong(f[14]);
        }
        return ticks / TICKS_PER_SECOND;
    }

    CpuTime minus(CpuTime earlier) {
        return new CpuTime(app - earlier.app, Math.max(0, compilers - earlier.compilers), postgres - earlier.postgres,
                harness - earlier.harness, busy - earlier.busy, total - earlier.total);
    }
}
