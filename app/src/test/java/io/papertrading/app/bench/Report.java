package io.papertrading.app.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/** BENCHMARKS.md: the machine and the run, a table of every figure beside its target, then each section's detail. */
final class Report {

    private final List<String> head = new ArrayList<>();
    private final List<String> rows = new ArrayList<>();
    private final List<String> details = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();
    private Instant started;
    private String loadAtStart;
    private double probeAtStart;
    private Double probeAtEnd;

    void begin(Set<String> sections, List<String> jvmArgs, Map<String, String> appProperties) {
        started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        loadAtStart = read("/proc/loadavg");
        head.add("- date: " + started + " (UTC)");
        head.add("- commit: `" + git("rev-parse", "--short", "HEAD") + "`"
                + (git("status", "--porcelain", "--untracked-files=no").isBlank() ? "" : " with uncommitted changes"));
        head.add(String.format(Locale.ROOT, "- machine: %d cores (%s), %s memory, %s, Linux %s",
                Runtime.getRuntime().availableProcessors(), cpuModel(), memory(), osName(), System.getProperty("os.version")));
        head.add("- JDK: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + " (the harness's and the app's)");
        head.add("- app: `JAVA_OPTS='" + String.join(" ", jvmArgs) + "' ./paper-trading` (the README's launcher: the"
                + " extracted jar with its class-data-sharing archive; plain `java -jar` where a figure says so)"
                + " with " + new TreeMap<>(appProperties).entrySet().stream().map(e -> "`" + e.getKey() + "=" + e.getValue() + "`")
                .reduce((a, b) -> a + ", " + b).orElse("nothing else") + ", on its own database on the server below,"
                + " simulated broker (the default)");
        head.add("- sections: " + String.join(", ", sections) + "; sizes: " + sizes());
        probeAtStart = speedProbeMillis();
    }

    /**
     * Milliseconds a fixed single-threaded workload takes in the harness's JVM (sorting the same 4,000,000 pseudo-
     * random longs, best of 5): this shared machine's speed varies from day to day, and runs are comparable only
     * when it is alike.
     */
    static double speedProbeMillis() {
        long[] data = new java.util.Random(11).longs(4_000_000).toArray();
        double best = Double.MAX_VALUE;
        for (int i = 0; i < 6; i++) {
            long[] copy = data.clone();
            long t0 = System.nanoTime();
            java.util.Arrays.sort(copy);
            double ms = (System.nanoTime() - t0) / 1e6;
            if (i > 0) {
                best = Math.min(best, ms); // the first run warms the JIT
            }
        }
        return best;
    }

    void postgres(String version) {
        head.add("- PostgreSQL " + version + " at 127.0.0.1 (the machine's own server, shared with other work: its "
                + "`max_connections` and disk too)");
    }

    /** A figure of the summary table; {@code met} null when the issues set no target. */
    void row(String figure, String value, String target, Boolean met) {
        rows.add("| " + figure + " | " + value + " | " + target + " | " + (met == null ? "—" : met ? "yes" : "**no**") + " |");
        System.out.println("[bench] " + figure + ": " + value + "   target " + target);
    }

    void detail(String line) {
        details.add(line);
    }

    void note(String line) {
        notes.add(line);
    }

    void problems(List<String> found) {
        problems.addAll(found);
    }

    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# Benchmarks\n\n");
        md.append("Written by the benchmark harness (`HttpBenchmark`; how to run it: README, \"Benchmarks\"). The packaged ")
                .append("app runs as its own process on PostgreSQL and is driven over HTTP on loopback from the harness's ")
                .append("JVM; every figure below comes from the one run described here. Figures are measured, never ")
                .append("asserted; the run checks only that the work was done.\n\n");
        head.forEach(l -> md.append(l).append('\n'));
        md.append("- load average (1, 5, 15 min) at the start: ").append(loadAtStart.split(" ", 4).length >= 3
                ? String.join(", ", List.of(loadAtStart.split(" ")).subList(0, 3)) : loadAtStart)
                .append("; at the end: ").append(String.join(", ", List.of(read("/proc/loadavg").split(" ")).subList(0, 3)))
                .append(". This 2-core machine is shared: other agents' builds and tests ran on it during the run, so ")
                .append("every figure here is a lower bound of what the engine does on a quiet machine.\n");
        if (probeAtEnd == null) {
            probeAtEnd = speedProbeMillis();
        }
        md.append(String.format(Locale.ROOT, "- the host's speed: a fixed single-threaded workload in the harness "
                + "(sorting 4,000,000 longs, best of 5) took %.0f ms at the start and %.0f ms at the end; compare runs "
                + "only where it is alike\n", probeAtStart, probeAtEnd));
        md.append(String.format(Locale.ROOT, "- the run took %.0f minutes\n\n",
                (Instant.now().getEpochSecond() - started.getEpochSecond()) / 60.0));
        md.append("## Figures against the targets of issues 10 and 11\n\n");
        md.append("| figure | measured | target | met |\n|---|---|---|---|\n");
        rows.forEach(r -> md.append(r).append('\n'));
        md.append('\n');
        if (!notes.isEmpty() || !problems.isEmpty()) {
            md.append("## Notes\n\n");
            notes.forEach(n -> md.append("- ").append(n).append('\n'));
            problems.forEach(p -> md.append("- **Not done:** ").append(p).append('\n'));
            md.append('\n');
        }
        md.append("## Sections\n\n");
        details.forEach(d -> md.append(d).append('\n'));
        return md.toString();
    }

    /** Writes the report to {@code -Dbench.output}, else BENCHMARKS.md at the repository root. */
    static Path write(String markdown) throws IOException {
        String configured = System.getProperty("bench.output");
        Path out = configured != null ? Path.of(configured) : root().resolve("BENCHMARKS.md");
        Files.writeString(out, markdown, StandardCharsets.UTF_8);
        return out.toAbsolutePath();
    }

    private static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("mvnw")) && Files.isDirectory(p.resolve("app"))) {
                return p;
            }
        }
        return dir;
    }

    private static String sizes() {
        StringBuilder s = new StringBuilder();
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("bench.") && !k.equals("bench.sections"))
                .sorted().forEach(k -> s.append(s.length() == 0 ? "" : ", ").append('`').append(k).append('=')
                        .append(System.getProperty(k)).append('`'));
        return s.length() == 0 ? "the defaults" : s + " (the rest default)";
    }

    private static String git(String... args) {
        try {
            List<String> cmd = new ArrayList<>(List.of("git", "-C", root().toString()));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor(10, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file)).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String cpuModel() {
        return read("/proc/cpuinfo").lines().filter(l -> l.startsWith("model name")).findFirst()
                .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown CPU");
    }

    private static String memory() {
        return read("/proc/meminfo").lines().filter(l -> l.startsWith("MemTotal:")).findFirst()
                .map(l -> String.format(Locale.ROOT, "%.1f GB", Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0))
                .orElse("unknown");
    }

    private static String osName() {
        return read("/etc/os-release").lines().filter(l -> l.startsWith("PRETTY_NAME=")).findFirst()
                .map(l -> l.substring("PRETTY_NAME=".length()).replace("\"", "")).orElse(System.getProperty("os.name"));
    }
}
