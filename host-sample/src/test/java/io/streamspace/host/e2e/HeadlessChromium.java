package io.streamspace.host.e2e;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's Chromium, headless, driven by Debian's chromedriver (never one Selenium downloads):
 * one per test class, started once. Without them a test class is skipped, except under {@code
 * CI=true}, where {@code .ci/run} installs them and their absence fails it.
 */
public final class HeadlessChromium implements AutoCloseable {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Path SCREENSHOTS = Path.of("target", "screenshots");

  public final ChromeDriver driver;

  private HeadlessChromium(ChromeDriver driver) {
    this.driver = driver;
  }

  /** Starts the browser, or skips the calling test class when it is not installed (not in CI). */
  public static HeadlessChromium startOrSkip() {
    boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    if (!installed && "true".equals(System.getenv("CI"))) {
      throw new AssertionError("CI must have chromium and chromium-driver (see .ci/run)");
    }
    Assumptions.assumeTrue(installed, "no chromium and chromedriver (apt: chromium-driver)");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    // root in CI: no sandbox; /dev/shm is small in containers; a fixed language for Intl
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--lang=en-US",
        "--window-size=1280,1000");
    options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
            .usingAnyFreePort()
            // the browser's profile and cache in the tests' temporary folder, in memory when
            // the machine has room (the parent pom's tests-tmpdir), as the rest of the tests' files
            .withEnvironment(Map.of("TMPDIR", System.getProperty("java.io.tmpdir")))
            .build();
    return new HeadlessChromium(new ChromeDriver(service, options));
  }

  /**
   * How often a wait asks the page again: Selenium's default, 500 ms, made each wait for what a
   * page draws once its fetch answers last up to half a second longer than the page took, some
   * hundred times a run; asking costs a few milliseconds.
   */
  static final Duration POLL = Duration.ofMillis(50);

  /**
   * Waits (at most 15 s) until the condition answers something other than null or false. An
   * element the page redrew while the condition read it (the pages replace a table whole when
   * they read it again) makes it try again, as one not drawn yet does.
   */
  public <T> T await(Function<WebDriver, T> condition) {
    return new WebDriverWait(driver, Duration.ofSeconds(15))
        .pollingEvery(POLL)
        .ignoring(StaleElementReferenceException.class)
        .until(condition);
  }

  /**
   * Loads {@code url} signed out: with its origin's session storage (where the pages keep the
   * bearer token) empty. One load when the tab shows a page of that origin already, as it does
   * between the tests of a class: the storage is cleared from that page, then {@code url} loaded.
   * The pages add to the storage only on a user's action (signing in, a sign-in link, choosing
   * an organization), never behind it, so nothing refills it in between. From a page of another
   * origin (the first test's blank tab, a payment provider's stub) it takes a load of {@code url}
   * first to reach that storage: two, as every test once took. {@code url} has no fragment: one
   * that differed from the page's in its fragment alone would not load it again.
   */
  void openSignedOut(String url) {
    if (!Boolean.TRUE.equals(
        script("return location.origin === new URL(arguments[0]).origin", url))) {
      driver.get(url);
    }
    script("sessionStorage.clear()");
    driver.get(url);
  }

  public Object script(String javascript, Object... arguments) {
    return ((JavascriptExecutor) driver).executeScript(javascript, arguments);
  }

  /** The console's warnings and errors since the last call (CSP violations are among them). */
  List<String> consoleProblems() {
    return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue())
        .map(LogEntry::getMessage)
        .toList();
  }

  /** The whole page as a PNG in {@code target/screenshots/}, the window as tall as the page. */
  Path screenshot(String name) throws Exception {
    Dimension before = driver.manage().window().getSize();
    long height = (Long) script("return document.documentElement.scrollHeight");
    driver.manage().window().setSize(new Dimension(before.getWidth(), (int) height + 120));
    try {
      return kept(name, driver.getScreenshotAs(OutputType.BYTES));
    } finally {
      driver.manage().window().setSize(before);
    }
  }

  /**
   * The folder the docs' screenshots also go to, given as {@code
   * -Dscreenshots.dir=<folder>} (relative to the module: {@code ../docs/images}); unset, only
   * {@code target/screenshots/} gets them.
   */
  static final String DOCS_FOLDER_PROPERTY = "screenshots.dir";

  /**
   * The top of the page in a window of a fixed size (so that the pictures stay small and alike
   * from run to run) as a PNG in {@code target/screenshots/} and, with {@code
   * -Dscreenshots.dir=<folder>}, in that folder too: the pictures of docs/ are taken so. Nothing
   * is focused in them.
   */
  Path documentedScreenshot(String name, Dimension window) throws Exception {
    Dimension before = driver.manage().window().getSize();
    driver.manage().window().setSize(window);
    try {
      script("document.activeElement.blur(); window.scrollTo(0, 0)");
      byte[] png = driver.getScreenshotAs(OutputType.BYTES);
      Path file = kept(name, png);
      String docs = System.getProperty(DOCS_FOLDER_PROPERTY, "");
      if (!docs.isBlank()) {
        Path folder = Files.createDirectories(Path.of(docs));
        Files.write(folder.resolve(name + ".png"), png);
      }
      return file;
    } finally {
      driver.manage().window().setSize(before);
    }
  }

  /** The PNG in {@code target/screenshots/}, where every screenshot is kept. */
  private static Path kept(String name, byte[] png) throws IOException {
    Files.createDirectories(SCREENSHOTS);
    return Files.write(SCREENSHOTS.resolve(name + ".png"), png);
  }

  @Override
  public void close() {
    driver.quit();
  }
}
