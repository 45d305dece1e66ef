package io.papertrading.app.e2e;

import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Headless Chromium for the end-to-end tests: the system's {@code /usr/bin/chromium} driven through its own
 * {@code /usr/bin/chromedriver} (both given explicitly, so Selenium Manager never downloads anything).
 * {@code PAPER_E2E_BROWSER} decides what happens without them: {@code auto} (default) skips the tests,
 * {@code required} fails them, {@code off} skips them even when the browser is there.
 */
final class Browsers {

    static final String INSTALL = "sudo apt-get install chromium chromium-driver";

    private static final String CHROMIUM = env("PAPER_E2E_CHROMIUM", "/usr/bin/chromium");
    private static final String CHROMEDRIVER = env("PAPER_E2E_CHROMEDRIVER", "/usr/bin/chromedriver");

    private Browsers() {
    }

    /**
     * Why the browser tests cannot run here (they are then skipped), or null when they can; fails at once when
     * {@code PAPER_E2E_BROWSER=required} and the browser is missing.
     */
    static String unavailable() {
        String mode = env("PAPER_E2E_BROWSER", "auto").trim().toLowerCase(Locale.ROOT);
        boolean present = Files.isExecutable(Path.of(CHROMIUM)) && Files.isExecutable(Path.of(CHROMEDRIVER));
        Logger.getLogger("org.openqa.selenium").setLevel(Level.SEVERE); // CDP version notices
        return switch (mode) {
            case "off" -> "browser tests are off (PAPER_E2E_BROWSER=off)";
            case "required" -> {
                if (!present) {
                    fail("PAPER_E2E_BROWSER=required but " + CHROMIUM + " or " + CHROMEDRIVER + " is missing: " + INSTALL);
                }
                yield null;
            }
            case "auto" -> present ? null : "skipped: headless Chromium not found (" + CHROMIUM + ", " + CHROMEDRIVER
                    + "); install it with `" + INSTALL + "`, or set PAPER_E2E_BROWSER=required to fail instead";
            default -> fail("PAPER_E2E_BROWSER must be auto, off or required, not " + mode);
        };
    }

    /**
     * A fresh browser (its own profile under target/: its own session storage, nothing shared) with its console
     * recorded.
     */
    static ChromeDriver open() throws IOException {
        Path profiles = Files.createDirectories(Path.of("target", "e2e-browser-profiles"));
        Path profile = Files.createTempDirectory(profiles, "chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        // as root in a container: no sandbox; on a closed network: nothing in the background that waits for it
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-extensions", "--lang=en-US",
                "--window-size=1280,900", "--user-data-dir=" + profile);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
