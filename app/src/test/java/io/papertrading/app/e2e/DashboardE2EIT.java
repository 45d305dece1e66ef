package io.papertrading.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Level;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dashboard end to end, in headless Chromium against the packaged jar on its embedded default: alice signs
 * in, picks an option from the chain, watches the trade open over the live stream without a reload, closes it,
 * finds it in the history
 * with its P&amp;L, its chart and its audit trail; bob, in another browser, sees none of it. A double click on
 * submit places one trade, which is then canceled. Screenshots of each screen go to {@code target/e2e-screenshots/}.
 * {@code PAPER_E2E_BROWSER=auto|off|required} (see {@link Browsers}).
 */
class DashboardE2EIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Path SHOTS = Path.of("target", "e2e-screenshots");
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static PackagedApp app;
    /** Why there is no browser to test with (each test is then skipped with it), or null. */
    private static String skipped;

    @BeforeAll
    static void startTheApp() throws Exception {
        skipped = Browsers.unavailable();
        if (skipped != null) {
            System.out.println("[DashboardE2EIT] " + skipped);
            return;
        }
        Files.createDirectories(SHOTS);
        // prices every second, so the trade's chart has points within the few seconds it is open
        app = PackagedApp.start(Path.of("target", "paper-trading.jar"), Path.of("target", "e2e-app.log"),
                Map.of("PAPER_MONITOR_INTERVAL", "1s"));
    }

    @BeforeEach
    void aBrowserIsAvailable() {
        Assumptions.assumeTrue(skipped == null, skipped);
    }

    @AfterAll
    static void stopTheApp() {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void aliceTradesAnOptionFromTheChainLiveAndBobSeesNoneOfIt() throws Exception {
        ChromeDriver alice = Browsers.open();
        String tradeId;
        try {
            WebDriverWait wait = new WebDriverWait(alice, WAIT, Duration.ofMillis(100));
            alice.get(app.baseUrl() + "/");
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#dev-login input[name=username]")));
            screenshot(alice, "01-login");
            signIn(alice, wait, "alice");
            // changes are pushed over GET /api/stream, not polled
            wait.until(ExpectedConditions.attributeToBe(By.id("live-status"), "data-state", "live"));
            // survives only as long as the page is never reloaded
            String marker = UUID.randomUUID().toString();
            js(alice).executeScript("window.e2eMarker = arguments[0];", marker);

            // --- enter an option trade from the chain: expiration → strike → call/put
            alice.findElement(By.linkText("New trade")).click();
            WebElement symbol = wait.until(ExpectedConditions.elementToBeClickable(By.name("symbol")));
            symbol.sendKeys("AAPL", Keys.ENTER);
            wait.until(d -> new Select(d.findElement(By.name("expiration"))).getOptions().size() > 1);
            Select expiration = new Select(alice.findElement(By.name("expiration")));
            expiration.selectByIndex(1);
            String expiry = expiration.getFirstSelectedOption().getAttribute("value");
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#chain caption"), "expiring " + expiry));
            Select strike = new Select(alice.findElement(By.name("strike")));
            WebElement atTheMoney = strike.getOptions().stream().filter(o -> o.getText().contains("at the money")).findFirst()
                    .orElseThrow(() -> new AssertionError("no at-the-money strike offered"));
            strike.selectByValue(atTheMoney.getAttribute("value"));
            alice.findElement(By.cssSelector("label[for=optionType-put]")).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("contract-symbol"), " put ("));
            String contract = alice.findElement(By.id("contract-symbol")).getText();
            assertThat(contract).contains(expiry).containsPattern("\\(AAPL\\d{6}P\\d{8}\\)");
            for (String figure : List.of("bid", "ask", "mark", "delta", "gamma", "theta", "vega", "iv")) {
                assertThat(alice.findElement(By.id("contract-" + figure)).getText()).as(figure).isNotEqualTo("—");
            }
            assertThat(alice.findElement(By.id("contract-bid")).getText()).matches("\\$\\d+\\.\\d{2}");
            assertThat(alice.findElements(By.cssSelector("#chain tbody tr.selected button.pick[data-type=PUT][aria-pressed=true]"))).hasSize(1);
            WebElement quantity = alice.findElement(By.name("quantity"));
            quantity.clear();
            quantity.sendKeys("2");
            alice.findElement(By.name("strategy")).sendKeys("e2e-chain");
            screenshot(alice, "02-trade-entry");
            alice.findElement(By.id("place-trade")).click();
            WebElement placed = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("placed-trade-link")));
            tradeId = placed.getAttribute("data-trade-id");
            assertThat(tradeId).isNotBlank();

            // --- watch it open without reloading
            alice.findElement(By.linkText("Positions")).click();
            By row = By.id("trade-" + tradeId);
            wait.until(d -> "OPEN".equals(d.findElement(row).getAttribute("data-status")));
            wait.until(d -> !"—".equals(d.findElement(row).findElement(By.cssSelector("[data-col=last]")).getText()));
            assertThat(alice.findElement(row).findElement(By.cssSelector("[data-col=unrealized]")).getText())
                    .matches("[+−]?\\$\\d+\\.\\d{2}");
            assertThat(alice.findElement(row).getText()).contains("AAPL " + expiry).contains("PUT").contains("2 / 2");
            assertNoReload(alice, marker);

            // --- brackets edited in their dialog: on the row at once, and later as lines on the chart
            String token = devToken("alice");
            BigDecimal entry = getJson("/api/trades/" + tradeId, token).get("entryPrice").decimalValue();
            BigDecimal stop = entry.multiply(new BigDecimal("0.5")).setScale(2, RoundingMode.DOWN);
            BigDecimal target = entry.multiply(new BigDecimal("2")).setScale(2, RoundingMode.UP);
            alice.findElement(row).findElement(By.cssSelector("button[data-action=brackets]")).click();
            WebElement stopLoss = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("dialog input[name=stopLoss]")));
            stopLoss.sendKeys(stop.toPlainString());
            alice.findElement(By.cssSelector("dialog input[name=takeProfit]")).sendKeys(target.toPlainString());
            alice.findElement(By.cssSelector("dialog button[type=submit]")).click();
            wait.until(ExpectedConditions.numberOfElementsToBe(By.tagName("dialog"), 0));
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#trade-" + tradeId + " [data-col=brackets]"),
                    price(stop) + " / " + price(target)));
            screenshot(alice, "03-open-positions");

            // --- close it; it leaves the open positions and shows as ended, still without a reload
            alice.findElement(row).findElement(By.cssSelector("button[data-action=close]")).click();
            wait.until(ExpectedConditions.numberOfElementsToBe(row, 0));
            wait.until(d -> "CLOSED".equals(d.findElement(By.cssSelector("#ended tr[data-trade-id='" + tradeId + "']"))
                    .getAttribute("data-status")));
            assertNoReload(alice, marker);

            // --- the history shows it with its realized P&L, the same as the API's
            JsonNode closed = getJson("/api/trades/" + tradeId, token);
            assertThat(closed.get("status").asText()).isEqualTo("CLOSED");
            alice.findElement(By.linkText("Portfolio")).click();
            By historyRow = By.cssSelector("#history tr[data-trade-id='" + tradeId + "']");
            wait.until(d -> "CLOSED".equals(d.findElement(historyRow).getAttribute("data-status")));
            assertThat(alice.findElement(historyRow).findElement(By.cssSelector("[data-col=pnl]")).getText())
                    .isEqualTo(pnl(closed.get("realizedPnl").decimalValue()));
            wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#equity-curve svg .series-equity")));
            assertThat(alice.findElement(By.cssSelector("#portfolio-figures [data-figure=closedTrades]")).getText()).isEqualTo("1");
            assertThat(alice.findElement(By.id("strategies")).getText()).contains("e2e-chain");
            screenshot(alice, "05-portfolio");

            // --- its detail: chart with entry and exit lines, audit trail with actors, raw events
            alice.findElement(historyRow).findElement(By.tagName("a")).click();
            wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#price-chart svg g[data-line=exit]")));
            for (String line : List.of("entry", "stop", "target")) {
                assertThat(alice.findElements(By.cssSelector("#price-chart svg g[data-line=" + line + "]"))).as(line).hasSize(1);
            }
            assertThat(alice.findElements(By.cssSelector("#price-chart svg .series-price path, #price-chart svg .series-price circle")))
                    .isNotEmpty();
            wait.until(d -> d.findElements(By.cssSelector("#audit-trail tbody tr")).size() >= 4);
            List<WebElement> transitions = alice.findElements(By.cssSelector("#audit-trail tbody tr"));
            assertThat(transitions.get(0).getAttribute("data-to")).isEqualTo("PENDING");
            assertThat(transitions.get(transitions.size() - 1).getAttribute("data-to")).isEqualTo("CLOSED");
            List<String> actors = alice.findElements(By.cssSelector("#audit-trail td.actor")).stream().map(WebElement::getText).toList();
            assertThat(actors).contains("alice").hasSizeGreaterThan(1).doesNotContain("");
            assertThat(alice.findElement(By.cssSelector("#trade-facts [data-fact=realizedPnl]")).getText())
                    .isEqualTo(pnl(closed.get("realizedPnl").decimalValue()));
            alice.findElement(By.cssSelector("#raw-events-box summary")).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("raw-events"), "TradePlaced"));
            screenshot(alice, "04-trade-detail");

            // --- settings: the simulated broker answers the connection test
            alice.findElement(By.linkText("Settings")).click();
            wait.until(ExpectedConditions.elementToBeClickable(By.id("test-connection"))).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("test-result"), "Connected to SIMULATED"));
            alice.findElement(By.cssSelector("label[for=broker-tradier]")).click(); // shows the credentials, saves nothing
            WebElement brokerToken = wait.until(ExpectedConditions.visibilityOfElementLocated(By.name("token")));
            assertThat(brokerToken.getAttribute("type")).isEqualTo("password");
            assertThat(brokerToken.getAttribute("value")).isEmpty();
            screenshot(alice, "06-settings");
            assertNoReload(alice, marker);
            assertNoScriptErrors(alice);
        } catch (Throwable failure) {
            keepEvidence(alice, "alice", failure);
            throw failure;
        } finally {
            alice.quit();
        }

        // --- bob, in a browser of his own, sees none of alice's trades
        ChromeDriver bob = Browsers.open();
        try {
            WebDriverWait wait = new WebDriverWait(bob, WAIT, Duration.ofMillis(100));
            bob.get(app.baseUrl() + "/");
            signIn(bob, wait, "bob");
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("no-positions"), "No open positions"));
            bob.findElement(By.linkText("Portfolio")).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("history"), "No trades match."));
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#portfolio-figures [data-figure=closedTrades]"), "0"));
            assertThat(bob.findElement(By.tagName("main")).getText()).doesNotContain("e2e-chain");
            screenshot(bob, "07-bob-portfolio");
            bob.get(app.baseUrl() + "/#/trades/" + tradeId);
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("h1"), "Trade not found"));
            assertNoScriptErrors(bob);
        } catch (Throwable failure) {
            keepEvidence(bob, "bob", failure);
            throw failure;
        } finally {
            bob.quit();
        }
    }

    @Test
    void refusalsShowBesideTheirFieldsADoubleClickPlacesOneTradeAndItCancels() throws Exception {
        ChromeDriver carol = Browsers.open();
        try {
            WebDriverWait wait = new WebDriverWait(carol, WAIT, Duration.ofMillis(100));
            carol.get(app.baseUrl() + "/");
            signIn(carol, wait, "carol");
            carol.findElement(By.linkText("New trade")).click();
            wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("label[for=kind-stock]"))).click();
            carol.findElement(By.name("symbol")).sendKeys("AAPL");

            // refused by the server: each message beside its field, nothing placed
            WebElement quantity = carol.findElement(By.name("quantity"));
            quantity.clear();
            quantity.sendKeys("0");
            carol.findElement(By.cssSelector("label[for=orderType-limit]")).click();
            carol.findElement(By.id("place-trade")).click();
            wait.until(d -> !d.findElement(By.cssSelector(".field-error[data-error-for=quantity]")).getText().isEmpty());
            assertThat(carol.findElement(By.cssSelector(".field-error[data-error-for=limitPrice]")).getText()).contains("LIMIT");
            assertThat(quantity.getAttribute("aria-invalid")).isEqualTo("true");

            // corrected (a limit far below the market, so it rests), then submitted with a double click
            quantity.clear();
            quantity.sendKeys("3");
            carol.findElement(By.name("limitPrice")).sendKeys("1.25");
            carol.findElement(By.name("strategy")).sendKeys("double-click");
            new Actions(carol).doubleClick(carol.findElement(By.id("place-trade"))).perform();
            String tradeId = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("placed-trade-link"))).getAttribute("data-trade-id");
            assertThat(carol.findElements(By.cssSelector(".field-error[data-error-for=quantity]")).get(0).getText()).isEmpty();

            String token = devToken("carol");
            // one submission left the browser, and the engine holds one trade (and keeps holding one)
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                assertThat(getJson("/api/trades?strategy=double-click", token).get("total").asInt()).isEqualTo(1);
            });
            Number posts = (Number) js(carol).executeScript("return performance.getEntriesByType('resource')"
                    + ".filter(e => e.name === arguments[0] && e.initiatorType === 'fetch').length;", app.baseUrl() + "/api/trades");
            assertThat(posts.intValue()).as("POST /api/trades requests: the refused one and the double-clicked one").isEqualTo(2);

            // the resting order is canceled from the positions page
            carol.findElement(By.linkText("Positions")).click();
            By row = By.id("trade-" + tradeId);
            wait.until(d -> "PENDING".equals(d.findElement(row).getAttribute("data-status")));
            assertThat(carol.findElements(By.cssSelector("#trade-" + tradeId + " button[data-action=close]")).get(0).isDisplayed()).isFalse();
            carol.findElement(row).findElement(By.cssSelector("button[data-action=cancel]")).click();
            wait.until(ExpectedConditions.numberOfElementsToBe(row, 0));
            wait.until(d -> "CANCELED".equals(d.findElement(By.cssSelector("#ended tr[data-trade-id='" + tradeId + "']"))
                    .getAttribute("data-status")));
            assertNoScriptErrors(carol);
        } catch (Throwable failure) {
            keepEvidence(carol, "carol", failure);
            throw failure;
        } finally {
            carol.quit();
        }
    }

    // --- helpers

    /** On a failure: the screen as it was and the browser's console, beside the screenshots. */
    private static void keepEvidence(ChromeDriver driver, String who, Throwable failure) {
        try {
            Files.write(SHOTS.resolve("FAILED-" + who + ".png"), driver.getScreenshotAs(OutputType.BYTES));
            List<String> console = driver.manage().logs().get(LogType.BROWSER).getAll().stream().map(LogEntry::toString).toList();
            Files.write(SHOTS.resolve("FAILED-" + who + "-console.log"), console);
        } catch (Exception | Error e) {
            failure.addSuppressed(e);
        }
    }

    private static void signIn(WebDriver driver, WebDriverWait wait, String username) {
        WebElement name = wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("#dev-login input[name=username]")));
        name.sendKeys(username);
        driver.findElement(By.cssSelector("#dev-login button[type=submit]")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("h1"), "Open positions"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("who"), username));
    }

    private static JavascriptExecutor js(WebDriver driver) {
        return (JavascriptExecutor) driver;
    }

    private static void assertNoReload(WebDriver driver, String marker) {
        assertThat(js(driver).executeScript("return window.e2eMarker;")).as("the page was never reloaded").isEqualTo(marker);
    }

    /** No script error and no CSP refusal in the console; refused requests (4xx) are expected and allowed. */
    private static void assertNoScriptErrors(WebDriver driver) {
        List<String> errors = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .filter(m -> !m.contains("Failed to load resource: the server responded with a status of 4"))
                .toList();
        assertThat(errors).as("console errors").isEmpty();
    }

    /** The whole page: the window is made as tall as the document for the shot. */
    private static void screenshot(ChromeDriver driver, String name) throws Exception {
        Dimension before = driver.manage().window().getSize();
        long height = ((Number) js(driver).executeScript("window.scrollTo(0, 0); return document.documentElement.scrollHeight;"))
                .longValue();
        // the window's height includes the browser's own frame, hence the margin
        driver.manage().window().setSize(new Dimension(before.getWidth(), (int) Math.min(6000, Math.max(before.getHeight(), height + 200))));
        try {
            Files.write(SHOTS.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
        } finally {
            driver.manage().window().setSize(before);
        }
    }

    /** As the dashboard shows a price: $1,234.50. */
    private static String price(BigDecimal value) {
        return String.format(Locale.US, "$%,.2f", value.setScale(2, RoundingMode.HALF_EVEN));
    }

    /** As the dashboard shows P&amp;L: +$1.00, −$1.00 (a real minus sign), $0.00. */
    private static String pnl(BigDecimal value) {
        BigDecimal cents = value.setScale(2, RoundingMode.HALF_EVEN);
        String digits = String.format(Locale.US, "$%,.2f", cents.abs());
        return cents.signum() > 0 ? "+" + digits : cents.signum() < 0 ? "−" + digits : digits;
    }

    private static String devToken(String username) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(app.baseUrl() + "/api/auth/dev-token"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"" + username + "\",\"roles\":[]}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return JSON.readTree(response.body()).get("token").asText();
    }

    private static JsonNode getJson(String path, String token) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(app.baseUrl() + path))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }
}
