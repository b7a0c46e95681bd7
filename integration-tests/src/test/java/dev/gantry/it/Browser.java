package dev.gantry.it;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven through its own chromedriver, pointed at one Gantry server. Waits are bounded and
 * say what they waited for; screenshots go to {@code target/screenshots}.
 */
final class Browser implements AutoCloseable {
    static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final ChromeDriver driver;
    private final URI base;

    private Browser(ChromeDriver driver, URI base) {
        this.driver = driver;
        this.base = base;
    }

    static Browser open(URI base, Path profileDir) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        // without the background-networking flags Chromium keeps dialling hosts this machine cannot reach
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-quic", "--window-size=1280,1000", "--user-data-dir=" + profileDir.toAbsolutePath());
        options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver"))
                .usingAnyFreePort()
                .build();
        return new Browser(new ChromeDriver(service, options), base);
    }

    WebDriver driver() {
        return driver;
    }

    /** Loads a page of the UI: {@code path} is the part after {@code #}, e.g. {@code /builds/ID}. */
    void go(String path) {
        String url = base.resolve("/").toString() + "#" + path;
        if (driver.getCurrentUrl().startsWith(base.resolve("/").toString())) {
            ((JavascriptExecutor) driver).executeScript("location.hash = arguments[0]", path);
        } else {
            driver.get(url);
        }
    }

    void reload() {
        driver.navigate().refresh();
    }

    WebElement find(String css) {
        return until("an element matching '" + css + "'", d -> {
            List<WebElement> found = d.findElements(By.cssSelector(css));
            return found.isEmpty() || !found.get(0).isDisplayed() ? null : found.get(0);
        });
    }

    boolean present(String css) {
        return !driver.findElements(By.cssSelector(css)).isEmpty();
    }

    /** The first displayed element matching {@code css} whose text contains {@code text}. */
    WebElement findWithText(String css, String text) {
        return until("'" + css + "' with the text '" + text + "'", d -> d.findElements(By.cssSelector(css)).stream()
                .filter(e -> e.isDisplayed() && e.getText().contains(text)).findFirst().orElse(null));
    }

    void click(String css, String text) {
        findWithText(css, text).click();
    }

    /** Waits until the text of the element matching {@code css} contains {@code text}; returns the whole text. */
    String awaitText(String css, String text, Duration timeout) {
        return until("'" + css + "' to contain '" + text + "'", timeout, d -> {
            List<WebElement> found = d.findElements(By.cssSelector(css));
            return found.stream().map(WebElement::getText).filter(t -> t.contains(text)).findFirst().orElse(null);
        });
    }

    String awaitText(String css, String text) {
        return awaitText(css, text, WAIT);
    }

    void type(String css, String text) {
        WebElement input = find(css);
        input.clear();
        input.sendKeys(text);
    }

    /** Accepts the page's confirm() or prompt() dialog, typing {@code answer} into a prompt when given. */
    void acceptDialog(String answer) {
        var alert = new WebDriverWait(driver, WAIT).until(d -> {
            try {
                return d.switchTo().alert();
            } catch (org.openqa.selenium.NoAlertPresentException e) {
                return null;
            }
        });
        if (answer != null) {
            alert.sendKeys(answer);
        }
        alert.accept();
    }

    Object script(String script, Object... arguments) {
        return ((JavascriptExecutor) driver).executeScript(script, arguments);
    }

    void windowSize(int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
    }

    /** Saves what the browser shows as {@code target/screenshots/<name>.png}. */
    Path screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Path target = SCREENSHOTS.resolve(name + ".png");
            Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), target, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    <T> T until(String what, Function<WebDriver, T> condition) {
        return until(what, WAIT, condition);
    }

    <T> T until(String what, Duration timeout, Function<WebDriver, T> condition) {
        try {
            // the UI re-renders as data arrives, so an element found a moment ago may be gone: look again
            return new WebDriverWait(driver, timeout, Duration.ofMillis(50))
                    .ignoring(StaleElementReferenceException.class)
                    .until(condition::apply);
        } catch (TimeoutException e) {
            String page = String.valueOf(script("return document.body ? document.body.innerText : ''"));
            throw new AssertionError("waited " + timeout.toSeconds() + " s for " + what + " at " + driver.getCurrentUrl()
                    + "; the page shows:\n" + page.substring(0, Math.min(page.length(), 3000)) + "\nthe console says:\n"
                    + console(), e);
        }
    }

    /** What the page wrote to the console (errors included) since the last call. */
    String console() {
        StringBuilder text = new StringBuilder();
        for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
            text.append(entry.getLevel()).append(' ').append(entry.getMessage()).append('\n');
        }
        return text.toString();
    }

    @Override
    public void close() {
        driver.quit();
    }
}
