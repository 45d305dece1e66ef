package io.papertrading.app;

import io.papertrading.migrations.TestDatabase;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The app refuses to serve requests through a role that could see every user's rows, and refuses to run the
 * engine without a role of its own.
 */
class StartupGuardIT {

    @Test
    void refusesToStartWhenTheRequestRoleIsASuperuser() {
        TestDatabase db = TestDatabase.get();

        assertThat(refusal(db.ownerUser(), db.ownerPassword(), db.engineUser(), db.enginePassword()))
                .contains("is a superuser, which bypasses row-level security");
    }

    @Test
    void refusesToStartWhenTheEngineRoleIsASuperuser() {
        TestDatabase db = TestDatabase.get();

        assertThat(refusal(db.appUser(), db.appPassword(), db.ownerUser(), db.ownerPassword()))
                .contains("(PAPER_DB_ENGINE_USER) is a superuser");
    }

    @Test
    void refusesToStartWithoutAnEngineRoleOrWithTheRequestRoleInItsPlace() {
        TestDatabase db = TestDatabase.get();

        assertThat(refusal(db.appUser(), db.appPassword(), "", ""))
                .contains("PAPER_DB_ENGINE_USER must be set when PAPER_DB_URL is set")
                .contains("CREATE ROLE paper_engine LOGIN NOSUPERUSER NOBYPASSRLS");
        assertThat(refusal(db.appUser(), db.appPassword(), db.appUser(), db.appPassword()))
                .contains("PAPER_DB_USER and PAPER_DB_ENGINE_USER name the same role");
    }

    /** Starts the app on the test database with these roles and returns the messages of why it would not start. */
    private static String refusal(String user, String password, String engineUser, String enginePassword) {
        PaperTradingApplication.disableAxonUpdateChecker();
        TestDatabase db = TestDatabase.get();
        // command-line arguments outrank the system properties other integration tests set
        List<String> args = new ArrayList<>(List.of(
                "--server.port=0",
                "--paper.db.url=" + db.url(),
                "--paper.db.user=" + user,
                "--paper.db.password=" + password,
                "--paper.db.engine-user=" + engineUser,
                "--paper.db.engine-password=" + enginePassword,
                "--paper.db.owner-user=" + db.ownerUser(),
                "--paper.db.owner-password=" + db.ownerPassword(),
                "--paper.auth.jwt-secret=startup-guard-test-secret-of-32-bytes!"));
        SpringApplicationBuilder app = new SpringApplicationBuilder(PaperTradingApplication.class);
        StringBuilder messages = new StringBuilder();
        assertThatThrownBy(() -> {
            try (ConfigurableApplicationContext ignored = app.run(args.toArray(String[]::new))) {
                // reaching this line means the app started: the assertion fails
            }
        }).satisfies(e -> {
            for (Throwable t = e; t != null; t = t.getCause()) {
                messages.append(t.getMessage()).append('\n');
            }
        });
        return messages.toString();
    }
}
