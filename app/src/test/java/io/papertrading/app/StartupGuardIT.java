package io.papertrading.app;

import io.papertrading.migrations.TestDatabase;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The app refuses to serve requests through a role that could see every user's rows. */
class StartupGuardIT {

    @Test
    void refusesToStartWhenTheRequestRoleIsASuperuser() {
        PaperTradingApplication.disableAxonUpdateChecker();
        TestDatabase db = TestDatabase.get();
        // command-line arguments outrank the system properties other integration tests set
        SpringApplicationBuilder app = new SpringApplicationBuilder(PaperTradingApplication.class);
        assertThatThrownBy(() -> {
            try (ConfigurableApplicationContext ignored = app.run(
                    "--server.port=0",
                    "--paper.db.url=" + db.url(),
                    "--paper.db.user=" + db.ownerUser(),
                    "--paper.db.password=" + db.ownerPassword(),
                    "--paper.db.owner-user=" + db.ownerUser(),
                    "--paper.db.owner-password=" + db.ownerPassword(),
                    "--paper.auth.jwt-secret=startup-guard-test-secret-of-32-bytes!")) {
                // reaching this line means the app started: the assertion below fails
            }
        }).satisfies(e -> assertThat(rootMessages(e)).contains("is a superuser, which bypasses row-level security"));
    }

    private static String rootMessages(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append('\n');
        }
        return all.toString();
    }
}
