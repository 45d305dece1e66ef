package io.papertrading.app.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.papertrading.app.support.AppProcesses;
import io.papertrading.migrations.TestDatabase;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The benchmark harness of issue 11: the packaged jar started as its own process on PostgreSQL (simulated broker,
 * instant fills), driven over HTTP on loopback from this JVM, every figure printed beside its target and written
 * to {@code BENCHMARKS.md} at the repository root. Runs only with {@code -Pbench} (README, "Benchmarks"). Figures
 * are never asserted; the run asserts only that the work was done (no failed placement, every trade projected,
 * the replayed projection as large as the event store says).
 *
 * <p>Sections ({@code -Dbench.sections}, default all): {@code startup, placement, lag, lifecycle, exchange, replay,
 * list, resting}. Sizes: see the constants below (each a {@code -Dbench.*} property).
 */
class HttpBenchmark {

    private static final Set<String> SECTIONS = new LinkedHashSet<>(List.of(System.getProperty("bench.sections",
            "startup,placement,lag,lifecycle,exchange,replay,list,resting").split(",")));
    private static final int[] LEVELS = Arrays.stream(System.getProperty("bench.levels", "1,4,16,64").split(","))
            .mapToInt(Integer::parseInt).toArray();
    private static final int WARMUP_SECONDS = Integer.getInteger("bench.warmup-seconds", 3);
    /**
     * Whole lifecycles run before the first measured section, in rounds, until the JIT compilers' share of the app's
     * CPU in a round falls under {@link #JIT_SETTLED}, for at most this long: the first figures are then the
     * engine's, not the compilers'.
     */
    private static final int JIT_WARMUP_SECONDS = Integer.getInteger("bench.jit-warmup-seconds", 600);
    private static final double JIT_SETTLED = Double.parseDouble(System.getProperty("bench.jit-settled", "0.05"));
    private static final int JIT_ROUND_SECONDS = 30;
    private static final int MEASURE_SECONDS = Integer.getInteger("bench.measure-seconds", 10);
    private static final int USERS = Integer.getInteger("bench.users", 100);
    private static final int LAG_RATE = Integer.getInteger("bench.lag-rate", 500);
    private static final int LAG_SECONDS = Integer.getInteger("bench.lag-seconds", 20);
    /** Every n-th trade of the lag section is also awaited through {@code GET /api/trades/{id}?minVersion=1}. */
    private static final int LAG_API_SAMPLE = Integer.getInteger("bench.lag-api-sample", 25);
    /** The open loop's bound on requests in flight (each one an HTTP connection). */
    private static final int MAX_IN_FLIGHT = 256;
    private static final int LIFECYCLE_CLIENTS = Integer.getInteger("bench.lifecycle-clients", 16);
    private static final int LIFECYCLE_SECONDS = Integer.getInteger("bench.lifecycle-seconds", 30);
    private static final int EXCHANGE_CLIENTS = Integer.getInteger("bench.exchange-clients", 16);
    private static final int EXCHANGE_SECONDS = Integer.getInteger("bench.exchange-seconds", 20);
    private static final long REPLAY_EVENTS = Long.getLong("bench.replay-events", 1_000_000L);
    private static final int REPLAY_TEMPLATE_TRADES = Integer.getInteger("bench.replay-template-trades", 300);
    private static final int REPLAY_TIMEOUT_SECONDS = Integer.getInteger("bench.replay-timeout-seconds", 900);
    private static final int LIST_ROWS = Integer.getInteger("bench.list-rows", 1_000_000);
    private static final int LIST_USERS = Integer.getInteger("bench.list-users", 1_000);
    private static final int LIST_REQUESTS = Integer.getInteger("bench.list-requests", 2_000);
    private static final int RESTING = Integer.getInteger("bench.resting", 10_000);
    private static final int RESTING_ACCOUNTS = Integer.getInteger("bench.resting-accounts", 100);
    private static final int RESTING_WINDOW_SECONDS = Integer.getInteger("bench.resting-window-seconds", 30);
    private static final int SETTLE_TIMEOUT_SECONDS = Integer.getInteger("bench.settle-timeout-seconds", 600);
    private static final List<String> APP_JVM_ARGS = Stream.of(System.getProperty("bench.app-jvm-args",
            "-Xmx384m -XX:MaxMetaspaceSize=256m").split(" "))
            .filter(s -> !s.isBlank()).toList();
    /** Properties of the benchmarked app: instant fills; no price ticks on the trades earlier sections left open. */
    private static final Map<String, String> APP_PROPERTIES = Map.of(
            "paper.sim.fill-latency", System.getProperty("bench.fill-latency", "0ms"),
            "paper.monitor.interval", System.getProperty("bench.monitor-interval", "1h"));

    private final String run = Long.toHexString(System.currentTimeMillis() % 0xFFFFFFL);
    private final Report report = new Report();
    private final List<String> problems = new ArrayList<>();
    /** Why operations failed, counted per section and reason (reported with the problems). */
    private final Map<String, AtomicInteger> reasons = new java.util.concurrent.ConcurrentHashMap<>();
    private final AtomicReference<BenchApp> current = new AtomicReference<>();
    private final AtomicLong maxRssKb = new AtomicLong(-1);
    private final Path log = Path.of("target", "bench-app.log").toAbsolutePath();
    private AppProcesses databases;
    private String dbUrl;
    private BenchHttp http;
    private long idleRssKb = -1;

