package io.streamspace.host.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.Host;
import io.streamspace.host.HostOptions;
import io.streamspace.host.HostPlugins;
import io.streamspace.host.support.HostClient;
import io.streamspace.host.support.TestRepository;
import io.streamspace.testing.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The host's plugins page, {@code /admin/plugins}, in a real headless Chromium: a host whose
 * plugin repository (a folder, as the build publishes) holds the packaged billing plugin and
 * whose plugins folder is empty. The admin signs in, searches the catalog, installs billing,
 * edits its config through the form built from its schema (a refused value shows its error
 * next to its field and changes nothing), sets a secret the page never shows again, enables,
 * disables, reads the history and uninstalls, each checked against the API too; a non-admin
 * token is refused; a {@code #token=} sign-in link signs in and leaves the address. The console
 * shows no error but the refusals the tests ask for. The screenshot of the page's top (a fixed
 * window of 1280 × 1500) goes to {@code target/screenshots/} and, with {@code
 * -Dscreenshots.dir=<folder>}, there too: docs/images/plugin-catalog-page.png is that file.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PluginsPageBrowserTest {

  private static final String PAGE = "/admin/plugins";
  private static final String PLUGIN = "/api/admin/plugins/billing";
  private static final String SECRET_KEY = "sk_test_typedIntoThePage_4f9a1c";
  private static final Duration START = Duration.ofSeconds(90);

  /** The catalog, the plugin, its history and its first config keys: the same on every run. */
  private static final Dimension SCREENSHOT_WINDOW = new Dimension(1280, 1500);

  private HeadlessChromium browser;
  private Host host;
  private BillingApi api;
  private String version;
  private TestRepository repository;

  @BeforeAll
  void startTheHostAndTheBrowser(@TempDir Path work) throws Exception {
    browser = HeadlessChromium.startOrSkip();
    version = BillingPluginBuilds.packagedVersion();
    repository = new TestRepository(work.resolve("repository")).publishBilling();
    host =
        Host.start(
            HostOptions.builder()
                .port(0)
                .quickStopForTests()
                .dbUrl(TestDatabases.freshDatabaseUrl())
                .pluginsDir(Files.createDirectories(work.resolve("plugins")))
                .pluginRepository(repository.location())
                .dataDir(work.resolve("data"))
                .secrets(Map.of("BILLING_ADMIN_TOKEN", BillingHost.ADMIN_TOKEN))
                .build());
    api = new BillingApi(host.port(), BillingHost.ADMIN_TOKEN);
  }

  @AfterAll
  void stopTheBrowserAndTheHost() {
    if (browser != null) {
      browser.close();
    }
    if (host != null) {
      host.close();
    }
  }

  /** Every test starts signed out on a fresh load of the page, the console read empty. */
  @BeforeEach
  void signedOut() {
    browser.openSignedOut(url(PAGE));
    browser.consoleProblems();
  }

  @Test
  void anAdminSearchesInstallsConfiguresEnablesDisablesAndUninstallsBillingThroughThePage()
      throws Exception {
    signIn(BillingHost.ADMIN_TOKEN);
    awaitText("catalog-billing", "not installed");

    search("no-such-plugin");
    awaitText("catalog-empty", "No plugin matches \"no-such-plugin\".");
    search("metering");
    awaitText("catalog-table", "Plugins matching \"metering\"");
    assertTrue(byId("catalog-billing").getText().contains(version), rowText());

    byId("open-billing").click();
    awaitText("config-none", "once it is installed");
    await(d -> "plugin-heading".equals(browser.script("return document.activeElement.id")));
    byId("install").click();
    awaitText("live", "Installed billing " + version + ": it is disabled");
    assertEquals("disabled", installed().get("state").asText());
    awaitText("fact-state", "disabled");

    // every key once: an object whose members are keys of their own is their group, not also a
    // JSON field; a key that takes one of a few words is a choice among them
    await(d -> d.findElement(By.id("config-billingMode")));
    @SuppressWarnings("unchecked")
    List<String> shownKeys =
        (List<String>)
            browser.script(
                "return [...document.querySelectorAll("
                    + "'#config-fields label[for]:not(.remove), #config-fields legend')]"
                    + ".map(n => n.firstChild.textContent)");
    assertEquals(
        shownKeys.stream().distinct().toList(), shownKeys, "a key shown twice: " + shownKeys);
    assertTrue(shownKeys.contains("computeRates"), shownKeys.toString());
    assertTrue(shownKeys.contains("computeRates.cpu_per_core_hour"), shownKeys.toString());
    assertEquals(0, browser.driver.findElements(By.id("config-computeRates")).size());
    assertEquals(
        "config-computeRates-group",
        byId("config-computeRates-cpu_per_core_hour")
            .findElement(By.xpath("ancestor::fieldset"))
            .getAttribute("id"));
    Select billingMode = new Select(byId("config-billingMode"));
    assertEquals(
        List.of("usage", "subscription", "hybrid"),
        billingMode.getOptions().stream().map(o -> o.getAttribute("value")).toList());
    assertEquals("usage", billingMode.getFirstSelectedOption().getAttribute("value"));
    billingMode.selectByValue("hybrid");
    byId("config-reason").sendKeys("plan fee plus overage");
    byId("config-save").click();
    awaitText("live", "Saved the configuration of billing: billingMode.");
    assertEquals("hybrid", config().get("billingMode").asText());
    assertEquals(
        "hybrid", new Select(byId("config-billingMode")).getFirstSelectedOption().getText());

    // a refused value: its error next to its field, nothing changed
    WebElement invoiceDay = await(d -> d.findElement(By.id("config-invoiceDay")));
    assertEquals("1", invoiceDay.getAttribute("value"));
    invoiceDay.clear();
    invoiceDay.sendKeys("40");
    byId("config-save").click();
    awaitText("config-invoiceDay-error", "must be a whole number from 1 to 28");
    assertEquals("true", byId("config-invoiceDay").getAttribute("aria-invalid"));
    assertEquals("config-invoiceDay", browser.script("return document.activeElement.id"));
    assertTrue(byId("live").getText().contains("invalid_config"), byId("live").getText());
    assertEquals(1, config().get("invoiceDay").asInt(), "nothing changed");

    // a valid one without a reason: the billing plugin refuses it, next to the reason field
    byId("config-invoiceDay").clear();
    byId("config-invoiceDay").sendKeys("15");
    byId("config-save").click();
    awaitText("config-reason-error", "is required");
    assertEquals("config-reason", browser.script("return document.activeElement.id"));
    assertEquals(1, config().get("invoiceDay").asInt(), "nothing changed");

    // with one: accepted, and the reason field emptied for the next change
    byId("config-reason").sendKeys("invoices mid-month, as finance asked");
    byId("config-save").click();
    awaitText("live", "Saved the configuration of billing: invoiceDay.");
    assertEquals("", byId("config-reason").getAttribute("value"));
    assertEquals(15, config().get("invoiceDay").asInt());
    assertEquals("15", byId("config-invoiceDay").getAttribute("value"));
    assertEquals("", byId("config-invoiceDay-error").getText());

    // a secret: written, then shown only as set; left empty, it stays as it is
    assertEquals("Not set", byId("config-stripeSecretKey-state").getText());
    assertEquals("password", byId("config-stripeSecretKey").getAttribute("type"));
    byId("config-stripeSecretKey").sendKeys(SECRET_KEY);
    byId("config-reason").sendKeys("Stripe goes live");
    byId("config-save").click();
    awaitText("live", "Saved the configuration of billing: stripeSecretKey.");
    awaitText("config-stripeSecretKey-state", "Set");
    assertEquals("****", config().get("stripeSecretKey").asText());
    assertNeverShown(SECRET_KEY);
    byId("config-alertThreshold").clear();
    byId("config-alertThreshold").sendKeys("90");
    byId("config-reason").sendKeys("fewer early warnings");
    byId("config-save").click();
    awaitText("live", "Saved the configuration of billing: alertThreshold.");
    assertEquals("Set", byId("config-stripeSecretKey-state").getText());
    assertEquals(90, config().get("alertThreshold").asInt());

    byId("enable").click();
    awaitText("fact-state", "started", START);
    assertTrue(byId("live").getText().contains("Enabled billing: it is started."));
    assertEquals("started", installed().get("state").asText());
    assertEquals(
        Optional.of(SECRET_KEY),
        HostPlugins.configOf(host, "billing").secret("STRIPE_SECRET_KEY"),
        "the plugin reads the secret typed into the page");
    assertNeverShown(SECRET_KEY);
    awaitText("history-table", "enable");
    search("");
    awaitText("catalog-table", "Every plugin");
    browser.documentedScreenshot("plugin-catalog-page", SCREENSHOT_WINDOW);

    byId("disable").click();
    awaitText("fact-state", "disabled");
    assertEquals("disabled", installed().get("state").asText());
    awaitText("history-table", "disable");
    assertEquals(List.of("disable", "enable", "install"), historyColumn(1));
    assertEquals(apiHistory("operation"), historyColumn(1));
    assertEquals(apiHistory("actor"), historyColumn(4));

    // a stored secret removed on purpose
    byId("config-stripeSecretKey-remove").click();
    byId("config-reason").sendKeys("Stripe off while disabled");
    byId("config-save").click();
    awaitText("config-stripeSecretKey-state", "Not set");
    assertTrue(config().get("stripeSecretKey").isNull());

    // uninstall asks first: cancelled, nothing happens
    byId("uninstall").click();
    await(d -> byId("confirm").isDisplayed());
    assertEquals("confirm-cancel", browser.script("return document.activeElement.id"));
    byId("confirm-cancel").click();
    await(d -> !byId("confirm").isDisplayed());
    assertEquals("uninstall", browser.script("return document.activeElement.id"));
    assertEquals("disabled", installed().get("state").asText(), "still installed");

    // the purge needs the plugin id typed before it can be confirmed
    byId("purge").click();
    await(d -> byId("confirm-id").isDisplayed());
    assertFalse(byId("confirm-ok").isEnabled());
    byId("confirm-id").sendKeys("billing");
    assertTrue(byId("confirm-ok").isEnabled());
    byId("confirm-cancel").click();
    await(d -> !byId("confirm").isDisplayed());

    byId("uninstall").click();
    await(d -> byId("confirm").isDisplayed());
    byId("confirm-ok").click();
    awaitText("live", "Uninstalled billing: its configuration, secrets and data are kept");
    awaitText("fact-state", "not installed");
    awaitText("install", "Install " + version);
    assertTrue(
        api.http.get("/api/admin/plugins", api.adminToken).expect(200).get("plugins").isEmpty());
    assertEquals("uninstall", historyColumn(1).get(0));

    assertEquals(
        List.of(),
        browser.consoleProblems().stream()
            .filter(line -> !(line.contains(PLUGIN + "/config") && line.contains("status of 400")))
            .toList(),
        "only the refused config was logged by the browser");
  }

  /**
   * A newer release in the repository: the catalog says an update is available, and "Update to"
   * replaces the installed version, started again, as the history records. Runs last: every
   * other test's catalog would show the newer release.
   */
  @Test
  @Order(Integer.MAX_VALUE)
  void anAdminUpdatesBillingToTheNewerReleaseThroughThePage() throws Exception {
    String newer = "0.3.1";
    api.http.post(PLUGIN + "/install", api.adminToken, "{}").expect(201);
    api.http.post(PLUGIN + "/enable", api.adminToken, "{}").expect(200);
    repository.publishBilling(Map.of("plugin.version", newer));
    open(PAGE);
    signIn(BillingHost.ADMIN_TOKEN);
    awaitText("catalog-billing", "update available");

    byId("open-billing").click();
    awaitText("update", "Update to " + newer);
    byId("update").click();
    awaitText("live", "Updated billing to " + newer + ": it is started.", START);

    assertEquals(newer, installed().get("version").asText());
    assertEquals("started", installed().get("state").asText());
    awaitText("history-table", "update");
    assertEquals(List.of("update", "enable", "install"), historyColumn(1).subList(0, 3));
  }

  @Test
  void aTokenWithoutTheAdminRoleIsRefusedAndSeesNoCatalog() {
    String user = api.token(BillingHostTestBase.newUser("ann"), "user");

    signIn(user);

    await(d -> byId("admins-only").isDisplayed());
    assertFalse(byId("admin-view").isDisplayed());
    assertTrue(byId("live").getText().contains("403 forbidden"), byId("live").getText());
    assertTrue(browser.driver.findElements(By.id("catalog-table")).isEmpty());
    browserLoggedOnly("/api/admin/plugins/catalog", 403);
  }

  @Test
  void aSignInLinkSignsInMovesTheTokenIntoTheTabAndLeavesTheAddress() {
    browser.driver.get("about:blank"); // else only the fragment changes: the page is not loaded
    open(PAGE + "#token=" + BillingHost.ADMIN_TOKEN);

    await(d -> byId("catalog-table").isDisplayed());
    String address = browser.driver.getCurrentUrl();
    assertEquals("http://localhost:" + host.port() + PAGE, address);
    assertEquals(
        BillingHost.ADMIN_TOKEN,
        browser.script("return sessionStorage.getItem('streamspace.admin.token')"));
    assertEquals(0L, browser.script("return localStorage.length"));
    assertEquals("", browser.script("return location.hash"));
    List<String> requested =
        ((List<?>)
                browser.script("return performance.getEntriesByType('resource').map(e => e.name)"))
            .stream().map(String::valueOf).toList();
    assertTrue(requested.stream().noneMatch(url -> url.contains(BillingHost.ADMIN_TOKEN)));
    assertTrue(
        requested.stream().allMatch(url -> url.startsWith("http://localhost:" + host.port())),
        requested.toString());

    byId("signout").click();
    await(d -> byId("token").isDisplayed());
    assertEquals(null, browser.script("return sessionStorage.getItem('streamspace.admin.token')"));
    assertEquals(List.of(), browser.consoleProblems());
  }

  @Test
  void thePageAndItsAssetsAreServedWithoutATokenUnderTheContentSecurityPolicy() {
    HostClient.Response page = api.http.get(PAGE, null);
    assertEquals(200, page.status());
    assertTrue(page.header("Content-Type").orElseThrow().startsWith("text/html"));
    assertTrue(page.header("Content-Security-Policy").orElseThrow().contains("script-src 'self'"));
    String html = page.body().asText();
    assertFalse(html.matches("(?s).*<script>.*"), "no inline script");
    for (String asset : List.of("plugins.js", "plugins.css")) {
      assertTrue(html.contains(PAGE + "/" + asset), asset);
      HostClient.Response served = api.http.get(PAGE + "/" + asset, null);
      assertEquals(200, served.status(), asset);
      assertTrue(served.header("Content-Security-Policy").isPresent(), asset);
    }
    // the DOM builder the billing pages share, imported by plugins.js from beside it
    HostClient.Response dom = api.http.get(PAGE + "/dom.js", null);
    assertEquals(200, dom.status());
    assertTrue(dom.header("Content-Type").orElseThrow().startsWith("text/javascript"));
    assertTrue(dom.header("Content-Security-Policy").isPresent());
    assertTrue(dom.body().asText().contains("export function el(tag, attributes = {}"));
    assertTrue(
        api.http
            .get(PAGE + "/plugins.js", null)
            .body()
            .asText()
            .contains("import { el } from './dom.js';"));
    assertEquals(404, api.http.get(PAGE + "/secrets.txt", null).status());
  }

  private void open(String path) {
    browser.driver.get(url(path));
  }

  private String url(String path) {
    return "http://localhost:" + host.port() + path;
  }

  private WebElement byId(String id) {
    return browser.driver.findElement(By.id(id));
  }

  private <T> T await(Function<WebDriver, T> condition) {
    return browser.await(condition);
  }

  private void awaitText(String id, String text) {
    awaitText(id, text, Duration.ofSeconds(15));
  }

  /** Waits until the element exists and its text holds {@code text}; says what it held if not. */
  private void awaitText(String id, String text, Duration timeout) {
    try {
      new WebDriverWait(browser.driver, timeout)
          .pollingEvery(HeadlessChromium.POLL)
          .ignoring(StaleElementReferenceException.class) // the page draws a part again
          .until(d -> d.findElements(By.id(id)).stream().anyMatch(e -> e.getText().contains(text)));
    } catch (org.openqa.selenium.TimeoutException e) {
      List<WebElement> found = browser.driver.findElements(By.id(id));
      throw new AssertionError(
          "#"
              + id
              + " never held \""
              + text
              + "\": "
              + (found.isEmpty() ? "no such element" : found.get(0).getText())
              + "; live: "
              + browser.driver.findElement(By.id("live")).getText(),
          e);
    }
  }

  private void signIn(String token) {
    await(d -> byId("token").isDisplayed());
    byId("token").sendKeys(token);
    byId("signin").click();
  }

  private void search(String query) {
    byId("search").clear();
    byId("search").sendKeys(query);
    byId("search-submit").click();
  }

  private String rowText() {
    return byId("catalog-billing").getText();
  }

  private JsonNode installed() {
    for (JsonNode plugin :
        api.http.get("/api/admin/plugins", api.adminToken).expect(200).get("plugins")) {
      if (plugin.get("id").asText().equals("billing")) {
        return plugin;
      }
    }
    throw new AssertionError("billing is not installed");
  }

  private JsonNode config() {
    return api.http.get(PLUGIN + "/config", api.adminToken).expect(200);
  }

  /** One column of the history table, newest first. */
  private List<String> historyColumn(int column) {
    List<String> cells = new ArrayList<>();
    for (WebElement row : byId("history-table").findElements(By.cssSelector("tbody tr"))) {
      cells.add(row.findElements(By.cssSelector("th, td")).get(column).getText());
    }
    return cells;
  }

  private List<String> apiHistory(String field) {
    List<String> values = new ArrayList<>();
    api.http
        .get(PLUGIN + "/history", api.adminToken)
        .expect(200)
        .get("operations")
        .forEach(operation -> values.add(operation.get(field).asText()));
    return values;
  }

  /** Neither the page's markup nor any field's value holds the text. */
  private void assertNeverShown(String text) {
    assertFalse(browser.driver.getPageSource().contains(text), "in the page's markup");
    Object values =
        browser.script(
            "return [...document.querySelectorAll('input, textarea')].map(e => e.value)"
                + ".join('\\n')");
    assertFalse(String.valueOf(values).contains(text), "in a field");
    assertFalse(
        String.valueOf(browser.script("return JSON.stringify(sessionStorage)")).contains(text),
        "in the tab's storage");
  }

  /** The browser logged this route's refusal itself, and nothing else. */
  private void browserLoggedOnly(String route, int status) {
    List<String> problems = browser.consoleProblems();
    assertFalse(problems.isEmpty());
    assertTrue(
        problems.stream().allMatch(l -> l.contains(route) && l.contains("status of " + status)),
        problems.toString());
  }
}
