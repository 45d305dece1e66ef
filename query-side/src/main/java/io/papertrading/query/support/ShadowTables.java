package io.papertrading.query.support;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;

/**
 * A projection's shadow tables ({@code <table>_rebuild}) as its bulk rebuild drives them, through the owner's
 * {@code SECURITY DEFINER} functions named {@code <functions>_begin}, {@code _index}, {@code _owners},
 * {@code _loaded}, {@code _switch} and {@code _analyze} (migration V37 for the trades projection, V38 for the
 * analytics one): the engine role may call those and nothing else of the DDL they do.
 */
public final class ShadowTables {

    /** How long the switch waits for request handling's reads of the live tables before it gives up (and is retried). */
    public static final String LOCK_TIMEOUT = "2s";
    /** Indexes built at once after a load, each on a connection of its own. */
    private static final int INDEX_BUILDERS = 4;
    private static final Logger log = LoggerFactory.getLogger(ShadowTables.class);

    private final JdbcTemplate jdbc;
    private final String functions;
    private final List<String> tables;

    /**
     * {@code jdbc} is the engine's; {@code tables} the live tables, the largest first (its indexes are started first).
     */
    public ShadowTables(JdbcTemplate jdbc, String functions, List<String> tables) {
        this.jdbc = jdbc;
        this.functions = functions;
        this.tables = List.copyOf(tables);
    }

    /** Empties the shadows and readies them for a load: no keys, indexes, triggers or row-level security. */
    public void begin() {
        jdbc.execute("select " + functions + "_begin()");
    }

    /**
     * Registers the loaded rows' owners and builds every index of the shadows, {@value #INDEX_BUILDERS} at a time on
     * connections of their own; then attaches the keys and foreign keys, turns the triggers on and gathers
     * statistics. A unique index refused for a duplicate is built again if {@code removeDuplicates} (given the
     * table) removed them.
     */
    public void loaded(Predicate<String> removeDuplicates) throws Exception {
        List<Callable<Void>> builds = new ArrayList<>();
        builds.add(() -> {
            jdbc.execute("select " + functions + "_owners()");
            return null;
        });
        for (String table : tables) {
            Integer count = jdbc.queryForObject("select count(*) from pg_index where indrelid = to_regclass(?)",
                    Integer.class, "public." + table);
            for (int item = 0; item < (count == null ? 0 : count); item++) {
                int index = item;
                builds.add(() -> {
                    index(table, index, removeDuplicates);
                    return null;
                });
            }
        }
        ExecutorService builders = Executors.newFixedThreadPool(INDEX_BUILDERS, work -> {
            Thread t = new Thread(work, functions + "-index");
            t.setDaemon(true);
            return t;
        });
        try {
            for (Future<Void> build : builders.invokeAll(builds)) {
                try {
                    build.get();
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof Exception cause ? cause : e;
                }
            }
        } finally {
            builders.shutdownNow();
        }
        jdbc.execute("select " + functions + "_loaded()");
    }

    private void index(String table, int item, Predicate<String> removeDuplicates) {
        try {
            jdbc.queryForObject("select " + functions + "_index(?, ?)", Boolean.class, table, item);
        } catch (DuplicateKeyException e) {
            boolean removed;
            synchronized (this) {
                removed = removeDuplicates.test(table);
            }
            if (!removed) {
                throw e;
            }
            jdbc.queryForObject("select " + functions + "_index(?, ?)", Boolean.class, table, item);
        }
    }

    /**
     * Switches the shadows in, in the caller's transaction (with the processor's tokens): they take the live names,
     * with row-level security and the request role's SELECT. Waits at most {@link #LOCK_TIMEOUT} for readers.
     */
    public void switchIn() {
        jdbc.execute("set local lock_timeout = '" + LOCK_TIMEOUT + "'");
        jdbc.execute("select " + functions + "_switch()");
    }

    /** After a switch: full statistics of the tables now live. */
    public void analyze() {
        jdbc.execute("select " + functions + "_analyze()");
    }

    /**
     * {@link #switchIn()}, and the processor's dead letters of the rebuilt trades go with the old tables: the rebuilt
     * rows hold every event so far, so a parked event is applied and its letter stale. {@code rebuiltTradeIds} is a
     * query of the rebuilt trades' ids; {@code afterCommit} runs once the caller's transaction committed the switch.
     */
    public void switchIn(String processingGroup, String rebuiltTradeIds, String name, Runnable afterCommit) {
        int letters = jdbc.update("delete from dead_letter_entry where processing_group = ? and sequence_identifier in ("
                + rebuiltTradeIds + ")", processingGroup);
        switchIn();
        if (letters > 0) {
            log.info("{} rebuild: {} dead letters of rebuilt trades removed", name, letters);
        }
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    afterCommit.run();
                }
            });
        }
    }

    /**
     * Ends a load, switched in or not: stops its writer and empties the shadows (the old tables after a switch), then
     * gathers the new live tables' statistics if they were switched in.
     */
    public void finish(CopyLoader<?> loader, boolean switched, String name) {
        try {
            loader.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            begin();
            if (switched) {
                analyze();
            }
        } catch (RuntimeException e) {
            // the next rebuild empties them first anyway; autovacuum gathers statistics in time
            log.warn("could not empty the {} rebuild tables or analyze the live ones: {}", name,
                    e.getClass().getSimpleName());
        }
    }
}
