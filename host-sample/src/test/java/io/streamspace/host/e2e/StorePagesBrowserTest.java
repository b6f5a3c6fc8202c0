package io.streamspace.host.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.support.HostClient;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The store's pages in a real browser (headless Chromium), on one host: a creator submits a
 * bundle that breaks rules and reads the report (each rule named on the page), then one that
 * passes; the platform admin, its preview in the queue, approves it, a reason required; a user
 * finds it in the theme store with its price, sale model and preview image, buys it for her
 * personal organization (of the two she owns) and sees it owned and among her themes; the creator
 * reads the sale on this month's statement and downloads it as CSV, and the admin reads it in the
 * month's store revenue.
 */
class StorePagesBrowserTest extends BillingHostTestBase {

  private static final String PAGES = "/api/plugins/billing/ui/";

  private static final String CSS =
      """
      :root { --bg: #1a1a2e; --text: #f5f5f5; }
      body { background: var(--bg); color: var(--text); }
      a:focus-visible, button:focus-visible { outline: 2px solid #f5f5f5; outline-offset: 2px; }
      a:hover { color: #ffffff; text-decoration: underline; }
      """;

  private static final String PREVIEW =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"120\" height=\"60\">"
          + "<rect width=\"120\" height=\"60\" fill=\"#1a1a2e\"/></svg>";

  private HeadlessChromium browser;

  @BeforeAll
  void startTheBrowser() {
    browser = HeadlessChromium.startOrSkip();
  }

  @AfterAll
  void closeTheBrowser() {
    if (browser != null) {
      browser.close();
    }
  }