    @Test
    void measuresTheEngineOverHttp() throws Exception {
        Files.deleteIfExists(log);
        Files.createDirectories(log.getParent());
        report.begin(SECTIONS, APP_JVM_ARGS, APP_PROPERTIES);
        progress("sections " + SECTIONS + "; app log " + log);
        try (AppProcesses dbs = new AppProcesses("bench")) {
            databases = dbs;
            dbUrl = dbs.createDatabase();
            report.postgres(sqlString("show server_version"));
            if (SECTIONS.contains("startup")) {
                embeddedStartup();
            }
            BenchApp first = BenchApp.external(dbUrl, log, APP_JVM_ARGS, APP_PROPERTIES);
            if (SECTIONS.contains("startup")) {
                first.stop();
                BenchApp again = BenchApp.external(dbUrl, log, APP_JVM_ARGS, APP_PROPERTIES);
                report.row("start to healthy, external PostgreSQL (`./paper-trading`)", String.format(Locale.ROOT,
                        "%.1f s migrated (%.1f s on an empty database, migrations included)",
                        secs(again.startup()), secs(first.startup())), "<= 8 s", secs(again.startup()) <= 8);
                first = again;
            } else if (!BenchApp.archiveRecorded()) {
                // the launcher's first run of a new jar records its class-data-sharing archive while it runs (and
                // JFR is off then): measure a run that maps it, as every later start of the same jar does
                first.stop();
                first = BenchApp.external(dbUrl, log, APP_JVM_ARGS, APP_PROPERTIES);
            }
            use(first);
            // the idle figure: a settled process that has served nothing but its health checks
            LockSupport.parkNanos(Duration.ofSeconds(10).toNanos()); // a measuring interval, not a wait for an outcome
            idleRssKb = current.get().rssKb();
            Thread sampler = rssSampler();
            try {
                warmUp();
                if (SECTIONS.contains("placement")) {
                    placement();
                }
                if (SECTIONS.contains("lag")) {
                    lag();
                }
                if (SECTIONS.contains("lifecycle")) {
                    lifecycle("lc-" + run, LIFECYCLE_SECONDS, Integer.MAX_VALUE, true);
                }
                if (SECTIONS.contains("exchange")) {
                    exchange();
                }
                if (SECTIONS.contains("resting")) {
                    resting(); // before replay and list: they replace the process and bulk-load the tables
                }
            } finally {
                sampler.interrupt();
            }
            long peak = Math.max(idleRssKb, maxRssKb.get());
            report.row("resident memory (VmRSS) of the app", String.format(Locale.ROOT,
                    "%d MB idle, %d MB at most while the sections above ran", idleRssKb >> 10, peak >> 10),
                    "<= 768 MB", peak > 0 && peak >> 10 <= 768);
            if (SECTIONS.contains("list")) {
                listAndPortfolio();
            }
            if (SECTIONS.contains("replay")) {
                replay(); // last: it replaces the process, and a replay cut off by its time limit goes on running
            }
            current.get().stop();
        } catch (Exception | AssertionError e) {
            problems.add("the run stopped early: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            throw e;
        } finally {
            if (BenchApp.FAILED_STARTS.get() > 0) {
                report.note(BenchApp.FAILED_STARTS.get() + " start(s) of the app failed and were tried again (the shared "
                        + "PostgreSQL server had no connection left, or the app did not become healthy in 180 s); the "
                        + "startup figures are those of the starts that succeeded.");
            }
            if (!reasons.isEmpty()) {
                report.note("What failed or was retried, with counts: " + new java.util.TreeMap<>(reasons).entrySet().stream()
                        .map(e -> e.getKey() + " (" + e.getValue() + ")").collect(java.util.stream.Collectors.joining("; ")));
            }
            report.problems(problems);
            Path out = Report.write(report.markdown());
            progress("wrote " + out);
            System.out.println(report.markdown());
        }
        assertThat(problems).as("work the benchmark did not get done").isEmpty();
    }

    // ------------------------------------------------------------------------------------------------ startup

    /**
     * The embedded default three times on one data directory, each later start finding its binaries and database
     * ready: twice through the README's launcher (the first run records the class-data-sharing archive when it
     * stops, the second maps it), then once as plain {@code java -jar}, which the README also keeps working.
     */
    private void embeddedStartup() throws Exception {
        Path data = Files.createTempDirectory("paper-bench-embedded");
        try {
            BenchApp cold = BenchApp.embedded(BenchApp.Launch.LAUNCHER, data, log, APP_JVM_ARGS);
            cold.stop();
            BenchApp warm = BenchApp.embedded(BenchApp.Launch.LAUNCHER, data, log, APP_JVM_ARGS);
            warm.stop();
            BenchApp plain = BenchApp.embedded(BenchApp.Launch.JAR, data, log, APP_JVM_ARGS);
            plain.stop();
            report.row("start to healthy, embedded default (`./paper-trading`)", String.format(Locale.ROOT,
                    "%.1f s second start (%.1f s first start: initdb, migrations, no archive yet)",
                    secs(warm.startup()), secs(cold.startup())), "<= 8 s", secs(warm.startup()) <= 8);
            report.row("start to healthy, embedded default, plain `java -jar`", String.format(Locale.ROOT,
                    "%.1f s (database ready)", secs(plain.startup())), "none set", null);
            progress("embedded start " + secs(warm.startup()) + " s (plain java -jar " + secs(plain.startup()) + " s)");
        } finally {
            try (Stream<Path> files = Files.walk(data)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- placement

    /** Closed loops of market orders over HTTP at each level, each beside a JDBC insert-and-commit loop. */
    private void placement() throws Exception {
        List<String> users = users("pl-" + run, USERS);
        ConcurrentLinkedQueue<String> placed = new ConcurrentLinkedQueue<>();
        AtomicInteger failed = new AtomicInteger();
        createScratchTable();
        report.detail("### Placement: closed loops over HTTP beside a raw JDBC loop");
        report.detail("");
        report.detail(String.format(Locale.ROOT, "Each level: %d s warm-up, then %d s measured. HTTP: `POST /api/trades` "
                + "(market buy of 1 AAPL) by %d users, each client waiting for its `202` before sending the next. "
                + "JDBC: one `insert` of an event-shaped row (the columns, keys and indexes of `domain_event_entry`, "
                + "a real `TradePlaced` payload) and its commit per call, one connection per client, on the same "
                + "server.", WARMUP_SECONDS, MEASURE_SECONDS, USERS));
        report.detail("");
        report.detail("| clients | HTTP placed/s | HTTP 202 p50 / p99 | JDBC commits/s | JDBC p50 / p99 | HTTP / JDBC |");
        report.detail("|---|---|---|---|---|---|");
        CpuTime[] cpuAt16 = new CpuTime[1];
        long placedAt16 = 0;
        for (int clients : LEVELS) {
            CompletableFuture<CpuTime> cpu = clients == 16 ? measuredCpu() : null;
            Level h = closedLoop(clients, WARMUP_SECONDS, MEASURE_SECONDS, Integer.MAX_VALUE, w -> {
                String id = http.place(users.get(ThreadLocalRandom.current().nextInt(users.size())), BenchHttp.MARKET_BUY);
                if (id != null) {
                    placed.add(id);
                }
                return id != null;
            });
            failed.addAndGet(h.failures);
            if (cpu != null) {
                cpuAt16[0] = cpu.get();
            }
            // asked again at each level: the app's pools grow with the load, idle connections stay a while
            int jdbcClients = Math.min(clients, spareConnections());
            Level j = jdbcLoop(jdbcClients);
            report.detail(String.format(Locale.ROOT, "| %d | %,.0f | %s / %s | %,.0f%s | %s / %s | %.1f%% |", clients,
                    h.rate(), Samples.ms(h.latency.millis(50)), Samples.ms(h.latency.millis(99)), j.rate(),
                    jdbcClients < clients ? " (" + jdbcClients + (jdbcClients == 1 ? " connection" : " connections")
                            + ": the server's max_connections is shared)" : "",
                    Samples.ms(j.latency.millis(50)), Samples.ms(j.latency.millis(99)), 100 * h.rate() / j.rate()));
            progress(String.format(Locale.ROOT, "placement %d clients: %.0f/s http, %.0f/s jdbc", clients, h.rate(), j.rate()));
            if (clients == 16) {
                placedAt16 = h.ops();
                report.row("placed trades/s at 16 connections", String.format(Locale.ROOT,
                        "%,.0f/s (p50 %s, p99 %s); raw JDBC %,.0f/s; ratio %.1f%%", h.rate(), Samples.ms(h.latency.millis(50)),
                        Samples.ms(h.latency.millis(99)), j.rate(), 100 * h.rate() / j.rate()), ">= 1,000/s", h.rate() >= 1000);
            }
        }
        if (failed.get() > 0) {
            problems.add("placement: " + failed.get() + " placements did not answer 202");
        }
        Duration drained = awaitTrades(placed, "status = 'OPEN'", "placement");
        report.detail("");
        report.detail(String.format(Locale.ROOT, "All %,d trades placed here were OPEN in the read model %s after the "
                + "last level ended (the saga and the order desk catching up).", placed.size(), fmt(drained)));
        report.detail("");
        if (cpuAt16[0] != null && placedAt16 > 0) {
            CpuTime c = cpuAt16[0];
            String perTrade = c.perOperation(placedAt16) + String.format(Locale.ROOT,
                    " per placed trade; the machine %.0f%% busy", 100 * c.busy() / c.total());
            report.detail("CPU over the measured seconds at 16 clients (`/proc`: the app's JVM, every `postgres` process, "
                    + "the harness's JVM, and the machine over all its cores): " + perTrade + ". It includes what the "
                    + "placements set going while they ran (saga, projections, order desk, the simulated exchange).");
            report.detail("");
            report.row("CPU per placed trade at 16 connections", perTrade, "none set", null);
        }
    }

    /** CPU used over the measured part of a closed loop that starts now: from its warm-up's end to its end. */
    private CompletableFuture<CpuTime> measuredCpu() {
        BenchApp app = current.get();
        return CompletableFuture.supplyAsync(() -> {
            try {
                LockSupport.parkNanos(Duration.ofSeconds(WARMUP_SECONDS).toNanos()); // until the measured part
                CpuTime from = CpuTime.now(app);
                LockSupport.parkNanos(Duration.ofSeconds(MEASURE_SECONDS).toNanos());
                return CpuTime.now(app).minus(from);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private int spareConnections() throws SQLException {
        try (Connection c = owner(); Statement st = c.createStatement()) {
            ResultSet rs = st.executeQuery("select current_setting('max_connections')::int - count(*) from pg_stat_activity");
            rs.next();
            return Math.max(1, rs.getInt(1) - 15); // leave room for the other work on this server
        }
    }

    private void createScratchTable() throws SQLException {
        try (Connection c = owner(); Statement st = c.createStatement()) {
            st.execute("drop table if exists bench_scratch_event");
            st.execute("create table bench_scratch_event (like domain_event_entry including all)");
            st.execute("create sequence if not exists bench_scratch_seq");
        }
    }

    private Level jdbcLoop(int clients) throws Exception {
        byte[][] sample = samplePayload();
        List<Connection> connections = new ArrayList<>();
        List<PreparedStatement> inserts = new ArrayList<>();
        try {
            for (int i = 0; i < clients; i++) {
                Connection c = owner();
                connections.add(c);
                inserts.add(c.prepareStatement("insert into bench_scratch_event (global_index, aggregate_identifier,"
                        + " sequence_number, type, event_identifier, meta_data, payload, payload_revision, payload_type,"
                        + " time_stamp) values (nextval('bench_scratch_seq'), ?, 0, 'Trade', ?, ?, ?, null, ?, ?)"));
            }
            return closedLoop(clients, WARMUP_SECONDS, MEASURE_SECONDS, Integer.MAX_VALUE, w -> {
                PreparedStatement ps = inserts.get(w);
                try {
                    ps.setString(1, UUID.randomUUID().toString());
                    ps.setString(2, UUID.randomUUID().toString());
                    ps.setBytes(3, sample[0]);
                    ps.setBytes(4, sample[1]);
                    ps.setString(5, new String(sample[2], java.nio.charset.StandardCharsets.UTF_8));
                    ps.setString(6, Instant.now().toString());
                    return ps.executeUpdate() == 1; // autocommit: one commit per row
                } catch (SQLException e) {
                    return false;
                }
            });
        } finally {
            for (Connection c : connections) {
                c.close();
            }
        }
    }

    /** Metadata, payload and payload type of a real TradePlaced event (a stand-in when the store has none yet). */
    private byte[][] samplePayload() throws SQLException {
        try (Connection c = owner(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select meta_data, payload, payload_type from domain_event_entry"
                     + " where payload_type like '%TradePlaced%' limit 1")) {
            if (rs.next()) {
                return new byte[][]{rs.getBytes(1), rs.getBytes(2), rs.getString(3).getBytes()};
            }
        }
        byte[] json = ("{\"tradeId\":\"" + UUID.randomUUID() + "\",\"username\":\"someone\",\"symbol\":\"AAPL\","
                + "\"side\":\"BUY\",\"quantity\":1,\"orderType\":\"MARKET\"}").getBytes();
        return new byte[][]{"{}".getBytes(), json, "TradePlacedEvent".getBytes()};
    }

    // -------------------------------------------------------------------------------------------------- lag

    /**
     * An open loop at {@link #LAG_RATE} placements a second: the 202's latency counted from when the request was due
     * (so a slow server cannot hide its queue), and each trade's lag from its 202 until the read model shows it.
     */
    private void lag() throws Exception {
        Duration settled = settle("lag");
        List<String> users = users("lag-" + run, USERS);
        int n = LAG_RATE * LAG_SECONDS;
        long period = 1_000_000_000L / LAG_RATE;
        Samples accepted = new Samples();
        Samples apiLag = new Samples();
        AtomicInteger failures = new AtomicInteger();
        AtomicInteger acked = new AtomicInteger();
        AtomicLong lastAck = new AtomicLong();
        AtomicInteger apiPending = new AtomicInteger();
        AtomicInteger apiGaveUp = new AtomicInteger();
        Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
        List<CompletableFuture<?>> calls = new ArrayList<>(n);
        int notIssued = 0;
        try (Visibility visible = new Visibility(owner(), "true")) {
            long start = System.nanoTime();
            long stopIssuing = start + TimeUnit.SECONDS.toNanos(LAG_SECONDS + 5);
            for (int i = 0; i < n; i++) {
                long due = start + i * period;
                if (System.nanoTime() > stopIssuing) {
                    // the app is this far behind the schedule: what it could not take is reported, not queued
                    notIssued = n - i;
                    break;
                }
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait); // pacing of the open loop, not a wait for an outcome
                }
                inFlight.acquire();
                String user = users.get(i % users.size());
                boolean sampled = i % LAG_API_SAMPLE == 0;
                calls.add(http.placeAsync(user, BenchHttp.MARKET_BUY).whenComplete((r, e) -> {
                    long now = System.nanoTime();
                    inFlight.release();
                    if (e != null || r.statusCode() != 202) {
                        failures.incrementAndGet();
                        return;
                    }
                    acked.incrementAndGet();
                    lastAck.accumulateAndGet(now, Math::max);
                    accepted.add(now - due);
                    String id = BenchHttp.json(r.body()).get("tradeId").asText();
                    visible.register(id, now);
                    if (sampled) {
                        apiPending.incrementAndGet();
                        awaitThroughApi(user, id, now, apiLag, apiPending, apiGaveUp);
                    }
                }));
            }
            CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).exceptionally(t -> null)
                    .get(10, TimeUnit.MINUTES);
            double achieved = acked.get() / ((lastAck.get() - start) / 1e9);
            boolean allSeen = awaitQuietly(Duration.ofSeconds(SETTLE_TIMEOUT_SECONDS),
                    () -> visible.pending() == 0 && apiPending.get() == 0);
            if (visible.failure() != null) {
                problems.add("lag: " + visible.failure());
            }
            if (failures.get() > 0) {
                problems.add("lag: " + failures.get() + " placements did not answer 202");
            }
            if (!allSeen) {
                problems.add("lag: " + visible.pending() + " acknowledged trades never showed in the read model");
            }
            boolean sustained = achieved >= LAG_RATE * 0.95;
            report.detail("### Projection lag at a steady rate");
            report.detail("");
            report.detail(String.format(Locale.ROOT, "An open loop: %,d market orders due at %d/s for %d s (%d users, "
                    + "at most %d requests in flight; requests still not sent 5 s after the schedule's end are dropped: "
                    + "%,d were), %s. The 202's latency counts from when the request was due. "
                    + "Lag: from the 202 until the trade's row is in the read model, for every trade (a 10 ms watcher "
                    + "on `paper_trades`), and through the query API for every %d-th trade "
                    + "(`GET /api/trades/{id}?minVersion=1`, which waits for the projection's commit). The engine was "
                    + "first left to settle (%s).", n, LAG_RATE, LAG_SECONDS, USERS, MAX_IN_FLIGHT, notIssued,
                    sustained ? "sustained" : String.format(Locale.ROOT, "**not sustained: the app acknowledged %,.0f/s**",
                            achieved), LAG_API_SAMPLE, fmt(settled)));
            report.detail("");
            report.detail(String.format(Locale.ROOT, "- acknowledged: %,d at %,.0f/s; 202 latency %s", acked.get(),
                    achieved, accepted.p50p99()));
            report.detail(String.format(Locale.ROOT, "- lag to the read model (all %,d): %s", visible.lags().size(),
                    visible.lags().p50p99()));
            report.detail(String.format(Locale.ROOT, "- lag through the query API (%,d sampled%s): %s", apiLag.size(),
                    apiGaveUp.get() > 0 ? ", " + apiGaveUp.get() + " not seen within 60 s" : "", apiLag.p50p99()));
            report.detail("");
            String rate = sustained ? "at " + LAG_RATE + "/s" : String.format(Locale.ROOT,
                    "at %,.0f/s (asked %d/s; not sustained)", achieved, LAG_RATE);
            report.row("placement 202 latency " + rate, accepted.p50p99(), "p99 <= 50 ms at 500/s",
                    sustained && accepted.millis(99) <= 50);
            report.row("projection lag (202 to visible) " + rate, visible.lags().p50p99() + " (query API sample: "
                    + apiLag.p50p99() + ")", "p99 <= 100 ms", sustained && visible.lags().millis(99) <= 100);
            progress("lag: " + achieved + "/s, lag " + visible.lags().p50p99());
        }
    }

    /** Long-polls the trade through the query API until it shows (again after 20 ms when it is not there yet). */
    private void awaitThroughApi(String user, String id, long ackNanos, Samples lags, AtomicInteger pending,
                                 AtomicInteger gaveUp) {
        http.getAsync(user, "/api/trades/" + id + "?minVersion=1").whenComplete((r, e) -> {
            long now = System.nanoTime();
            if (e == null && r.statusCode() == 200) {
                lags.add(now - ackNanos);
                pending.decrementAndGet();
            } else if (now - ackNanos > Duration.ofSeconds(60).toNanos()) {
                gaveUp.incrementAndGet();
                pending.decrementAndGet();
            } else {
                // the next ask's pacing (every waiting slot of the server may be taken), not a wait for an outcome
                CompletableFuture.runAsync(() -> awaitThroughApi(user, id, ackNanos, lags, pending, gaveUp),
                        CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS));
            }
        });
    }

    // -------------------------------------------------------------------------------------------- warm-up

    /**
     * Whole lifecycles (place, OPEN, close, CLOSED, through the query API), not measured, before the first section
     * that drives the engine: in rounds of 30 s until the JIT compilers used less than {@code bench.jit-settled}
     * (5%) of the app's CPU in a round, or {@code bench.jit-warmup-seconds} (600) have passed. Without it the first
     * sections measured the compilers too. A fixed minute was not enough: on this 2-core machine C2 was still a
     * fifth of the app's CPU after 150 s of lifecycles, and the engine's own code took a third less CPU per trade
     * after 450 s than after 150 s (more of it compiled by C2 by then).
     */
    private void warmUp() throws Exception {
        if (JIT_WARMUP_SECONDS <= 0 || SECTIONS.stream().noneMatch(
                List.of("placement", "lag", "lifecycle", "exchange", "resting")::contains)) {
            return;
        }
        BenchApp app = current.get();
        double before = app.cpuSeconds();
        int done = 0;
        int seconds = 0;
        double share;
        do {
            int round = Math.min(JIT_ROUND_SECONDS, JIT_WARMUP_SECONDS - seconds);
            double cpu0 = app.cpuSeconds();
            double jit0 = app.compilerCpuSeconds();
            done += lifecycle("wu" + seconds + "-" + run, round, Integer.MAX_VALUE, false);
            seconds += round;
            double roundCpu = app.cpuSeconds() - cpu0;
            share = roundCpu > 0 ? Math.max(0, app.compilerCpuSeconds() - jit0) / roundCpu : 0;
            progress(String.format(Locale.ROOT, "warming up: %d s, %,d lifecycles, the JIT compilers %.1f%% of the "
                    + "app's CPU in the last round", seconds, done, 100 * share));
        } while (share >= JIT_SETTLED && seconds < JIT_WARMUP_SECONDS);
        double used = app.cpuSeconds() - before;
        report.note(String.format(Locale.ROOT, "Before the sections that drive the engine, the app was warmed up with "
                + "%,d whole lifecycles by %d clients over %d s, not measured, until the JIT compilers' share of the "
                + "app's CPU in a %d-s round fell under %.0f%% (`bench.jit-settled`) or %d s had passed "
                + "(`bench.jit-warmup-seconds`): %.1f%% in the last round. The app's process used %.1f s of CPU "
                + "meanwhile.",
                done, LIFECYCLE_CLIENTS, seconds, JIT_ROUND_SECONDS, 100 * JIT_SETTLED, JIT_WARMUP_SECONDS,
                100 * share, used));
        progress("warmed up: " + done + " lifecycles in " + seconds + " s");
    }

    // -------------------------------------------------------------------------------------------- lifecycle

    /**
     * Closed loops of whole lifecycles: place a market order, wait through the query API until it is OPEN, close
     * it, wait until it is CLOSED. Stops starting new ones after {@code seconds} or {@code count} started.
     */
    private int lifecycle(String prefix, int seconds, int count, boolean reportIt) throws Exception {
        Duration settled = settle("lifecycle");
        List<String> users = users(prefix, LIFECYCLE_CLIENTS);
        Samples durations = new Samples();
        AtomicLong lastDone = new AtomicLong();
        long start = System.nanoTime();
        Level l = closedLoop(LIFECYCLE_CLIENTS, 0, seconds, count, w -> {
            long t0 = System.nanoTime();
            String user = users.get(w);
            HttpResponse<String> placed = http.post(user, "/api/trades", BenchHttp.MARKET_BUY);
            if (placed.statusCode() != 202) {
                reason("lifecycle: placing answered " + placed.statusCode());
                return false;
            }
            String id = BenchHttp.json(placed.body()).get("tradeId").asText();
            if (awaitStatus(user, id, "OPEN") < 0) {
                reason("lifecycle: not OPEN through the query API within 3 minutes");
                return false;
            }
            HttpResponse<String> close = http.post(user, "/api/trades/" + id + "/close", "{\"reason\":\"MANUAL\"}");
            if (close.statusCode() != 202) {
                reason("lifecycle: closing answered " + close.statusCode() + " " + close.body());
                return false;
            }
            if (awaitStatus(user, id, "CLOSED") < 0) {
                reason("lifecycle: not CLOSED through the query API within 3 minutes");
                return false;
            }
            long now = System.nanoTime();
            durations.add(now - t0);
            lastDone.accumulateAndGet(now, Math::max);
            return true;
        });
        int done = durations.size();
        double rate = done / ((lastDone.get() - start) / 1e9);
        if (l.failures > 0) {
            problems.add("lifecycle: " + l.failures + " trades did not go through place, OPEN, close, CLOSED");
        }
        if (reportIt) {
            report.detail("### Full lifecycle");
            report.detail("");
            report.detail(String.format(Locale.ROOT, "%d clients, each in a loop for %d s: place a market order, wait "
                    + "through the query API (`?minVersion=` the next version) until the trade is OPEN, close it, wait "
                    + "until it is CLOSED (through the saga, the order desk and the simulated exchange). The engine "
                    + "was first left to settle (%s).", LIFECYCLE_CLIENTS, seconds, fmt(settled)));
            report.detail("");
            report.detail(String.format(Locale.ROOT, "- %,d lifecycles completed at %.1f trades/s; one lifecycle %s",
                    done, rate, durations.p50p99()));
            report.detail("");
            report.row("full lifecycle (place, OPEN, close, CLOSED)", String.format(Locale.ROOT,
                    "%.1f trades/s with %d clients (one lifecycle %s)", rate, LIFECYCLE_CLIENTS, durations.p50p99()),
                    "none set", null);
            progress("lifecycle: " + rate + "/s");
        }
        return done;
    }

    /** Waits through the query API until the trade has the status; its version, or -1 after 3 minutes. */
    private long awaitStatus(String user, String id, String status) {
        long version = 0;
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            // the server holds the request until the trade's row passes this version (at most 5 s)
            HttpResponse<String> r;
            try {
                r = http.get(user, "/api/trades/" + id + "?minVersion=" + (version + 1));
            } catch (UncheckedIOException e) {
                reason("query API read failed and was asked again (" + e.getCause().getClass().getSimpleName() + ")");
                continue; // a read: safe to ask again
            }
            if (r.statusCode() == 200) {
                JsonNode t = BenchHttp.json(r.body());
                if (status.equals(t.get("status").asText())) {
                    return t.get("version").asLong();
                }
                long seen = t.get("version").asLong();
                if (seen == version) {
                    // answered at once with no news: every waiting slot of the server is taken
                    LockSupport.parkNanos(Duration.ofMillis(20).toNanos()); // pacing, not a wait for an outcome
                }
                version = seen;
            } else if (r.statusCode() != 404) {
                reason("query API answered " + r.statusCode());
                return -1;
            }
        }
        return -1;
    }

    // ---------------------------------------------------------------------------------------------- exchange

    /** Issue 10's target: placed orders reaching the simulated exchange with 16 clients, and fill to OPEN. */
    private void exchange() throws Exception {
        Duration settled = settle("exchange");
        String prefix = "ex-" + run;
        List<String> users = users(prefix, USERS);
        List<String> placed = new java.util.concurrent.CopyOnWriteArrayList<>();
        Instant from;
        Instant to;
        Duration drained;
        Samples fillToOpen = new Samples();
        LockSupport.parkNanos(Duration.ofSeconds(11).toNanos()); // the settled engine's counts all reported first
        Map<String, Long> writesBefore = rowsWritten();
        try (Visibility open = new Visibility(owner(), "status = 'OPEN'")) {
            CpuTime cpuFrom = CpuTime.now(current.get());
            from = Instant.now();
            Level l = closedLoop(EXCHANGE_CLIENTS, 0, EXCHANGE_SECONDS, Integer.MAX_VALUE, w -> {
                String id = http.place(users.get(ThreadLocalRandom.current().nextInt(users.size())), BenchHttp.MARKET_BUY);
                if (id != null) {
                    open.register(id, System.nanoTime());
                    placed.add(id);
                }
                return id != null;
            });
            to = Instant.now();
            if (l.failures > 0) {
                problems.add("exchange: " + l.failures + " placements did not answer 202");
            }
            long t0 = System.nanoTime();
            if (!awaitQuietly(Duration.ofSeconds(SETTLE_TIMEOUT_SECONDS), () -> open.pending() == 0)) {
                problems.add("exchange: " + open.pending() + " trades not OPEN after " + SETTLE_TIMEOUT_SECONDS + " s");
            }
            drained = Duration.ofNanos(System.nanoTime() - t0);
            CpuTime cpu = CpuTime.now(current.get()).minus(cpuFrom);
            List<Instant> reached = new ArrayList<>();
            try (Connection c = owner(); PreparedStatement ps = c.prepareStatement(
                    "select tag, created_at, last_fill_at from sim_orders where account_id like ?")) {
                ps.setString(1, prefix + "-%");
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Instant created = rs.getTimestamp(2).toInstant();
                        reached.add(created);
                        Instant seen = open.seenAt(rs.getString(1));
                        if (seen != null && rs.getTimestamp(3) != null) {
                            fillToOpen.add(Math.max(0, Duration.between(rs.getTimestamp(3).toInstant(), seen).toNanos()));
                        }
                    }
                }
            }
            long during = reached.stream().filter(i -> !i.isAfter(to)).count();
            Instant last = reached.stream().max(Comparator.naturalOrder()).orElse(to);
            double duringRate = during / secs(Duration.between(from, to));
            double overall = reached.size() / secs(Duration.between(from, last));
            report.detail("### Orders reaching the simulated exchange (issue 10)");
            report.detail("");
            report.detail(String.format(Locale.ROOT, "%d clients placed market orders for %d s (closed loop, %d users); "
                    + "each order's arrival is its `sim_orders.created_at`, its fill `sim_orders.last_fill_at`, and "
                    + "OPEN the moment a 10 ms watcher first saw the trade OPEN in `paper_trades`. The engine was first "
                    + "left to settle (%s).", EXCHANGE_CLIENTS, EXCHANGE_SECONDS, USERS, fmt(settled)));
            report.detail("");
            report.detail(String.format(Locale.ROOT, "- placed: %,d (%,.0f/s)", placed.size(),
                    placed.size() / secs(Duration.between(from, to))));
            report.detail(String.format(Locale.ROOT, "- reached the exchange while placing: %,d (%,.0f orders/s); all "
                    + "%,d by %.1f s after the first placement (%,.0f orders/s overall)", during, duringRate,
                    reached.size(), secs(Duration.between(from, last)), overall));
            report.detail(String.format(Locale.ROOT, "- exchange fill to OPEN in the read model: %s (%,d trades); "
                    + "every trade OPEN %s after placing stopped", fillToOpen.p50p99(), fillToOpen.size(), fmt(drained)));
            if (!placed.isEmpty()) {
                String perTrade = cpu.perOperation(placed.size());
                report.detail("- CPU per placed trade from the first placement until every trade was OPEN (`/proc`): "
                        + perTrade);
                report.row("CPU per placed trade, placing to OPEN, 16 clients", perTrade, "none set", null);
            }
            report.detail("");
            report.row("orders reaching the exchange, 16 clients", String.format(Locale.ROOT,
                    "%,.0f/s while placing, %,.0f/s until the last arrived", duringRate, overall), ">= 500/s",
                    Math.min(duringRate, overall) >= 500);
            report.row("exchange fill to OPEN in the read model", fillToOpen.p50p99(), "p99 <= 1 s",
                    fillToOpen.millis(99) <= 1000);
            if (reached.size() < placed.size()) {
                problems.add("exchange: " + placed.size() + " placed but " + reached.size() + " reached the exchange");
            }
            progress("exchange: " + duringRate + "/s during, " + overall + "/s overall, fill->open " + fillToOpen.p50p99());
        }
        rowsWrittenPerTrade(writesBefore, placed.size());
    }

    /**
     * Rows the engine wrote per placed trade, by table: a figure the machine's load cannot blur (CPU time per trade
     * inflates when other work shares the cores). From {@code pg_stat_user_tables} of the app's database, read
     * before the placements and once their trades were OPEN and every backend had reported its counts (PostgreSQL
     * 15 reports an idle session's counts within 10 s).
     */
    private void rowsWrittenPerTrade(Map<String, Long> before, int trades) throws SQLException {
        if (trades == 0) {
            return;
        }
        LockSupport.parkNanos(Duration.ofSeconds(11).toNanos()); // until every backend has reported, not an outcome
        Map<String, Long> after = rowsWritten();
        Map<String, Double> perTrade = new java.util.TreeMap<>();
        after.forEach((table, n) -> {
            double rows = (double) (n - before.getOrDefault(table, 0L)) / trades;
            if (rows >= 0.05) {
                perTrade.put(table, rows);
            }
        });
        double total = perTrade.values().stream().mapToDouble(Double::doubleValue).sum();
        String byTable = perTrade.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .map(e -> String.format(Locale.ROOT, "%s %.1f", e.getKey(), e.getValue()))
                .collect(java.util.stream.Collectors.joining(", "));
        report.detail(String.format(Locale.ROOT, "- rows written (inserted, updated or deleted) per placed trade, from "
                + "its placement until it was OPEN, background work of those seconds included (`pg_stat_user_tables`): "
                + "%.1f in all: %s", total, byTable));
        report.detail("");
        report.row("rows written per placed trade (placement to OPEN)", String.format(Locale.ROOT, "%.1f", total),
                "none set", null);
        progress(String.format(Locale.ROOT, "rows written per trade: %.1f (%s)", total, byTable));
    }

    private Map<String, Long> rowsWritten() throws SQLException {
        Map<String, Long> rows = new java.util.HashMap<>();
        try (Connection c = owner(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "select relname, n_tup_ins + n_tup_upd + n_tup_del from pg_stat_user_tables")) {
            while (rs.next()) {
                rows.merge(rs.getString(1), rs.getLong(2), Long::sum);
            }
        }
        return rows;
    }

    // ---------------------------------------------------------------------------------------------- resting

    /** Issue 10: many limit orders far from the market resting at the exchange; what following them costs. */
    private void resting() throws Exception {
        String prefix = "rs-" + run;
        List<String> users = users(prefix, RESTING_ACCOUNTS);
        AtomicInteger next = new AtomicInteger();
        Level l = closedLoop(16, 0, 3600, RESTING, w -> http.place(users.get(next.getAndIncrement() % users.size()),
                BenchHttp.RESTING_BUY) != null);
        if (l.failures > 0) {
            problems.add("resting: " + l.failures + " placements did not answer 202");
        }
        long t0 = System.nanoTime();
        boolean resting = awaitQuietly(Duration.ofSeconds(SETTLE_TIMEOUT_SECONDS), () -> sqlLong(
                "select count(*) from desk_orders where username like '" + prefix + "-%' and acknowledged") >= RESTING);
        Duration toRest = Duration.ofNanos(System.nanoTime() - t0);
        if (!resting) {
            problems.add("resting: not every limit order was acknowledged by the exchange");
        }
        Duration settled = settle("resting");
        report.detail("### Resting limit orders (issue 10)");
        report.detail("");
        report.detail(String.format(Locale.ROOT, "%,d limit buys at $1.00 (far below the market) across %d accounts, "
                + "all acknowledged by the exchange %s after placing, then the engine settled (%s). Two windows of %d s "
                + "in which nothing changes: CPU of the app's JVM from `/proc/PID/stat`, and the order desk's list "
                + "requests from the `paper_desk_list_requests_total` counter at `/actuator/prometheus`.", RESTING,
                RESTING_ACCOUNTS, fmt(toRest), fmt(settled), RESTING_WINDOW_SECONDS));
        report.detail("");
        BenchApp app = current.get();
        String admin = users.get(0);
        double worstCpu = 0;
        double worstLists = 0;
        for (String window : List.of("first window", "second window")) {
            double cpu0 = app.cpuSeconds();
            double lists0 = listRequests(admin);
            long start = System.nanoTime();
            LockSupport.parkNanos(Duration.ofSeconds(RESTING_WINDOW_SECONDS).toNanos()); // the measuring window
            double seconds = (System.nanoTime() - start) / 1e9;
            double cpuShare = (app.cpuSeconds() - cpu0) / seconds;
            double perAccount = (listRequests(admin) - lists0) / RESTING_ACCOUNTS / seconds;
            worstCpu = Math.max(worstCpu, cpuShare);
            worstLists = Math.max(worstLists, perAccount);
            report.detail(String.format(Locale.ROOT, "- %s: %.1f%% of one core; %.3f list requests per account and "
                    + "second", window, cpuShare * 100, perAccount));
        }
        report.detail("");
        report.row(String.format(Locale.ROOT, "%,d resting limit orders, nothing changing", RESTING),
                String.format(Locale.ROOT, "%.1f%% of one core; %.3f list requests per account per second (worst window)",
                        worstCpu * 100, worstLists), "<= 5% of a core; <= 1 list per account per tick (1 s)",
                worstCpu <= 0.05 && worstLists <= 1.0);
        progress("resting: cpu " + worstCpu + ", lists " + worstLists);
    }

    private double listRequests(String admin) {
        HttpResponse<String> r = http.get(admin, "/actuator/prometheus");
        for (String line : r.body().split("\n")) {
            if (line.startsWith("paper_desk_list_requests_total")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        problems.add("resting: /actuator/prometheus answered " + r.statusCode() + " without paper_desk_list_requests_total");
        return 0;
    }

    // ------------------------------------------------------------------------------------------------ replay

    /**
     * A million events: real trades' whole lifecycles multiplied in SQL (new aggregate and event identifiers,
     * payloads rewritten), every processor's token moved past the copies, the app restarted, then the trades
     * projection replayed from the first event through the admin API.
     */
    private void replay() throws Exception {
        settle("replay");
        // real trades only (the list section's synthetic rows have no events)
        String real = "from paper_trades p where status = 'CLOSED' and exists"
                + " (select 1 from domain_event_entry e where e.aggregate_identifier = p.id)";
        int template = (int) sqlLong("select count(*) " + real);
        if (template < REPLAY_TEMPLATE_TRADES / 2) {
            lifecycle("rp-" + run, 600, REPLAY_TEMPLATE_TRADES, false);
            settle("replay");
        }
        long existing = sqlLong("select count(*) from domain_event_entry");
        long copies;
        long templateEvents;
        try (Connection c = owner(); Statement st = c.createStatement()) {
            st.execute("drop table if exists bench_template");
            st.execute("create table bench_template as select id " + real + " order by id limit " + REPLAY_TEMPLATE_TRADES);
            templateEvents = sqlLong("select count(*) from domain_event_entry where aggregate_identifier in"
                    + " (select id from bench_template)");
        }
        copies = templateEvents == 0 ? 0 : Math.max(0, (REPLAY_EVENTS - existing + templateEvents - 1) / templateEvents);
        current.get().stop();
        long t0 = System.nanoTime();
        try (Connection c = owner(); Statement st = c.createStatement()) {
            long head = sqlLong("select coalesce(max(global_index), 0) from domain_event_entry");
            st.execute("""
                    insert into domain_event_entry (global_index, aggregate_identifier, sequence_number, type,
                        event_identifier, meta_data, payload, payload_revision, payload_type, time_stamp)
                    select %d + row_number() over (order by c.n, e.global_index), x.id, e.sequence_number, e.type,
                        gen_random_uuid()::text, e.meta_data,
                        convert_to(replace(replace(convert_from(e.payload, 'UTF8'), e.aggregate_identifier, x.id),
                            '"idempotencyKey":"', '"idempotencyKey":"c' || c.n || '-'), 'UTF8'),
                        e.payload_revision, e.payload_type, e.time_stamp
                    from generate_series(1, %d) c(n)
                    cross join domain_event_entry e
                    cross join lateral (select lpad(to_hex(c.n), 8, '0') || substr(e.aggregate_identifier, 9) as id) x
                    where e.aggregate_identifier in (select id from bench_template)""".formatted(head, copies));
            long newHead = sqlLong("select coalesce(max(global_index), 0) from domain_event_entry");
            st.execute("select setval('domain_event_global_index_seq', " + newHead + ")");
            // every processor (sagas, analytics, monitor, trades) starts past the copies: only the replay reads them
            st.execute("""
                    update token_entry set token = convert_to(regexp_replace(regexp_replace(convert_from(token, 'UTF8'),
                        '"index":[0-9]+', '"index":%d', 'g'), '"gaps":\\[("[^"]*",)?\\[[0-9, ]*\\]\\]', '"gaps":[\\1[]]', 'g'),
                        'UTF8')
                    where token is not null""".formatted(newHead));
            st.execute("vacuum analyze domain_event_entry");
        }
        Duration generated = Duration.ofNanos(System.nanoTime() - t0);
        long events = sqlLong("select count(*) from domain_event_entry");
        long trades = sqlLong("select count(distinct aggregate_identifier) from domain_event_entry where type is not null");
        BenchApp restarted = BenchApp.external(dbUrl, log, APP_JVM_ARGS, APP_PROPERTIES);
        use(restarted);
        progress("replay: " + events + " events generated in " + generated);

        // the raw ceiling: every column of every event, in order, over one connection
        long r0 = System.nanoTime();
        long read = 0;
        try (Connection c = owner()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.setFetchSize(10_000);
                try (ResultSet rs = st.executeQuery("select global_index, aggregate_identifier, sequence_number, type,"
                        + " event_identifier, meta_data, payload, payload_revision, payload_type, time_stamp"
                        + " from domain_event_entry order by global_index")) {
                    while (rs.next()) {
                        rs.getLong(1);
                        rs.getString(2);
                        rs.getLong(3);
                        rs.getString(4);
                        rs.getString(5);
                        rs.getBytes(6);
                        rs.getBytes(7);
                        rs.getString(8);
                        rs.getString(9);
                        rs.getString(10);
                        read++;
                    }
                }
            }
            c.commit();
        }
        double rawRate = read / ((System.nanoTime() - r0) / 1e9);

        String admin = "rp-admin-" + run;
        long start = System.nanoTime();
        HttpResponse<String> asked = http.post(admin, "/api/admin/projections/trades/replay", null);
        if (asked.statusCode() != 202) {
            problems.add("replay: the admin API answered " + asked.statusCode());
            return;
        }
        long[] position = {0};
        boolean done = awaitQuietly(Duration.ofSeconds(REPLAY_TIMEOUT_SECONDS), () -> {
            for (JsonNode p : BenchHttp.json(http.get(admin, "/api/admin/projections").body())) {
                if (p.get("name").asText().equals("trades")) {
                    position[0] = p.get("position").asLong();
                    return !p.get("replaying").asBoolean() && p.get("lag").asLong() == 0;
                }
            }
            return false;
        }, Duration.ofMillis(250));
        double seconds = (System.nanoTime() - start) / 1e9;
        double rate = (done ? events : position[0]) / seconds;
        long rows = sqlLong("select count(*) from paper_trades");
        if (!done) {
            report.note(String.format(Locale.ROOT, "The replay was cut off by its time limit (`bench.replay-timeout-seconds`"
                    + "=%d) at event %,d of %,d; its rate is over what it did in that time. At that rate all %,d events "
                    + "would take %.1f minutes.", REPLAY_TIMEOUT_SECONDS, position[0], events, events, events / rate / 60));
        } else if (rows != trades) {
            problems.add("replay: " + rows + " rows in paper_trades after the replay, but " + trades
                    + " trades in the event store");
        }
        report.detail("### Replay of the trades projection");
        report.detail("");
        report.detail(String.format(Locale.ROOT, "The event store held %,d events from the sections before; %,d "
                + "trades' whole lifecycles (%,d events) were copied %,d times in SQL (new aggregate and event "
                + "identifiers, ids and idempotency keys rewritten in the payloads) in %s, to %,d events of %,d trades. "
                + "Every processor's token was moved past the copies and the app restarted, so only the replay reads "
                + "them. Then `POST /api/admin/projections/trades/replay`, timed until the listing showed it no longer "
                + "replaying and without lag.", existing, REPLAY_TEMPLATE_TRADES, templateEvents, copies,
                fmt(generated), events, trades));
        report.detail("");
        report.detail(String.format(Locale.ROOT, "- replay: %s in %.1f s: %,.0f events/s; paper_trades then held %,d "
                        + "rows for %,d trades in the store%s", done ? "finished" : "**not finished**", seconds, rate,
                rows, trades, done && rows == trades ? " (equal)" : ""));
        report.detail(String.format(Locale.ROOT, "- raw sequential JDBC read of every column of `domain_event_entry` "
                + "(one connection, fetch size 10,000): %,.0f events/s; the replay reached %.1f%% of it", rawRate,
                100 * rate / rawRate));
        report.detail(String.format(Locale.ROOT, "- start to healthy on this migrated database with %,d events: %.1f s",
                events, secs(restarted.startup())));
        report.detail("");
        report.row(String.format(Locale.ROOT, "replay of %,d events", events), String.format(Locale.ROOT,
                "%,.0f events/s%s; raw JDBC read %,.0f events/s; ratio %.1f%%", rate, done ? "" : " (not finished)",
                rawRate, 100 * rate / rawRate), ">= 50,000 events/s", done && rate >= 50_000);
        progress("replay: " + rate + " events/s, raw " + rawRate);
        if (done) {
            replayAnalytics(admin, events, trades, rawRate);
        }
    }

    /**
     * The analytics projection replayed from the first event over the same store, after the trades replay (its bulk
     * rebuild; see the operators' part of the README): timed the same way, beside the same raw read.
     */
    private void replayAnalytics(String admin, long events, long trades, double rawRate) throws Exception {
        String name = "analytics-portfolio";
        long start = System.nanoTime();
        HttpResponse<String> asked = http.post(admin, "/api/admin/projections/" + name + "/replay", null);
        if (asked.statusCode() != 202) {
            problems.add("analytics replay: the admin API answered " + asked.statusCode());
            return;
        }
        long[] position = {0};
        boolean done = awaitQuietly(Duration.ofSeconds(REPLAY_TIMEOUT_SECONDS), () -> {
            for (JsonNode p : BenchHttp.json(http.get(admin, "/api/admin/projections").body())) {
                if (p.get("name").asText().equals(name)) {
                    position[0] = p.get("position").asLong();
                    return !p.get("replaying").asBoolean() && p.get("lag").asLong() == 0;
                }
            }
            return false;
        }, Duration.ofMillis(250));
        double seconds = (System.nanoTime() - start) / 1e9;
        double rate = (done ? events : position[0]) / seconds;
        long rows = sqlLong("select count(*) from analytics_trades");
        if (done && rows != trades) {
            problems.add("analytics replay: " + rows + " rows in analytics_trades after the replay, but " + trades
                    + " trades in the event store");
        }
        report.detail("### Replay of the analytics projection");
        report.detail("");
        report.detail(String.format(Locale.ROOT, "Right after the trades replay, over the same %,d events: `POST "
                + "/api/admin/projections/%s/replay`, timed the same way.", events, name));
        report.detail("");
        report.detail(String.format(Locale.ROOT, "- replay: %s in %.1f s: %,.0f events/s (%.1f%% of the raw read); "
                        + "analytics_trades then held %,d rows for %,d trades in the store%s", done ? "finished"
                        : "**not finished**", seconds, rate, 100 * rate / rawRate, rows, trades,
                done && rows == trades ? " (equal)" : ""));
        report.detail("");
        report.row(String.format(Locale.ROOT, "analytics replay of %,d events", events), String.format(Locale.ROOT,
                "%,.0f events/s%s; ratio to the raw read %.1f%%", rate, done ? "" : " (not finished)",
                100 * rate / rawRate), ">= 50,000 events/s", done && rate >= 50_000);
        progress("analytics replay: " + rate + " events/s");
    }

    // -------------------------------------------------------------------------------------------- list, portfolio

    /** A user's open trades and portfolio through the API with a million trades across a thousand users. */
    private void listAndPortfolio() throws Exception {
        String prefix = "ls-" + run + "-";
        long t0 = System.nanoTime();
        try (Connection c = owner(); Statement st = c.createStatement()) {
            // rows g = 1..LIST_ROWS go to user g mod LIST_USERS; a tenth of each user's rows are OPEN, the rest CLOSED
            st.execute("""
                    insert into paper_trades (id, username, symbol, side, quantity, filled_quantity, order_type,
                        entry_price, exit_price, status, close_reason, realized_pnl, strategy, version, created_at,
                        opened_at, closed_at, updated_at)
                    select '%1$s' || g, '%1$s' || (g %% %2$d), 'AAPL', 'BUY', 1, 1, 'MARKET', 200,
                        case when (g / %2$d) %% 10 = 0 then null else 201 end,
                        case when (g / %2$d) %% 10 = 0 then 'OPEN' else 'CLOSED' end,
                        case when (g / %2$d) %% 10 = 0 then null else 'MANUAL' end,
                        case when (g / %2$d) %% 10 = 0 then null else 1 end, 's' || ((g / %2$d) %% 4), 4,
                        now() - g * interval '1 second', now() - g * interval '1 second',
                        case when (g / %2$d) %% 10 = 0 then null else now() - g * interval '1 second' end, now()
                    from generate_series(1, %3$d) g""".formatted(prefix, LIST_USERS, LIST_ROWS));
            st.execute("""
                    insert into analytics_trades (trade_id, username, strategy, side, multiplier, status,
                        filled_quantity, entry_price, realized_pnl, opened_at, closed_at, close_date, version)
                    select id, username, strategy, side, 1, status, 1, 200, realized_pnl, opened_at, closed_at,
                        (closed_at at time zone 'America/New_York')::date, 4
                    from paper_trades where id like '%1$s%%'""".formatted(prefix));
            st.execute("""
                    insert into analytics_strategy_stats (username, strategy, open_trades, closed_trades, wins, losses,
                        gross_profit, gross_loss, realized_pnl, unrealized_pnl)
                    select username, strategy, count(*) filter (where status = 'OPEN'),
                        count(*) filter (where status = 'CLOSED'), count(*) filter (where status = 'CLOSED'), 0,
                        coalesce(sum(realized_pnl), 0), 0, coalesce(sum(realized_pnl), 0), 0
                    from analytics_trades where trade_id like '%1$s%%' group by username, strategy""".formatted(prefix));
            st.execute("analyze paper_trades");
            st.execute("analyze analytics_trades");
            st.execute("analyze analytics_strategy_stats");
        }
        Duration loaded = Duration.ofNanos(System.nanoTime() - t0);
        long total = sqlLong("select count(*) from paper_trades");
        Samples list = new Samples();
        Samples portfolio = new Samples();
        int wrong = 0;
        for (int i = -200; i < LIST_REQUESTS; i++) { // 200 warm-up rounds
            int k = ThreadLocalRandom.current().nextInt(LIST_USERS);
            String user = prefix + k;
            http.token(user);
            long a = System.nanoTime();
            HttpResponse<String> page = http.get(user, "/api/trades?status=OPEN");
            long b = System.nanoTime();
            HttpResponse<String> folio = http.get(user, "/api/portfolio");
            long c = System.nanoTime();
            if (i >= 0) {
                list.add(b - a);
                portfolio.add(c - b);
            }
            int open = expectedOpen(k);
            if (page.statusCode() != 200 || BenchHttp.json(page.body()).get("total").asInt() != open
                    || folio.statusCode() != 200 || BenchHttp.json(folio.body()).get("openTrades").asInt() != open) {
                wrong++;
            }
        }
        if (wrong > 0) {
            problems.add("list: " + wrong + " answers did not show the user's own open trades");
        }
        String user = prefix + 7;
        String listPlan = explain(user, "select " + TRADE_COLUMNS + " from paper_trades where username = '" + user
                + "' and status in ('OPEN') order by created_at desc, id desc limit 50 offset 0");
        String countPlan = explain(user, "select count(*) from paper_trades where username = '" + user
                + "' and status in ('OPEN')");
        String portfolioPlan = explain(user, "select strategy, open_trades, closed_trades, wins, losses, gross_profit,"
                + " gross_loss, realized_pnl, unrealized_pnl from analytics_strategy_stats where username = '" + user + "'");
        report.detail(String.format(Locale.ROOT, "### A user's open trades and portfolio at %,d trades", LIST_ROWS));
        report.detail("");
        report.detail(String.format(Locale.ROOT, "%,d synthetic trades (one in ten OPEN, four strategies) across %,d "
                + "users were bulk-inserted into `paper_trades` and `analytics_trades`, with their per-strategy rows "
                + "in `analytics_strategy_stats`, in %s; `paper_trades` then held %,d rows. %,d requests of each, one "
                + "at a time, for random users (after 200 warm-up rounds); every answer checked against the user's own "
                + "count of open trades.", LIST_ROWS, LIST_USERS, fmt(loaded), total, LIST_REQUESTS));
        report.detail("");
        report.detail("- `GET /api/trades?status=OPEN` (a page of 50 of the user's " + (LIST_ROWS / LIST_USERS / 10)
                + " open trades, and their count): " + list.p50p99());
        report.detail("- `GET /api/portfolio`: " + portfolio.p50p99());
        report.detail("");
        report.detail("Plans, run as the request role `" + TestDatabase.get().appUser() + "` (RLS-bound, not the owner) "
                + "inside a transaction after `select set_config('app.current_user', '" + user + "', true)`, as the "
                + "app does. The page:");
        report.detail("");
        report.detail("```");
        report.detail(listPlan);
        report.detail("```");
        report.detail("");
        report.detail("The count (a full page asks for the total):");
        report.detail("");
        report.detail("```");
        report.detail(countPlan);
        report.detail("```");
        report.detail("");
        report.detail("The portfolio:");
        report.detail("");
        report.detail("```");
        report.detail(portfolioPlan);
        report.detail("```");
        report.detail("");
        report.row(String.format(Locale.ROOT, "`GET /api/trades?status=OPEN`, %,d trades of %,d users", LIST_ROWS,
                LIST_USERS), list.p50p99(), "p99 <= 10 ms",
                list.millis(99) <= 10);
        report.row("`GET /api/portfolio`, same data", portfolio.p50p99(), "p99 <= 10 ms", portfolio.millis(99) <= 10);
        progress("list " + list.p50p99() + ", portfolio " + portfolio.p50p99());
    }

    private static final String TRADE_COLUMNS = "id, username, symbol, option_symbol, option_type, strike, expiry, side,"
            + " quantity, filled_quantity, order_type, limit_price, entry_price, exit_price, stop_loss, take_profit,"
            + " status, close_reason, realized_pnl, unrealized_pnl, last_price, mfe, mae, strategy, notes, broker,"
            + " broker_order_id, idempotency_key, version, created_at, opened_at, closed_at, updated_at, trade_context";

    /** Open trades of list user k: rows g with g mod LIST_USERS = k and (g div LIST_USERS) mod 10 = 0. */
    private static int expectedOpen(int k) {
        int n = 0;
        for (int g = k == 0 ? LIST_USERS : k; g <= LIST_ROWS; g += LIST_USERS) {
            if ((g / LIST_USERS) % 10 == 0) {
                n++;
            }
        }
        return n;
    }

    private String explain(String user, String sql) throws SQLException {
        TestDatabase db = TestDatabase.get();
        try (Connection c = DriverManager.getConnection(dbUrl, db.appUser(), db.appPassword())) {
            c.setAutoCommit(false);
            try (PreparedStatement bind = c.prepareStatement("select set_config('app.current_user', ?, true)")) {
                bind.setString(1, user);
                bind.execute();
            }
            StringBuilder plan = new StringBuilder();
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("explain (analyze, buffers) " + sql)) {
                while (rs.next()) {
                    plan.append(rs.getString(1)).append('\n');
                }
            }
            c.commit();
            return plan.toString().stripTrailing();
        }
    }

    // ------------------------------------------------------------------------------------------------ support

    interface Op {
        boolean run(int worker) throws Exception;
    }

    record Level(int clients, long ops, int failures, Samples latency, double seconds) {
        double rate() {
            return ops / seconds;
        }
    }

    /**
     * {@code clients} threads, each calling {@code op} again as soon as it returns; counted (and timed) are the
     * calls that start after the warm-up, until {@code measure} seconds later or {@code maxOps} calls in all.
     */
    private Level closedLoop(int clients, int warmup, int measure, int maxOps, Op op) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        Samples latency = new Samples();
        AtomicLong ops = new AtomicLong();
        AtomicInteger failures = new AtomicInteger();
        AtomicInteger started = new AtomicInteger();
        long begin = System.nanoTime();
        long measureFrom = begin + TimeUnit.SECONDS.toNanos(warmup);
        long end = measureFrom + TimeUnit.SECONDS.toNanos(measure);
        AtomicLong lastEnd = new AtomicLong(begin);
        List<Future<?>> workers = new ArrayList<>();
        for (int w = 0; w < clients; w++) {
            int worker = w;
            workers.add(pool.submit(() -> {
                while (true) {
                    long t0 = System.nanoTime();
                    if (t0 >= end || started.incrementAndGet() > maxOps) {
                        return;
                    }
                    boolean ok;
                    try {
                        ok = op.run(worker);
                    } catch (Exception | AssertionError e) {
                        reason(e.getClass().getSimpleName() + ": " + e.getMessage());
                        ok = false;
                    }
                    long t1 = System.nanoTime();
                    lastEnd.accumulateAndGet(t1, Math::max);
                    if (!ok) {
                        failures.incrementAndGet();
                    } else if (t0 >= measureFrom) {
                        ops.incrementAndGet();
                        latency.add(t1 - t0);
                    }
                }
            }));
        }
        for (Future<?> f : workers) {
            f.get();
        }
        pool.shutdown();
        // a count-bounded loop ends before its time: rate over the time it took
        double seconds = Math.min(end, lastEnd.get()) > measureFrom
                ? (Math.min(end, lastEnd.get()) - measureFrom) / 1e9 : measure;
        return new Level(clients, ops.get(), failures.get(), latency, Math.max(seconds, 1e-3));
    }

