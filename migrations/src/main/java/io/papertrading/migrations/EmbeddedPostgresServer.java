package io.papertrading.migrations;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A real PostgreSQL server run from the binaries packaged in a Maven artifact, for the embedded default and
 * for tests on machines without a server. Its data directory persists; a server left running by a killed JVM
 * is adopted rather than started twice.
 *
 * <p>PostgreSQL refuses to run as root. As root, the server is started inside a new user namespace
 * ({@code unshare -U}) where it is not root; where user namespaces are unavailable it fails with a message
 * pointing at {@code PAPER_DB_URL}.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    /** The superuser created by initdb; it owns the schema and runs the migrations. */
    public static final String SUPERUSER = "postgres";

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresServer.class);
    private static final String ARCHIVE = "postgres-linux-x86_64.txz";

    private final Path dataDir;
    private final Path binDir;
    private final int port;
    private final boolean startedHere;

    private EmbeddedPostgresServer(Path dataDir, Path binDir, int port, boolean startedHere) {
        this.dataDir = dataDir;
        this.binDir = binDir;
        this.port = port;
        this.startedHere = startedHere;
    }

    /**
     * Starts (or adopts) a server on {@code dataDir}, creating the cluster on first use. With a non-null
     * {@code superuserPassword} the cluster requires passwords (scram-sha-256); with null it trusts local
     * connections, which only throwaway test clusters should do.
     */
    public static EmbeddedPostgresServer start(Path dataDir, String superuserPassword) {
        try {
            Path installation = unpackBinaries();
            Path bin = installation.resolve("bin");
            Files.createDirectories(dataDir.getParent() == null ? dataDir : dataDir.getParent());
            if (!Files.exists(dataDir.resolve("PG_VERSION"))) {
                initdb(bin, dataDir, superuserPassword);
            }
            Integer running = runningPort(bin, dataDir);
            if (running != null) {
                log.info("Adopting the embedded PostgreSQL already running on port {}", running);
                return new EmbeddedPostgresServer(dataDir, bin, running, false);
            }
            int port = freePort();
            run(bin, List.of("pg_ctl", "-D", dataDir.toString(), "-w", "-t", "60", "-l",
                    dataDir.resolveSibling(dataDir.getFileName() + ".log").toString(), "-o",
                    "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c max_connections=200",
                    "start"));
            log.info("Embedded PostgreSQL started on 127.0.0.1:{} with data in {}", port, dataDir);
            return new EmbeddedPostgresServer(dataDir, bin, port, true);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the embedded PostgreSQL: " + e.getMessage(), e);
        }
    }

    /** JDBC URL of {@code database} on this server. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    public int port() {
        return port;
    }

    /** Stops the server (fast shutdown: clients are disconnected, nothing committed is lost). */
    @Override
    public void close() {
        try {
            run(binDir, List.of("pg_ctl", "-D", dataDir.toString(), "-m", "fast", "-w", "-t", "60", "stop"));
        } catch (IOException | RuntimeException e) {
            log.warn("Could not stop the embedded PostgreSQL cleanly: {}", e.getMessage());
        }
    }

    /** Whether this object started the server (false when it adopted one left running). */
    public boolean startedHere() {
        return startedHere;
    }

    private static void initdb(Path bin, Path dataDir, String password) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("initdb", "-D", dataDir.toString(), "-U", SUPERUSER, "-E", "UTF8",
                "--locale=C", "--no-sync"));
        Path pwFile = null;
        if (password != null) {
            pwFile = Files.createTempFile("pgpw", ".txt", PosixFilePermissions.asFileAttribute(
                    Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE)));
            Files.writeString(pwFile, password + "\n");
            cmd.addAll(List.of("-A", "scram-sha-256", "--pwfile=" + pwFile));
        } else {
            cmd.addAll(List.of("-A", "trust"));
        }
        try {
            run(bin, cmd);
        } finally {
            if (pwFile != null) {
                Files.deleteIfExists(pwFile);
            }
        }
    }

    private static Integer runningPort(Path bin, Path dataDir) throws IOException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return null;
        }
        Process p = process(bin, List.of("pg_ctl", "-D", dataDir.toString(), "status")).start();
        try {
            p.getInputStream().readAllBytes();
            if (p.waitFor() != 0) {
                return null;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
        // line 4 of postmaster.pid is the port the running server listens on
        List<String> lines = Files.readAllLines(pidFile);
        return lines.size() > 3 ? Integer.parseInt(lines.get(3).trim()) : null;
    }

    private static void run(Path bin, List<String> command) throws IOException {
        Process p = process(bin, command).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(command.get(0) + " did not finish in time");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + command.get(0));
        }
        if (p.exitValue() != 0) {
            if (isRoot() && output.contains("unshare")) {
                throw new IOException("PostgreSQL cannot run as root and user namespaces (unshare -U) are not available "
                        + "here; run as another user or set PAPER_DB_URL to an external PostgreSQL. " + output.trim());
            }
            throw new IOException(command.get(0) + " failed: " + output.trim());
        }
    }

    private static ProcessBuilder process(Path bin, List<String> command) {
        List<String> full = new ArrayList<>();
        if (isRoot()) {
            // initdb and postgres refuse uid 0; inside a fresh user namespace the process is not root,
            // while the files it writes still belong to the real user outside.
            full.addAll(List.of("unshare", "-U"));
        }
        full.add(bin.resolve(command.get(0)).toString());
        full.addAll(command.subList(1, command.size()));
        ProcessBuilder pb = new ProcessBuilder(full).redirectErrorStream(true);
        pb.environment().put("LC_ALL", "C");
        return pb;
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /**
     * Unpacks the server once per user and version into a private cache directory ({@code $XDG_CACHE_HOME} or
     * {@code ~/.cache}, mode 0700, owned by this user); concurrent JVMs wait on a lock. Not the shared temp
     * directory: there another local user could plant binaries under the predictable name before us, and we
     * would run them with the database's secrets.
     */
    private static Path unpackBinaries() throws IOException {
        Path cache = privateCacheDirectory();
        Path base = cache.resolve("pg-" + binariesVersion());
        Path done = base.resolve(".complete");
        if (Files.exists(done)) {
            return base;
        }
        Path lockFile = base.resolveSibling(base.getFileName() + ".lock");
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = channel.lock()) {
            if (Files.exists(done)) {
                return base;
            }
            Path staging = Files.createTempDirectory(base.getParent(), "pg-unpack");
            try (InputStream raw = EmbeddedPostgresServer.class.getClassLoader().getResourceAsStream(ARCHIVE)) {
                if (raw == null) {
                    throw new IOException("the PostgreSQL binaries (" + ARCHIVE + ") are not on the classpath");
                }
                extract(raw, staging);
            }
            deleteRecursively(base);
            Files.move(staging, base, StandardCopyOption.ATOMIC_MOVE);
            Files.createFile(done);
            return base;
        }
    }

    static Path privateCacheDirectory() throws IOException {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path root = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        Path cache = root.resolve("paper-trading");
        Files.createDirectories(cache);
        Set<PosixFilePermission> privateDir = PosixFilePermissions.fromString("rwx------");
        Path probe = Files.createTempFile(cache, "owner", ".probe");
        boolean ours;
        try {
            // a file we just made is ours, whatever this user is called (containers may have no passwd entry)
            ours = Files.getOwner(cache).equals(Files.getOwner(probe));
        } finally {
            Files.deleteIfExists(probe);
        }
        if (!ours) {
            throw new IOException(cache + " belongs to another user; it must not hold the binaries we run");
        }
        if (!Files.getPosixFilePermissions(cache).equals(privateDir)) {
            Files.setPosixFilePermissions(cache, privateDir);
        }
        return cache;
    }

    private static String binariesVersion() {
        Package p = EmbeddedPostgresServer.class.getPackage();
        String v = p == null ? null : p.getImplementationVersion();
        try (InputStream in = EmbeddedPostgresServer.class.getClassLoader().getResourceAsStream(ARCHIVE)) {
            // the archive's size tells binary versions apart without hashing 15 MB on every start
            long size = in == null ? 0 : in.available();
            return (v == null ? "dev" : v) + "-" + size;
        } catch (IOException e) {
            return v == null ? "dev" : v;
        }
    }

    private static void extract(InputStream raw, Path target) throws IOException {
        try (TarArchiveInputStream tar = new TarArchiveInputStream(
                new XZCompressorInputStream(new BufferedInputStream(raw)))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                Path out = target.resolve(entry.getName()).normalize();
                if (!out.startsWith(target)) {
                    throw new IOException("archive entry outside the target: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(out);
                } else if (entry.isSymbolicLink()) {
                    Files.createDirectories(out.getParent());
                    Files.deleteIfExists(out);
                    Files.createSymbolicLink(out, Path.of(entry.getLinkName()));
                } else {
                    Files.createDirectories(out.getParent());
                    Files.copy(tar, out, StandardCopyOption.REPLACE_EXISTING);
                    if ((entry.getMode() & 0100) != 0) {
                        out.toFile().setExecutable(true, false);
                    }
                }
            }
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
