package io.papertrading.app.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * CPU seconds used so far, from {@code /proc}: the app's JVM, every PostgreSQL process on this machine (with the
 * children its postmaster has reaped: backends of closed connections), this harness's JVM, and the machine's busy
 * and total time over all cores. Differences of two readings say where a window's CPU went.
 */
record CpuTime(double app, double postgres, double harness, double busy, double total) {

    private static final double TICKS_PER_SECOND = 100.0;

    static CpuTime now(BenchApp app) throws IOException {
        double postgres = 0;
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                try {
                    if ("postgres".equals(Files.readString(p.resolve("comm")).trim())) {
                        String[] f = fields(Files.readString(p.resolve("stat")));
                        postgres += (Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13])
                                + Long.parseLong(f[14])) / TICKS_PER_SECOND;
                    }
                } catch (IOException | RuntimeException gone) {
                    // the process ended between the listing and the read
                }
            }
        }
        String[] self = fields(Files.readString(Path.of("/proc/self/stat")));
        double harness = (Long.parseLong(self[11]) + Long.parseLong(self[12])) / TICKS_PER_SECOND;
        // "cpu  user nice system idle iowait irq softirq steal ..." summed over every core
        List<Long> cpu = Stream.of(Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+"))
                .skip(1).limit(8).map(Long::parseLong).toList();
        long total = cpu.stream().mapToLong(Long::longValue).sum();
        long idle = cpu.get(3) + cpu.get(4);
        return new CpuTime(app.cpuSeconds(), postgres, harness, (total - idle) / TICKS_PER_SECOND,
                total / TICKS_PER_SECOND);
    }

    /** The fields after a /proc stat line's command name (which is in parentheses and may hold spaces). */
    private static String[] fields(String stat) {
        return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    }

    CpuTime minus(CpuTime earlier) {
        return new CpuTime(app - earlier.app, postgres - earlier.postgres, harness - earlier.harness,
                busy - earlier.busy, total - earlier.total);
    }
}
