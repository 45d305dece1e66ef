package io.papertrading.app;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The paper-trading engine: command side, query side and broker adapter assembled in one process. */
@SpringBootApplication(scanBasePackages = "io.papertrading")
public class PaperTradingApplication {

    public static void main(String[] args) {
        disableAxonUpdateChecker();
        SpringApplication.run(PaperTradingApplication.class, args);
    }

    /** Axon 4.13 calls home at startup; only this system property (not a Spring property) turns that off. */
    public static void disableAxonUpdateChecker() {
        System.setProperty("axoniq.update-checker.disabled", "true");
    }
}
