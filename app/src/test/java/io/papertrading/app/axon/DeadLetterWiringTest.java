package io.papertrading.app.axon;

import org.junit.jupiter.api.Test;
import org.springframework.dao.CannotAcquireLockException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.dao.QueryTimeoutException;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

import static org.assertj.core.api.Assertions.assertThat;

class DeadLetterWiringTest {

    @Test
    void treatsTimeoutsLocksAndLostConnectionsAsTransient() {
        assertThat(DeadLetterWiring.isTransient(new QueryTimeoutException("statement timeout"))).isTrue();
        assertThat(DeadLetterWiring.isTransient(new CannotAcquireLockException("lock"))).isTrue();
        assertThat(DeadLetterWiring.isTransient(new IllegalStateException(new SQLTransientConnectionException("gone")))).isTrue();
        assertThat(DeadLetterWiring.isTransient(new RuntimeException(new SQLException("canceled", "57014")))).isTrue();
        assertThat(DeadLetterWiring.isTransient(new RuntimeException(new SQLException("deadlock", "40P01")))).isTrue();
        assertThat(DeadLetterWiring.isTransient(new RuntimeException(new SQLException("link down", "08006")))).isTrue();
    }

    @Test
    void treatsBadDataAndBugsAsPermanent() {
        assertThat(DeadLetterWiring.isTransient(new DuplicateKeyException("dup"))).isFalse();
        assertThat(DeadLetterWiring.isTransient(new DataIntegrityViolationException("NUL", new SQLException("x", "22021")))).isFalse();
        assertThat(DeadLetterWiring.isTransient(new NullPointerException())).isFalse();
    }
}