  @Test
  void aCreatorsThemeIsRefusedWithItsRules_thenSubmitted_approved_listed_bought_andAccounted()
      throws Exception {
    // ann, who owns her personal organization and the team studio
    Instant hourAgo = NOW.minusSeconds(3600);
    api.postEvents(
        platformToken,
        List.of(
            Events.userCreated("ann", hourAgo),
            Events.orgCreated("studio", "ann", "free", hourAgo)));
    String creator = creatorToken("cara");
    Path refused =
        bundle(
            "refused.zip",
            "Greyish",
            "\"#777777\", \"background\": \"#ffffff\"",
            CSS + "@import url(\"https://fonts.example.com/font.css\");\n",
            false);
    Path good =
        bundle("good.zip", "Midnight", "\"#f5f5f5\", \"background\": \"#1a1a2e\"", CSS, true);

    open("creator", creator);
    browser.await(d -> byId("creator-view").isDisplayed());
    submit(refused);
    browser.await(d -> !d.findElements(By.id("bundle-violations")).isEmpty());
    List<String> rules =
        byId("bundle-violations").findElements(By.cssSelector("tbody th")).stream()
            .map(WebElement::getText)
            .toList();
    assertTrue(rules.containsAll(List.of("contrast", "external_url")), rules.toString());
    assertTrue(byId("bundle-refused").getText().startsWith("The bundle was refused"));
    browser.screenshot("store-creator-page-refused");

    submit(good);
    browser.await(d -> !d.findElements(By.id("bundle-accepted")).isEmpty());
    browser.await(d -> byId("creator-items").getText().contains("Waiting for review"));
    assertTrue(byId("creator-items-table").getText().contains("Midnight 1.0.0"));

    open("admin", api.adminToken);
    browser.await(d -> !d.findElements(By.id("store-queue-table")).isEmpty());
    long id = queuedItemId();
    browser.await(d -> !d.findElements(By.cssSelector("#review-preview-" + id + " img")).isEmpty());
    assertEquals(
        "Preview of the theme Midnight 1.0.0",
        byId("review-preview-" + id).findElement(By.tagName("img")).getAttribute("alt"));
    browser.screenshot("store-admin-queue");
    byId("review-approve-" + id).click();
    assertTrue(byId("live").getText().startsWith("Give a reason to approve Midnight 1.0.0"));
    byId("review-reason-" + id).sendKeys("meets the rules; the preview is its own");
    byId("review-approve-" + id).click();
    browser.await(d -> byId("live").getText().contains("Midnight 1.0.0 approved"));
    assertSuccessSaid("Midnight 1.0.0 approved");
    browser.await(d -> byId("store-queue").getText().contains("No version waits for review."));

    api.awaitCaughtUp("billing"); // ann's account, opened by the event posted first
    open("store", api.token("ann", "user"));
    browser.await(
        d -> !d.findElements(By.cssSelector("#store-item-preview-" + id + " img")).isEmpty());
    browser.screenshot("store-page");
    WebElement item = byId("store-item-" + id);
    assertEquals("Midnight", item.findElement(By.tagName("h3")).getText());
    assertEquals("cara", text(item, ".item-creator"));
    assertEquals("1.0.0", text(item, ".item-version"));
    assertEquals("One-time purchase", text(item, ".item-sale"));
    assertEquals("$4.99 or ₫120,000", text(item, ".item-price"));
    assertEquals(
        "Preview of the theme Midnight", item.findElement(By.tagName("img")).getAttribute("alt"));

    // ann owns two organizations: she chooses, her personal one first
    assertEquals(
        List.of("your personal organization", "studio"),
        new Select(byId("buy-org")).getOptions().stream().map(WebElement::getText).toList());
    assertTrue(byId("themes").getText().contains("None of your organizations has a theme yet."));
    WebElement buy = byId("store-item-buy-" + id);
    assertEquals("Buy for $4.99, added to the next invoice", buy.getText());
    buy.click();
    browser.await(d -> byId("live").getText().startsWith("Midnight bought"));
    assertEquals(
        "Midnight bought for your personal organization: $4.99 on the next invoice, yours for"
            + " good.",
        byId("live").getText());
    assertSuccessSaid("Midnight bought");
    browser.await(d -> !d.findElements(By.id("store-item-owned-" + id)).isEmpty());
    assertEquals("Owned", byId("store-item-owned-" + id).getText());
    assertTrue(browser.driver.findElements(By.id("store-item-buy-" + id)).isEmpty(), "no Buy");
    String themes = byId("themes-table").getText();
    assertTrue(themes.contains("Midnight 1.0.0 your personal organization for good"), themes);
    // studio does not own it: choosing it offers the Buy button again
    new Select(byId("buy-org")).selectByVisibleText("studio");
    assertEquals(
        "Buy for $4.99, added to the next invoice: Midnight, for studio",
        byId("store-item-buy-" + id).getAttribute("aria-label"));

    // ann's billing page: the purchase is a store line of the estimate, which adds up to its total
    String annToken = api.token("ann", "user");
    JsonNode estimate =
        api.http.get("/api/plugins/billing/spending-limit", annToken).expect(200).get("estimate");
    assertEquals(new BigDecimal("4.99"), estimate.get("store").decimalValue(), estimate.toString());
    open("", annToken);
    browser.await(d -> !d.findElements(By.id("estimate-table")).isEmpty());
    List<WebElement> rows = byId("estimate-table").findElements(By.cssSelector("tbody tr"));
    Map<String, String> shown = new LinkedHashMap<>();
    for (WebElement row : rows) {
      shown.put(
          row.findElement(By.tagName("th")).getText(), row.findElement(By.tagName("td")).getText());
    }
    assertEquals("$4.99", shown.get("Store items"), shown.toString());
    assertEquals("$" + estimate.get("total").asText(), shown.get("Not yet invoiced"));
    BigDecimal parts =
        shown.entrySet().stream()
            .filter(row -> !row.getKey().equals("Not yet invoiced"))
            .map(row -> new BigDecimal(row.getValue().replace("$", "").replace(",", "")))
            .reduce(BigDecimal.ZERO, BigDecimal::add);
    assertEquals(
        0, parts.compareTo(estimate.get("total").decimalValue()), "the rows add up: " + shown);
    assertEquals(
        estimate.size() - 1, shown.size() - 1, "a row for each part of the estimate: " + shown);

    // the sale on cara's statement of this month (the host's March), all hers below the tier
    open("creator", creator);
    browser.await(d -> !d.findElements(By.id("statement-lines-USD")).isEmpty());
    assertEquals("2026-03", byId("statement-period").getAttribute("value"));
    String lines = byId("statement-lines-USD").getText();
    assertTrue(lines.contains("Sale"), lines);
    assertTrue(lines.contains("$4.99 $0.00 $4.99"), lines);
    String totals = byId("statement-totals-USD").getText();
    assertTrue(totals.contains("Sales $4.99"), totals);
    assertTrue(totals.contains("Your share $4.99"), totals);
    assertTrue(byId("payouts").getText().contains("No payout yet"));
    assertTrue(downloaded("statement-csv").contains("USD,sale,"), "the month's CSV");

    open("admin", api.adminToken);
    browser.await(d -> !d.findElements(By.id("store-revenue-by-creator")).isEmpty());
    String revenue = byId("store-revenue-by-creator").getText();
    assertTrue(revenue.contains("cara USD $4.99 $0.00 $4.99"), revenue);
    assertTrue(byId("store-popular-items").getText().contains("Midnight cara USD 1 $4.99"));
    assertEquals(
        List.of(),
        browser.consoleProblems().stream()
            .filter(line -> !(line.contains("/store/items") && line.contains("422")))
            .toList(),
        "nothing but the refused bundle's answer");
  }

