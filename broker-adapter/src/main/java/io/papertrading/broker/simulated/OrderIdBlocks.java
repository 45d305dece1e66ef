package io.papertrading.broker.simulated;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Objects;

/**
 * Simulated order ids from blocks of a sequence ({@code sim_order_ids}): one {@code nextval} reserves as many ids
 * as the sequence's increment (50 since migration V42), so an order placed inside an account's locked transaction
 * costs no round trip for its id most of the time. Each {@code nextval} answers a block no other caller gets, so
 * nodes sharing the database never hand out one id twice; the increment is read with the block, so a sequence left
 * at 1 simply means a block of one. Ids grow with time on one node; two nodes interleave their blocks.
 */
final class OrderIdBlocks {

    private static final String NEXT_BLOCK =
            "select nextval(?::regclass), (select seqincrement from pg_sequence where seqrelid = ?::regclass)";

    private final String sequence;
    private long next;
    /** Exclusive end of the current block. */
    private long end;

    OrderIdBlocks(String sequence) {
        this.sequence = Objects.requireNonNull(sequence, "sequence");
    }

    /** The next id, reserving a new block through {@code c} when the current one is used up. */
    synchronized long next(Connection c) throws SQLException {
        if (next >= end) {
            try (PreparedStatement ps = c.prepareStatement(NEXT_BLOCK)) {
                ps.setString(1, sequence);
                ps.setString(2, sequence);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    long first = rs.getLong(1);
                    next = first;
                    end = first + Math.max(1, rs.getLong(2));
                }
            }
        }
        return next++;
    }
}