    private void reason(String why) {
        reasons.computeIfAbsent(why, k -> new AtomicInteger()).incrementAndGet();
    }

    private List<String> users(String prefix, int n) {
        List<String> users = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            users.add(prefix + "-" + i);
            http.token(users.get(i)); // minted before any clock starts
        }
        return users;
    }

    private void use(BenchApp app) {
        current.set(app);
        http = new BenchHttp(app.base());
    }

    private Thread rssSampler() {
        Thread t = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                maxRssKb.accumulateAndGet(current.get().rssKb(), Math::max);
                LockSupport.parkNanos(Duration.ofMillis(250).toNanos()); // the sampling period
            }
        }, "bench-rss");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Waits (bounded) until the trades are in the read model meeting the condition; how long that took. */
    private Duration awaitTrades(java.util.Collection<String> ids, String condition, String section) throws Exception {
        long t0 = System.nanoTime();
        try (Visibility v = new Visibility(owner(), condition)) {
            ids.forEach(id -> v.register(id, t0));
            if (!awaitQuietly(Duration.ofSeconds(SETTLE_TIMEOUT_SECONDS), () -> v.pending() == 0)) {
                problems.add(section + ": " + v.pending() + " trades never met " + condition + " in the read model");
            }
        }
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    private long lastHead = -1;
    private long lastHeadChange;

    /**
     * Waits (bounded) until the engine is at rest: no event stored for 3 s and no projection behind, so a section
     * does not measure the previous one's backlog. Returns how long that took.
     */
    private Duration settle(String section) {
        long t0 = System.nanoTime();
        lastHead = -1;
        String admin = "settle-" + run;
        boolean ok = awaitQuietly(Duration.ofSeconds(SETTLE_TIMEOUT_SECONDS), () -> {
            long head = sqlLong("select coalesce(max(global_index), 0) from domain_event_entry");
            if (head != lastHead) {
                lastHead = head;
                lastHeadChange = System.nanoTime();
                return false;
            }
            if (System.nanoTime() - lastHeadChange < Duration.ofSeconds(3).toNanos()) {
                return false;
            }
            for (JsonNode p : BenchHttp.json(http.get(admin, "/api/admin/projections").body())) {
                if (p.get("lag").asLong() > 0 || p.get("replaying").asBoolean()) {
                    return false;
                }
            }
            return true;
        }, Duration.ofMillis(500));
        if (!ok) {
            report.note("Before " + section + " the engine did not come to rest within " + SETTLE_TIMEOUT_SECONDS
                    + " s; that section's figures include the earlier sections' backlog.");
        }
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        progress("settled before " + section + " in " + fmt(took));
        return took;
    }

    private static boolean awaitQuietly(Duration limit, java.util.concurrent.Callable<Boolean> condition) {
        return awaitQuietly(limit, condition, Duration.ofMillis(50));
    }

    private static boolean awaitQuietly(Duration limit, java.util.concurrent.Callable<Boolean> condition, Duration poll) {
        try {
            await().atMost(limit).pollInterval(poll).until(condition);
            return true;
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            return false;
        }
    }

    private Connection owner() throws SQLException {
        return databases.ownerConnection(dbUrl);
    }

    private long sqlLong(String sql) throws SQLException {
        try (Connection c = owner(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private String sqlString(String sql) throws SQLException {
        try (Connection c = owner(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static double secs(Duration d) {
        return d.toNanos() / 1e9;
    }

    private static String fmt(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", secs(d));
    }

    private static void progress(String line) {
        String stamped = DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS))
                + " " + line;
        System.out.println("[bench] " + stamped);
        try {
            Files.writeString(Path.of("target", "bench-progress.log"), stamped + "\n",
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException ignored) {
            // progress is a convenience; the report is what counts
        }
    }
}