  /**
   * The live region says a success: in its status region (role status), styled as a success,
   * nothing in its alert region.
   */
  private void assertSuccessSaid(String startsWith) {
    WebElement status = byId("live-status");
    assertTrue(status.getText().startsWith(startsWith), status.getText());
    assertEquals("status", status.getAttribute("role"));
    assertEquals("message message-success", status.getAttribute("class"));
    assertEquals("", byId("live-alert").getText(), "no error said");
  }

  /** A token with the creator role, as the platform admin grants it. */
  private String creatorToken(String userId) {
    return api.http
        .post(
            "/api/admin/tokens",
            api.adminToken,
            HostClient.json(Map.of("user_id", userId, "roles", List.of("user", "creator"))))
        .expect(201)
        .get("token")
        .asText();
  }

  /** Opens the page signed out (the tab forgets the last token first), then signs in. */
  private void open(String page, String token) {
    if (browser.driver.getCurrentUrl().startsWith("http://localhost")) {
      browser.script("sessionStorage.clear()");
    }
    browser.driver.get("http://localhost:" + billing.host.port() + PAGES + page);
    browser.await(d -> byId("token").isDisplayed());
    byId("token").sendKeys(token);
    byId("signin").click();
  }

  /**
   * Clicks a download button and answers the file the page handed the browser (fetched with the
   * token, given as a blob), kept from the page's blob instead of saved.
   */
  private String downloaded(String buttonId) {
    browser.script(
        "const keep = URL.createObjectURL;"
            + "URL.createObjectURL = (blob) => { window.keptBlob = blob; return keep(blob); };"
            + "HTMLAnchorElement.prototype.click = function () {"
            + "  window.keptName = this.getAttribute('download'); };");
    byId(buttonId).click();
    browser.await(d -> browser.script("return window.keptName || null") != null);
    return (String)
        browser.driver.executeAsyncScript(
            "window.keptBlob.text().then(arguments[arguments.length - 1]);");
  }

  private void submit(Path zip) {
    byId("bundle-file").sendKeys(zip.toAbsolutePath().toString());
    byId("bundle-submit").click();
  }

  private long queuedItemId() {
    JsonNode queue =
        api.http.get("/api/plugins/billing/admin/store/queue", api.adminToken).expect(200);
    assertEquals(1, queue.get("items").size(), queue.toString());
    return queue.at("/items/0/id").asLong();
  }

  private WebElement byId(String id) {
    return browser.driver.findElement(By.id(id));
  }

  private static String text(WebElement item, String css) {
    return item.findElement(By.cssSelector(css)).getText();
  }

  /** A theme bundle on disk: a one-time sale at 4.99 USD or 120,000 VND, one colour pair. */
  private Path bundle(String file, String name, String pair, String css, boolean preview)
      throws Exception {
    String manifest =
        """
        {"name": "%s", "version": "1.0.0", "price": {"USD": 4.99, "VND": 120000},
         "sale": {"kind": "one_time"},
         "colors": [{"text": %s, "large": false}],%s
         "stylesheet": "theme.css"}"""
            .formatted(name, pair, preview ? " \"preview\": \"preview.svg\"," : "");
    Map<String, String> files = new LinkedHashMap<>();
    files.put("manifest.json", manifest);
    files.put("theme.css", css);
    if (preview) {
      files.put("preview.svg", PREVIEW);
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, String> entry : files.entrySet()) {
        zip.putNextEntry(new ZipEntry(entry.getKey()));
        zip.write(entry.getValue().getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
      }
    }
    return Files.write(work.resolve(file), bytes.toByteArray());
  }
}
