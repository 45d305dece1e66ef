package io.papertrading.query.trade;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.zaxxer.hikari.HikariDataSource;
import io.papertrading.query.support.EventStoreReader;
import io.papertrading.query.support.ProjectionRebuild;
import org.axonframework.serialization.json.JacksonSerializer;
import org.axonframework.serialization.upcasting.event.EventUpcasterChain;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

class RebuildDevBench {
    static long pgTicks() throws Exception {
        long t = 0;
        for (var d : java.nio.file.Files.newDirectoryStream(java.nio.file.Path.of("/proc"), "[0-9]*")) {
            try {
                String comm = java.nio.file.Files.readString(d.resolve("comm")).trim();
                if (!comm.startsWith("postgres")) continue;
                String stat = java.nio.file.Files.readString(d.resolve("stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                t += Long.parseLong(f[11]) + Long.parseLong(f[12]);
            } catch (Exception e) { }
        }
        return t;
    }
    @Test
    void run() throws Exception {
        HikariDataSource ds = new HikariDataSource();
        ds.setJdbcUrl("jdbc:postgresql://127.0.0.1:5432/replay_dev");
        ds.setUsername("paper_engine");
        ds.setPassword("paper-engine-test-password");
        ds.setMaximumPoolSize(4);
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        var mapper = JsonMapper.builder().addModule(new JavaTimeModule())
                .addModule(new com.fasterxml.jackson.databind.module.SimpleModule("i").addDeserializer(java.time.Instant.class, new IsoInstantDeserializer()))
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();
        var serializer = JacksonSerializer.builder().objectMapper(mapper).build();
        EventStoreReader reader = new EventStoreReader(ds, jdbc, () -> serializer, () -> new EventUpcasterChain(), () -> false);
        String mode = System.getProperty("mode", "full");
        for (int i = 0; i < 4; i++) { try (var c = ds.getConnection()) { } }
        long pg0 = pgTicks();
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long java0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        long[] n = {0};
        if (mode.equals("raw") || mode.equals("rawtext") || mode.equals("jackson")) {
            var reader2 = mapper.readerFor(Object.class);
            java.util.Map<String, com.fasterxml.jackson.databind.ObjectReader> readers = new java.util.HashMap<>();
            try (var c = ds.getConnection()) {
                c.setAutoCommit(false);
                try (var ps = c.prepareStatement("select global_index, type, aggregate_identifier, sequence_number, event_identifier, time_stamp, payload_type, payload_revision, payload from domain_event_entry order by global_index")) {
                    if (!mode.equals("rawtext")) ps.unwrap(org.postgresql.PGStatement.class).setPrepareThreshold(-1);
                    ps.setFetchSize(5000);
                    try (var rs = ps.executeQuery()) {
                        while (rs.next()) {
                            rs.getLong(1); rs.getString(2); rs.getString(3); rs.getLong(4); rs.getString(5); rs.getString(6);
                            String type = rs.getString(7); rs.getString(8); byte[] p = rs.getBytes(9);
                            if (mode.equals("jackson")) {
                                var r = readers.computeIfAbsent(type, t -> { try { return mapper.readerFor(Class.forName(t)); } catch (Exception x) { throw new RuntimeException(x); } });
                                r.readValue(p);
                            }
                            n[0]++;
                        }
                    }
                }
            }
        } else if (mode.equals("read")) {
            try (var read = reader.bulkRead(io.papertrading.kernel.trade.event.TradeEvent.class)) {
                read.forEach(e -> n[0]++);
            }
        } else if (mode.equals("fold")) {
            TradeRebuildFold fold = TradeRebuildFold.bulk(h -> n[0]++, p -> {});
            try (var read = reader.bulkRead(io.papertrading.kernel.trade.event.TradeEvent.class)) {
                read.forEach(fold::apply);
            }
        } else {
            TradeRebuild rebuild = new TradeRebuild(ds, jdbc, new TradeChangeSignal());
            ProjectionRebuild.Load load = rebuild.begin();
            try (var read = reader.bulkRead(io.papertrading.kernel.trade.event.TradeEvent.class)) {
                read.forEach(e -> { load.bulk(e); n[0]++; });
            }
            System.out.printf("bulk read+fold+copy done at %.1f s%n", (System.nanoTime() - t0) / 1e9);
            load.loaded();
        }
        double cpu = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() / 1e9;
        System.out.printf("CPU of this thread %.1f s; java process %.1f s; postgres %.1f s%n", cpu,
                (os.getProcessCpuTime() - java0) / 1e9, (pgTicks() - pg0) / 100.0);
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf("MODE %s: %d in %.1f s = %.0f/s%n", mode, n[0], s, n[0] / s);
    }
}
