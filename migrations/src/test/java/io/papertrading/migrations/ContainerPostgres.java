package io.papertrading.migrations;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.TestcontainersConfiguration;

import java.util.Locale;

/**
 * The second of {@link TestDatabase}'s three sources: a PostgreSQL container started through Testcontainers
 * on whatever Docker-compatible engine answers (Docker, or podman's API socket named by {@code DOCKER_HOST}).
 *
 * <p>{@code PAPER_TEST_CONTAINERS} chooses whether it is tried: {@code auto} (the default) uses it when an
 * engine answers, {@code off} never asks one, {@code required} fails rather than fall back to the embedded
 * server (CI uses it, so a misconfigured engine cannot pass for a green container tier).
 * {@code PAPER_TEST_PG_IMAGE} names the image, so a locally built one serves where no registry is reachable
 * ({@code docker/build-local-images.sh}).
 */
final class ContainerPostgres {

    static final String DEFAULT_IMAGE = "postgres:16";

    enum Mode { AUTO, OFF, REQUIRED }

    private ContainerPostgres() {
    }

    static Mode mode() {
        String v = System.getenv("PAPER_TEST_CONTAINERS");
        if (v == null || v.isBlank()) {
            return Mode.AUTO;
        }
        try {
            return Mode.valueOf(v.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("PAPER_TEST_CONTAINERS is auto, off or required, not " + v);
        }
    }

    static String image() {
        String v = System.getenv("PAPER_TEST_PG_IMAGE");
        return v == null || v.isBlank() ? DEFAULT_IMAGE : v.trim();
    }

    /** Whether a Docker-compatible engine answers; asking costs little when there is none. */
    static boolean engineAnswers() {
        return DockerClientFactory.instance().isDockerAvailable();
    }

    /**
     * Starts the container; the caller stops it. Its superuser plays the role the machine's {@code postgres}
     * user plays for {@code PAPER_TEST_DB_URL}: it creates the test database and the app role.
     */
    static PostgreSQLContainer<?> start() {
        // a locally built image is not the official one by name: say it speaks the same protocol and settings
        DockerImageName image = DockerImageName.parse(image()).asCompatibleSubstituteFor("postgres");
        PostgreSQLContainer<?> container = new PostgreSQLContainer<>(image)
                // as many connections as the embedded server allows: tests start extra app processes
                .withCommand("postgres", "-c", "fsync=off", "-c", "max_connections=200");
        if (TestcontainersConfiguration.getInstance().environmentSupportsReuse()) {
            // Without Ryuk (podman) Testcontainers removes its containers in a JVM shutdown hook that runs at the
            // same moment as Spring's: the app's pools lose the server mid-query and print pages of I/O errors. A
            // reusable container is not Testcontainers' to remove, so TestDatabase stops it once the app has let
            // go (enable with TESTCONTAINERS_REUSE_ENABLE=true; a container left by a killed JVM is reused next time)
            container.withReuse(true);
        }
        container.start();
        return container;
    }
}
