package io.papertrading.broker.simulated;

import io.papertrading.migrations.TestDatabase;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Order ids taken in blocks of the sequence, by two nodes drawing in turns, as the engine role. */
class OrderIdBlocksIT {

    private final String run = Long.toHexString(System.nanoTime());

    @Test
    void twoNodesDrawingInTurnsGetDistinctIdsInRunsOfTheSequencesIncrement() throws SQLException {
        try (Connection owner = TestDatabase.get().owner().getConnection(); Statement st = owner.createStatement();
             ResultSet rs = st.executeQuery(
                     "select increment_by from pg_sequences where sequencename = 'sim_order_ids'")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(50);
        }
        List<List<Long>> drawn = drawInTurns("sim_order_ids", 60);

        assertThat(distinct(drawn)).hasSize(120);
        // 60 ids from blocks of 50 are at most two runs of consecutive ids per node, however the draws interleave
        assertThat(runs(drawn.get(0))).isLessThanOrEqualTo(2);
        assertThat(runs(drawn.get(1))).isLessThanOrEqualTo(2);
    }

    @Test
    void aSequenceWithAnIncrementOfOneGivesBlocksOfOneAndStillNoIdTwice() throws SQLException {
        String sequence = "order_ids_by_one_" + run;
        owner("create sequence " + sequence + "; grant usage on sequence " + sequence + " to "
                + TestDatabase.get().engineUser());
        try {
            List<List<Long>> drawn = drawInTurns(sequence, 20);

            assertThat(distinct(drawn)).hasSize(40);
            assertThat(runs(drawn.get(0))).isEqualTo(20); // the other node took every id in between
        } finally {
            owner("drop sequence " + sequence);
        }
    }

    /** Two nodes' blocks, each on its own engine connection, drawing {@code each} ids in turns. */
    private static List<List<Long>> drawInTurns(String sequence, int each) throws SQLException {
        OrderIdBlocks a = new OrderIdBlocks(sequence);
        OrderIdBlocks b = new OrderIdBlocks(sequence);
        List<Long> fromA = new ArrayList<>();
        List<Long> fromB = new ArrayList<>();
        try (Connection ca = TestDatabase.get().engine().getConnection();
             Connection cb = TestDatabase.get().engine().getConnection()) {
            for (int i = 0; i < each; i++) {
                fromA.add(a.next(ca));
                fromB.add(b.next(cb));
            }
        }
        return List.of(fromA, fromB);
    }

    private static Set<Long> distinct(List<List<Long>> drawn) {
        Set<Long> all = new HashSet<>();
        drawn.forEach(all::addAll);
        return all;
    }

    /** How many runs of consecutive numbers the ids, in the order drawn, make. */
    private static int runs(List<Long> ids) {
        int runs = 1;
        for (int i = 1; i < ids.size(); i++) {
            if (ids.get(i) != ids.get(i - 1) + 1) {
                runs++;
            }
        }
        return runs;
    }

    private static void owner(String sql) throws SQLException {
        try (Connection c = TestDatabase.get().owner().getConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
