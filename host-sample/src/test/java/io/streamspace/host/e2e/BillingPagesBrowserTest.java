package io.streamspace.host.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.sun.net.httpserver.HttpServer;
import io.streamspace.host.support.HostClient;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The billing pages in a real browser (headless Chromium): a host with the packaged plugin, a
 * scenario posted through the real routes (intake, calculate-usage as a job, an admin invoice
 * and an admin credit), then what ann sees after signing in on her page, that bob's data never
 * shows there, where the token is kept, and that the page runs without console errors or policy
 * violations. The team organization acme (owner oli, admin ada, member mem) is seen by each role
 * on the same page: what the API lets the role read, with its figures. Sign-in links open the
 * pages signed in. Screenshots go to {@code target/screenshots/}; ann's page and the admin page
 * also to {@code -Dscreenshots.dir} when given: the pictures of docs/billing-pages.md. The users
 * have plain ids (the database is the class's own), so that the pictures read well.
 */
class BillingPagesBrowserTest extends BillingHostTestBase {

  private static final String BILLING = "/api/plugins/billing";

  /** The window of the pictures in docs/billing-pages.md. */
  private static final Dimension DOCS_WINDOW = new Dimension(1280, 2400);

  private static final String PAGES = BILLING + "/ui/";

  /** Each chart of the user page and the route it draws. */
  private static final Map<String, String> CHART_ROUTES =
      Map.of("usage-chart", "/usage/daily?days=30", "cost-chart", "/costs/monthly?months=12");

  private static final String STRIPE_BASE = "streamspace.billing.stripeApiBase";

  /** Answers as Stripe's API (and serves its Checkout page); started before the host. */
  private final WireMockServer stripe = startedStripe();

  private HeadlessChromium browser;
  private String ann;
  private String bob;
  private String annToken;
  private JsonNode annInvoice;
  private JsonNode bobInvoice;
  private final String acme = "acme";
  private final String oli = "oli";
  private final String ada = "ada";
  private final String mem = "mem";
  private JsonNode acmeInvoice;

  /**
   * The chart routes the user page reads that this host answers 404 (the page then says "No data
   * yet."): the browser logs a 404 for each, the one console line a test accepts.
   */
  private List<String> chartRoutesMissing;

  @BeforeAll
  void startTheBrowserAndPostTheScenario() {
    browser = HeadlessChromium.startOrSkip();
    ann = "ann";
    bob = "bob";
    annToken = api.token(ann, "user");
    Instant march1 = Instant.parse("2026-03-01T00:30:00Z");
    api.postEvents(
        platformToken,
        List.of(
            Events.userCreated(ann, march1),
            Events.userCreated(bob, march1),
            // 2 cores and 4 GB for 10 hours on March 2: 1.00 + 0.40
            Events.sessionCreated(
                "s-" + ann, ann, Instant.parse("2026-03-02T01:00:00Z"), "2", "4", "0"),
            Events.sessionTerminated("s-" + ann, ann, Instant.parse("2026-03-02T11:00:00Z")),
            // one core for two hours on March 5, after her invoice's period: 0.10 not invoiced
            Events.sessionCreated(
                "s3-" + ann, ann, Instant.parse("2026-03-05T01:00:00Z"), "1", "0", "0"),
            Events.sessionTerminated("s3-" + ann, ann, Instant.parse("2026-03-05T03:00:00Z")),
            // bob: one core for two hours: 0.10
            Events.sessionCreated(
                "s-" + bob, bob, Instant.parse("2026-03-02T01:00:00Z"), "1", "0", "0"),
            Events.sessionTerminated("s-" + bob, bob, Instant.parse("2026-03-02T03:00:00Z")),
            // ann runs 1.5 cores and 3 GB now, and used 90 of the free plan's 100 AI queries
            Events.sessionCreated("s2-" + ann, ann, at("11:00"), "1.5", "3", "0"),
            Events.heartbeat("s2-" + ann, ann, at("11:59")),
            Events.usageReported(ann, "ai_queries", "90", Instant.parse("2026-03-05T09:00:00Z"))));
    api.postEvents(platformToken, acmeAndItsSessions(march1));
    api.awaitCaughtUp("billing");
    api.runJob("calculate-usage");
    annInvoice = invoice(ann);
    bobInvoice = invoice(bob);
    acmeInvoice = invoice(acme);
    api.http
        .post(
            "/api/plugins/billing/admin/credits",
            api.adminToken,
            HostClient.json(Map.of("user_id", ann, "amount", 25, "reason", "welcome")))
        .expect(201);
    // an admin checks s3's size and states it again: a correction that changes no money
    api.http
        .post(
            "/api/plugins/billing/admin/corrections",
            api.adminToken,
            HostClient.json(
                Map.of(
                    "reason",
                    "s3 checked: 1 core",
                    "items",
                    List.of(
                        Map.of(
                            "amend",
                            Map.of(
                                "session_id",
                                "s3-" + ann,
                                "from",
                                "2026-03-05T01:00:00Z",
                                "to",
                                "2026-03-05T03:00:00Z",
                                "cpu_cores",
                                1))))))
        .expect(201);
    // The admin page's analytics and dashboard figures are refresh-dashboard's snapshots while
    // one is at most 10 minutes older than the test's clock, else computed when asked. The cron
    // (every 5 minutes of the wall clock) could take one while the scenario above was posted,
    // before its invoices, and the page showed it (the analytics without USD). One taken a
    // second later on the test's clock replaces any taken at NOW (only a newer one does), and,
    // ahead of the clock once it is back at NOW, is never served: the page computes its figures.
    clock.advance(Duration.ofSeconds(1));
    api.runJob("refresh-dashboard");
    clock.set(NOW);
    chartRoutesMissing =
        CHART_ROUTES.values().stream()
            .filter(route -> api.http.get(BILLING + route, annToken).status() == 404)
            .toList();
  }

  /**
   * acme on the free plan from March 1: oli its owner, ada its admin, mem a member, each with a
   * personal account too. Under acme on March 2, ada ran 2 cores and 4 GB for 10 hours (1.00 +
   * 0.40 = 1.40) and mem 1 core and 2 GB for 2 hours (0.10 + 0.04 = 0.14): acme's 1.54.
   */
  private List<Map<String, Object>> acmeAndItsSessions(Instant march1) {
    return List.of(
        Events.userCreated(oli, march1),
        Events.userCreated(ada, march1),
        Events.userCreated(mem, march1),
        Events.orgCreated(acme, oli, "free", march1),
        Events.memberAdded(acme, ada, "admin", march1),
        Events.memberAdded(acme, mem, "member", march1),
        Events.underOrg(
            acme,
            Events.sessionCreated(
                "s-" + ada, ada, Instant.parse("2026-03-02T01:00:00Z"), "2", "4", "0")),
        Events.underOrg(
            acme, Events.sessionTerminated("s-" + ada, ada, Instant.parse("2026-03-02T11:00:00Z"))),
        Events.underOrg(
            acme,
            Events.sessionCreated(
                "s-" + mem, mem, Instant.parse("2026-03-02T01:00:00Z"), "1", "2", "0")),
        Events.underOrg(
            acme,
            Events.sessionTerminated("s-" + mem, mem, Instant.parse("2026-03-02T03:00:00Z"))));
  }

  private JsonNode invoice(String user) {
    return api.http
        .post(
            "/api/plugins/billing/admin/invoices",
            api.adminToken,
            HostClient.json(
                Map.of(
                    "user_id",
                    user,
                    "period_start",
                    "2026-03-01",
                    "period_end",
                    "2026-03-03",
                    "reason",
                    "e2e")))
        .expect(201);
  }

  /** Started before the host, so the plugin reads its address when it loads. */
  private static WireMockServer startedStripe() {
    WireMockServer server = new WireMockServer(options().dynamicPort());
    server.start();
    System.setProperty(STRIPE_BASE, server.baseUrl());
    return server;
  }

  @Override
  Map<String, String> secrets() {
    return Map.of(
        "STRIPE_SECRET_KEY", "sk_test_pages_0123456789",
        "STRIPE_WEBHOOK_SECRET", "whsec_pages_0123456789");
  }

  @AfterAll
  void closeTheBrowser() {
    if (browser != null) {
      browser.close();
    }
    System.clearProperty(STRIPE_BASE);
    stripe.stop();
  }

  /** Every test starts signed out on a fresh load of the page. */
  @BeforeEach
  void signedOut() {
    browser.openSignedOut(url(PAGES));
    browser.consoleProblems();
  }

  /** Whatever a test did, the console has no error or warning (CSP violations are warnings). */
  @AfterEach
  void noConsoleProblems() {
    List<String> problems =
        browser.consoleProblems().stream()
            .filter(
                line ->
                    chartRoutesMissing.stream()
                        .noneMatch(route -> line.contains(BILLING + route) && line.contains("404")))
            .toList();
    assertEquals(List.of(), problems);
  }

  private void open(String path) {
    browser.driver.get(url(path));
  }

  private String url(String path) {
    return "http://localhost:" + billing.host.port() + path;
  }

  private Object sessionToken() {
    return browser.script("return sessionStorage.getItem('billing.token')");
  }

  private WebElement byId(String id) {
    return browser.driver.findElement(By.id(id));
  }

  /** The browser logged this route's answer itself (a failed status), and nothing else. */
  private void browserLoggedOnly(String route, int status) {
    assertEquals(
        List.of(true),
        browser.consoleProblems().stream()
            .map(line -> line.contains(route) && line.contains("status of " + status))
            .distinct()
            .toList());
  }

  private void signIn(String token) {
    browser.await(d -> byId("token").isDisplayed());
    byId("token").sendKeys(token);
    byId("signin").click();
  }

  private void annSignedIn() {
    signedIn(annToken);
  }

  /** Signs in and waits until the page has drawn everything it reads (charts last). */
  private void signedIn(String token) {
    signIn(token);
    browser.await(
        d ->
            browser.script(
                "const done = (id) => document.getElementById(id + '-status').textContent !== ''"
                    + " || Chart.getChart(document.getElementById(id)) !== undefined;"
                    + " return document.getElementById('cost-so-far') !== null"
                    + " && done('usage-chart') && done('cost-chart');"));
  }

  @Test
  void annSeesHerPlanQuotasInvoiceAndCreditAsTheApiAnswersThem() throws Exception {
    annSignedIn();

    assertEquals("Signed in as " + ann, byId("signed-in-as").getText());
    assertFalse(byId("signin-form").isDisplayed(), "the sign-in form is hidden once signed in");
    assertEquals("Hobby", byId("plan-name").getText());
    assertEquals("$0.00 / month", byId("plan-price").getText());
    WebElement cpu = byId("quota-bar-cpu_cores");
    assertEquals("progressbar", cpu.getAttribute("role"));
    assertEquals("1.5", cpu.getAttribute("aria-valuenow"));
    assertEquals("2", cpu.getAttribute("aria-valuemax"));
    assertEquals("3", byId("quota-bar-memory_gb").getAttribute("aria-valuenow"));
    assertEquals("4", byId("quota-bar-memory_gb").getAttribute("aria-valuemax"));
    assertTrue(byId("quota-bar-ai_queries").getAttribute("class").contains("warning"));
    assertTrue(byId("banner-warning-ai_queries").getText().contains("AI queries"));

    long invoiceId = annInvoice.get("id").asLong();
    assertEquals("sent", byId("invoice-status-" + invoiceId).getText());
    WebElement invoiceRow =
        byId("invoice-status-" + invoiceId).findElement(By.xpath("ancestor::tr"));
    assertTrue(invoiceRow.getText().contains(annInvoice.get("invoice_number").asText()));
    assertEquals("$1.40", invoiceRow.findElement(By.cssSelector("td.num")).getText());

    assertEquals("$25.00", byId("credit-balance").getText());
    String credits = byId("credits-table").getText();
    assertTrue(credits.contains("welcome") && credits.contains("$25.00"), credits);
    String corrections = byId("corrections-table").getText();
    assertTrue(
        corrections.contains("s3 checked: 1 core") && corrections.contains("no change"),
        corrections);

    assertTrue(byId("quota-cpu_cores").getText().contains("1.5 of 2 cores (75%)"));
    assertTrue(byId("quota-active_sessions").getText().contains("1 of 2 sessions"));
    assertTrue(byId("plan-free").getText().contains("(current plan)"));
    assertNotNull(byId("plan-choose-pro"));
    assertEquals(
        "function", browser.script("return typeof Chart"), "Chart.js loads under the policy");
    for (Map.Entry<String, String> chart : CHART_ROUTES.entrySet()) {
      boolean served = !chartRoutesMissing.contains(chart.getValue());
      Object drawn =
          browser.script(
              "return Chart.getChart(document.getElementById(arguments[0])) !== undefined",
              chart.getKey());
      assertEquals(served, drawn, chart + " drawn from its route");
      assertEquals(
          served ? "" : "No data yet.", byId(chart.getKey() + "-status").getText(), chart.getKey());
    }
    browser.documentedScreenshot("billing-user-page", DOCS_WINDOW);
  }

  /**
   * A click on ann's invoice's lines, then on its cpu line, opens the line's explanation: its
   * rule, its 10 hourly records of session s-ann (2 cores: 0.10 each) adding up to the line's
   * $1.00, each with the journaled events of its session.
   */
  @Test
  void aClickOnAnInvoiceLineOpensItsExplanation() {
    annSignedIn();
    long invoiceId = annInvoice.get("id").asLong();

    byId("invoice-lines-" + invoiceId + "-open").click();
    browser.await(d -> !d.findElements(By.id("explain-line-" + invoiceId + "-1")).isEmpty());
    byId("explain-line-" + invoiceId + "-1").click();
    browser.await(d -> !d.findElements(By.id("explanation-records")).isEmpty());

    assertEquals("Line 1: cpu usage, $1.00", byId("explanation-heading").getText());
    assertTrue(
        byId("explanation-sums").getText().startsWith("10 record(s) add up to $1.00, the line"),
        byId("explanation-sums").getText());
    List<WebElement> rows = byId("explanation-records").findElements(By.cssSelector("tbody tr"));
    assertEquals(10, rows.size());
    String first = rows.get(0).getText();
    assertTrue(
        first.contains("usage record of session s-" + ann)
            && first.contains("$0.10")
            && first.contains("session.created"),
        first);
  }

  /**
   * ann's invoice of March 1 to 3 lies in this period (from March 1): the page shows it as
   * already invoiced, the estimate as what is not invoiced yet (her session of March 5), and the
   * two added up, each labelled, as the API answers them; the usage so far is the usage of the
   * two (the usage billing mode).
   */
  @Test
  void annSeesWhatIsAlreadyInvoicedThisPeriodAndWhatIsNotYet() throws Exception {
    annSignedIn();

    JsonNode spending = api.http.get(BILLING + "/spending-limit", annToken).expect(200);
    BigDecimal invoiced = annInvoice.get("subtotal").decimalValue();
    BigDecimal notYet = spending.at("/estimate/total").decimalValue();
    assertEquals(new BigDecimal("1.40"), invoiced, "2 cores and 4 GB for 10 hours");
    assertEquals(new BigDecimal("0.10"), notYet, "1 core for 2 hours on March 5");
    assertEquals("$1.40", rowAmount("period-split-table", "Already invoiced"));
    assertEquals("$" + notYet, rowAmount("period-split-table", "Not yet invoiced (estimate)"));
    assertEquals("$1.50", rowAmount("period-split-table", "This period so far"));
    assertEquals(
        "This period so far, before credits",
        byId("period-split-table").findElement(By.tagName("caption")).getText());
    assertEquals(
        "Already invoiced on "
            + annInvoice.get("invoice_number").asText()
            + " (under Invoices), so that usage is not in the estimate again.",
        byId("period-split-note").getText());
    assertEquals("$" + notYet, rowAmount("estimate-table", "Not yet invoiced"));
    assertTrue(
        byId("estimate-table").getText().startsWith("Not yet invoiced: the next invoice"),
        byId("estimate-table").getText());

    JsonNode usage =
        api.usage(annToken, "?from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z").expect(200);
    String total = byId("cost-so-far").findElement(By.xpath(".//tr[last()]/td[last()]")).getText();
    assertEquals("$" + usage.get("total_cost").asText(), total);
    assertTrue(
        byId("cost-so-far").getText().startsWith("Usage so far by resource, invoiced or not"));
    String estimatedUsage = rowAmount("estimate-table", "Usage");
    assertEquals(
        invoiced,
        dollars(total).subtract(dollars(estimatedUsage)),
        total + " so far, " + estimatedUsage + " not yet invoiced");
    assertTrue(byId("estimate-note").getText().startsWith("Already invoiced is what"));
  }

  /** ann used 90 of her 100 AI queries, and is within every other limit: one banner, that one. */
  @Test
  void annNearALimitSeesExactlyItsWarningOnTheFirstScreen() {
    annSignedIn();

    assertEquals(List.of("banner-warning-ai_queries"), bannerIds());
    WebElement warning = byId("banner-warning-ai_queries");
    assertEquals(
        "AI queries: limit approaching (90%).\n"
            + "Buy a capacity pack or switch to a larger plan before you reach it.",
        warning.getText());
    assertEquals(
        Boolean.TRUE,
        browser.script(
            "return arguments[0].getBoundingClientRect().bottom <= window.innerHeight", warning),
        "on the first screen");
  }

  /**
   * The live panel ticks: liv runs 2 cores and 4 GB from 11:30 (0.14 an hour), so at noon her
   * period has cost $0.07 (30 minutes: 0.05 of cpu, 0.02 of memory); the clock moved to 12:05,
   * the next event says $0.08 (0.06 and 0.02), without a reload. The clock goes back to noon for
   * the other tests (liv's 5 minutes are within every session's heartbeat timeout).
   */
  @Test
  void theLivePanelTicks_itsFigureChangingAsTheClockMoves() {
    String liv = "liv";
    api.postEvents(
        platformToken,
        List.of(
            Events.userCreated(liv, at("11:00")),
            Events.sessionCreated("s-" + liv, liv, at("11:30"), "2", "4", "0"),
            Events.heartbeat("s-" + liv, liv, at("11:59"))));
    api.awaitCaughtUp("billing");
    try {
      signedIn(api.token(liv, "user"));
      browser.await(d -> !byId("live-cost-total").getText().isEmpty());
      String first = byId("live-cost-total").getText();

      clock.set(at("12:05"));
      browser.await(d -> !byId("live-cost-total").getText().equals(first));

      assertEquals("$0.07", first);
      assertEquals("$0.08", byId("live-cost-total").getText());
      assertEquals("$0.14 an hour", byId("live-cost-rate").getText());
      assertEquals("No limit is reached at this rate", byId("live-cost-runway").getText());
      assertTrue(
          byId("live-cost-sessions").getText().contains("s-" + liv),
          byId("live-cost-sessions").getText());
    } finally {
      clock.set(NOW);
    }
  }

  /**
   * pat's personal organization holds 10.00 an admin granted and runs 2 cores and 4 GB from 11:30
   * (0.14 an hour). Her page shows the balance as GET /balance answers it (nothing reserved: the
   * session started through events, not admission) and no auto top-up; the Live panel ticks from
   * $0.07 to $0.08 as the clock moves to 12:05, its runway the balance spent: 9.92 left at 0.14
   * an hour, 255,085 s. With Stripe enabled, her top-up of 1 is refused naming its field (a
   * top-up is 5 to 10,000 dollars), and one of 25 goes to the Checkout page Stripe answers (a
   * session in payment mode for 2,500 cents). ada, acme's admin, sees its balance, no form.
   */
  @Test
  void anOwnersBalanceAndRunwayShow_theLivePanelTicks_andATopUpGoesToStripeCheckout() {
    String pat = "pat";
    api.postEvents(
        platformToken,
        List.of(
            Events.userCreated(pat, at("11:00")),
            Events.sessionCreated("s-" + pat, pat, at("11:30"), "2", "4", "0"),
            Events.heartbeat("s-" + pat, pat, at("11:59"))));
    api.awaitCaughtUp("billing");
    api.http
        .post(
            BILLING + "/admin/balance",
            api.adminToken,
            HostClient.json(
                Map.of("org_id", pat, "amount", 10, "currency", "USD", "reason", "prepaid")))
        .expect(201);
    String checkoutPage = stubStripeCheckout(pat);
    patchConfig(Map.of("stripeEnabled", true));
    try {
      String patToken = api.token(pat, "user");
      JsonNode balance = api.http.get(BILLING + "/balance", patToken).expect(200);
      signedIn(patToken);
      browser.await(d -> !byId("live-cost-total").getText().isEmpty());
      String first = byId("live-cost-total").getText();
      clock.set(at("12:05"));
      browser.await(d -> !byId("live-cost-total").getText().equals(first));
      JsonNode live = api.http.get(BILLING + "/live", patToken).expect(200);

      assertEquals(
          "$10.00 $0.00 $10.00",
          dollars(balance.get("balance"))
              + " "
              + dollars(balance.get("reserved"))
              + " "
              + dollars(balance.get("available")));
      assertEquals("$10.00", byId("balance-balance").getText());
      assertEquals("$0.00", byId("balance-reserved").getText());
      assertEquals("$10.00", byId("balance-available").getText());
      assertEquals("None", byId("balance-rule").getText());
      assertEquals("$0.07", first);
      assertEquals("$0.08", byId("live-cost-total").getText());
      assertEquals(
          "balance 255085",
          live.at("/runway/what").asText() + " " + live.at("/runway/seconds").asText());
      assertEquals(
          "In 2 d 22 h (2026-03-13 10:56 UTC): the prepaid balance is spent",
          byId("live-cost-runway").getText());

      assertEquals("USD", byId("top-up-currency").getText());
      byId("top-up-amount").sendKeys("1");
      byId("top-up").click();
      browser.await(d -> byId("live").getText().startsWith("Topping up failed"));
      assertTrue(byId("live").getText().contains("(field top_up.amount)"), byId("live").getText());
      browserLoggedOnly("/create-checkout", 400);
      byId("top-up-amount").clear();
      byId("top-up-amount").sendKeys("25");
      byId("top-up").click();
      browser.await(d -> d.getCurrentUrl().equals(checkoutPage));
      assertEquals("Stripe Checkout", browser.driver.getTitle());
      stripe.verify(
          1,
          postRequestedFor(urlEqualTo("/v1/checkout/sessions"))
              .withFormParam("mode", equalTo("payment"))
              .withFormParam("metadata[kind]", equalTo("top_up"))
              .withFormParam("line_items[0][price_data][unit_amount]", equalTo("2500")));

      signedOut(); // back from the Checkout page
      onAcmeAs(ada);
      assertEquals("$0.00", byId("balance-available").getText());
      assertFalse(byId("top-up-form").isDisplayed(), "topping up is the owner's");
      assertEquals("Topping up is the organization's owner's.", byId("top-up-note").getText());
    } finally {
      clock.set(NOW);
      patchConfig(Map.of("stripeEnabled", false));
    }
  }

  /**
   * Stripe's answers to a top-up of {@code org}: its customer, the Checkout Session, and the
   * Checkout page the session's URL opens (on the local server). Answers that URL.
   */
  private String stubStripeCheckout(String org) {
    String customer =
        """
        {"id":"cus_%s","object":"customer","created":%d,"livemode":false,\
        "metadata":{"account_id":"%s"},"invoice_settings":{"default_payment_method":null}}"""
            .formatted(org, NOW.getEpochSecond(), org);
    stripe.stubFor(post(urlEqualTo("/v1/customers")).willReturn(okJson(customer)));
    stripe.stubFor(get(urlEqualTo("/v1/customers/cus_" + org)).willReturn(okJson(customer)));
    String page = stripe.baseUrl() + "/c/pay/cs_top_up_" + org;
    stripe.stubFor(
        post(urlEqualTo("/v1/checkout/sessions"))
            .willReturn(
                okJson(
                    """
                    {"id":"cs_top_up_%s","object":"checkout.session","mode":"payment",\
                    "status":"open","payment_status":"unpaid","customer":"cus_%s",\
                    "currency":"usd","created":%d,"expires_at":%d,\
                    "metadata":{"account_id":"%s","kind":"top_up"},\
                    "url":"%s","livemode":false}"""
                        .formatted(
                            org,
                            org,
                            NOW.getEpochSecond(),
                            NOW.plusSeconds(86_400).getEpochSecond(),
                            org,
                            page))));
    stripe.stubFor(
        get(urlEqualTo("/c/pay/cs_top_up_" + org))
            .willReturn(
                aResponse()
                    .withHeader("Content-Type", "text/html; charset=utf-8")
                    .withBody(
                        "<!doctype html><html><head><title>Stripe Checkout</title>"
                            + "<link rel=\"icon\" href=\"data:,\"></head><body></body></html>")));
    return page;
  }

  private void patchConfig(Map<String, Object> change) {
    api.http
        .call(
            "PATCH",
            "/api/admin/plugins/billing/config",
            api.adminToken,
            HostClient.json(change),
            HostClient.CONFIG_REASON)
        .expect(200);
  }

  /**
   * A new user is within every limit and has no usage yet: no banner at all, and "No data yet."
   * where each chart would be, no chart drawn (not even empty axes).
   */
  @Test
  void aNewUserSeesNoBannerAndNoDataYetInsteadOfEachChart() {
    String eve = "eve";
    api.postEvents(platformToken, List.of(Events.userCreated(eve, NOW.minusSeconds(3600))));
    api.awaitCaughtUp("billing");
    signedIn(api.token(eve, "user"));

    assertEquals(List.of(), bannerIds());
    assertFalse(byId("banners").isDisplayed());
    for (String chart : CHART_ROUTES.keySet()) {
      assertEquals("No data yet.", byId(chart + "-status").getText(), chart);
      assertFalse(byId(chart).isDisplayed(), chart + ": no canvas shown");
      assertEquals(
          Boolean.FALSE,
          browser.script(
              "return Chart.getChart(document.getElementById(arguments[0])) !== undefined", chart),
          chart + ": no chart drawn");
    }
    assertEquals("Nothing is invoiced yet this period.", byId("period-split-note").getText());
    assertEquals("$0.00", rowAmount("period-split-table", "This period so far"));
  }

  /**
   * A soft limit passed with its overage confirmed: use goes on and is billed, so the page says
   * so as a warning, not as the red "limit reached" of a hard limit. olga's free plan includes
   * 100 AI queries (soft); she asked 150 and confirmed the overage.
   */
  @Test
  void aConfirmedOverageOfASoftLimitShowsAsBilled_notAsALimitReached() {
    String olga = "olga";
    api.postEvents(
        platformToken,
        List.of(
            Events.userCreated(olga, NOW.minusSeconds(7200)),
            Events.usageReported(olga, "ai_queries", "150", NOW.minusSeconds(3600))));
    api.awaitCaughtUp("billing");
    String token = api.token(olga, "user");
    api.http.post(BILLING + "/overage/confirm", token, "{\"meter\":\"ai_queries\"}").expect(201);

    signedIn(token);

    assertEquals(List.of("banner-exceeded-ai_queries"), bannerIds());
    WebElement overage = byId("banner-exceeded-ai_queries");
    assertEquals(
        "AI queries: past what your plan includes, billed as overage.\n"
            + "Buy a capacity pack or switch to a larger plan to pay less for it.",
        overage.getText());
    assertEquals("banner banner-warning", overage.getAttribute("class"));
  }

  /**
   * In usage billing mode (this host's) no plan fee is invoiced: the plan sets the limits. xia's
   * owner page shows Pro's $29.99 a month saying it is not charged, and the plans table says the
   * same of every price.
   */
  @Test
  void anOwnerOnProInUsageModeIsToldThePlanFeeIsNotCharged_onlyItsLimitsApply() {
    String xia = "xia";
    api.postEvents(
        platformToken,
        List.of(Events.userCreated(xia, NOW.minusSeconds(3600), Map.of("plan", "pro"))));
    api.awaitCaughtUp("billing");
    String token = api.token(xia, "user");
    JsonNode plan = api.http.get(BILLING + "/subscription", token).expect(200);
    assertEquals("usage", plan.get("billing_mode").asText(), "the host's billing mode");
    assertEquals("29.99", plan.get("price").decimalValue().toPlainString());

    signedIn(token);

    assertEquals(
        "$29.99 / month (not charged in usage billing mode: you pay for what you use, and the"
            + " plan's limits apply)",
        byId("plan-price").getText());
    assertEquals("usage", byId("billing-mode").getText());
    assertEquals(
        "The prices are not charged in usage billing mode: you pay for what you use, and a"
            + " plan's limits apply.",
        byId("plans-fee-note").getText());
  }

  /**
   * Pro with a 14-day trial: tia, opened on it an hour ago (March 10 11:00), is on its trial to
   * March 24 11:00; with no payment method on file, her owner page says she then moves to Hobby.
   */
  @Test
  void anOwnerOnATrialIsToldUntilWhenItIsFree_andWhatComesThen() {
    JsonNode plans =
        api.http
            .get("/api/admin/plugins/billing/config", api.adminToken)
            .expect(200)
            .get("subscriptionPlans")
            .deepCopy();
    for (JsonNode plan : plans) {
      if (plan.get("id").asText().equals("pro")) {
        ((ObjectNode) plan).put("trial_days", 14);
      }
    }
    try {
      putConfig(Map.of("subscriptionPlans", plans));
      String tia = "tia";
      api.postEvents(
          platformToken,
          List.of(Events.userCreated(tia, NOW.minusSeconds(3600), Map.of("plan", "pro"))));
      api.awaitCaughtUp("billing");
      String token = api.token(tia, "user");
      JsonNode trial = api.http.get(BILLING + "/subscription", token).expect(200).get("trial");
      assertEquals("2026-03-24T11:00:00Z", trial.get("ends_at").asText());

      signedIn(token);

      assertEquals(
          "Pro is free until 2026-03-24 11:00 UTC, the end of your trial. Without a payment"
              + " method on file, you then move to Hobby; add one to stay on Pro at $29.99 /"
              + " month.",
          byId("plan-trial").getText());
    } finally {
      putConfig(Map.of());
    }
  }

  /** The ids of the banners the page shows, in order. */
  @SuppressWarnings("unchecked")
  private List<String> bannerIds() {
    return (List<String>)
        browser.script("return [...document.getElementById('banners').children].map((b) => b.id)");
  }

  /** An amount the page shows in dollars ($1,234.50) as a number. */
  private static BigDecimal dollars(String shown) {
    return new BigDecimal(shown.replace("$", "").replace(",", ""));
  }

  @Test
  void bobsDataNeverAppearsOnAnnsPage() {
    annSignedIn();

    String page = browser.driver.getPageSource();
    assertFalse(page.contains(bob), "bob's user id");
    assertFalse(page.contains(bobInvoice.get("invoice_number").asText()), "bob's invoice");
    assertTrue(
        browser
            .driver
            .findElements(By.id("invoice-status-" + bobInvoice.get("id").asLong()))
            .isEmpty());
    assertTrue(page.contains(annInvoice.get("invoice_number").asText()));
  }

  @Test
  void theTokenIsKeptInSessionStorageNeverInTheUrlAndSigningOutForgetsIt() {
    annSignedIn();

    assertEquals(annToken, browser.script("return sessionStorage.getItem('billing.token')"));
    assertEquals(0L, browser.script("return localStorage.length"));
    assertFalse(browser.driver.getCurrentUrl().contains(annToken));
    assertEquals("", byId("token").getAttribute("value"), "the field is emptied");

    byId("signout").click();

    assertNull(browser.script("return sessionStorage.getItem('billing.token')"));
    assertTrue(byId("signin-form").isDisplayed());
    assertFalse(byId("session").isDisplayed(), "no sign-out button while signed out");
    assertFalse(byId("content").isDisplayed());
    assertEquals("", byId("signed-in-as").getText());
  }

  /** Opens the admin page and signs in, waiting until the accounts and the jobs are drawn. */
  private void adminSignedIn() {
    open(PAGES + "admin");
    assertEquals("Billing administration", browser.driver.getTitle());
    signIn(api.adminToken);
    awaitAdminPageDrawn();
  }

  /** Waits until the admin page has drawn the accounts, the jobs and the dashboard. */
  private void awaitAdminPageDrawn() {
    browser.await(
        d ->
            !d.findElements(By.id("accounts-table")).isEmpty()
                && !d.findElements(By.id("jobs-table")).isEmpty()
                && !d.findElements(By.id("analytics-table")).isEmpty()
                && !byId("usage-patterns-chart-status").getText().isEmpty());
  }

  @Test
  void theAdminPageListsTheSeededAccountsWithTheirFigures() throws Exception {
    adminSignedIn();

    assertEquals("Signed in as an admin", byId("signed-in-as").getText());
    assertFalse(byId("admins-only").isDisplayed());
    for (String user : List.of(ann, bob)) {
      WebElement row = byId("account-row-" + user);
      assertTrue(row.getText().startsWith(user), row.getText());
    }
    assertEquals(
        "$25.00",
        byId("account-row-" + ann).findElement(By.cssSelector("td.credit-balance")).getText());
    // ann used 90 of her 100 AI queries; bob nothing
    assertEquals(
        "approaching the limit: AI queries 90%",
        byId("account-row-" + ann).findElement(By.cssSelector("td.quota-state")).getText());
    assertEquals(
        "ok", byId("account-row-" + bob).findElement(By.cssSelector("td.quota-state")).getText());
    assertEquals(
        "ascending", byId("sort-user_id").findElement(By.xpath("..")).getAttribute("aria-sort"));
    assertNotNull(byId("job-run-calculate-usage"));
    assertTrue(byId("revenue-table").getText().contains("USD"));
    assertTrue(byId("outstanding-table").getText().contains("USD"));
    // the subscription analytics: a table per month and currency (the chart's text
    // alternative), each figure's formula, a line chart of MRR in USD
    assertTrue(byId("analytics-table").getText().contains("USD"));
    assertTrue(
        byId("analytics-definitions").getAttribute("textContent").contains("revenue_churn_rate"));
    assertEquals(
        "MRR by month in USD (the table below has the figures)",
        byId("mrr-chart-USD").getAttribute("aria-label"));
    assertEquals(
        Boolean.TRUE,
        browser.script(
            "return Chart.getChart(document.getElementById('usage-patterns-chart')) !== undefined"
                + " && Chart.getChart(document.getElementById('revenue-chart-USD')) !== undefined"
                + " && Chart.getChart(document.getElementById('mrr-chart-USD')) !== undefined"));
    browser.documentedScreenshot("billing-admin-page", DOCS_WINDOW);
  }

  @Test
  void aCreditGrantedThroughTheAdminFormShowsOnTheAccountOnceEvenAfterADoubleSubmit() {
    String dan = "dan";
    api.postEvents(platformToken, List.of(Events.userCreated(dan, NOW.minusSeconds(3600))));
    api.awaitCaughtUp("billing");
    adminSignedIn();

    byId("credit-user").sendKeys(dan);
    byId("credit-amount").sendKeys("12.50");
    byId("credit-reason").sendKeys("goodwill");
    // two submissions at once, as a double click sends them
    browser.script(
        "const form = document.getElementById('credit-form');"
            + " form.requestSubmit(); form.requestSubmit();");

    browser.await(d -> byId("live").getText().startsWith("Granted"));
    assertTrue(byId("live").getText().contains("$12.50"), byId("live").getText());
    browser.await(
        d ->
            byId("account-row-" + dan)
                .findElement(By.cssSelector("td.credit-balance"))
                .getText()
                .equals("$12.50"));
    JsonNode credits =
        api.http.get(BILLING + "/credits?user_id=" + dan, api.adminToken).expect(200);
    assertEquals(1, credits.get("credits").size(), credits.toString());
    assertEquals("12.50", credits.get("balance").asText());
  }

  @Test
  void aCreditFormErrorNamesTheField() {
    adminSignedIn();

    byId("credit-user").sendKeys(ann);
    byId("credit-amount").sendKeys("-1");
    byId("credit-reason").sendKeys("oops");
    byId("credit-submit").click();

    browser.await(d -> byId("live").getText().startsWith("Granting the credit failed"));
    assertTrue(byId("live").getText().contains("(field amount)"), byId("live").getText());
    assertMessage("error", "alert", "Granting the credit failed");
    browserLoggedOnly(BILLING + "/admin/credits", 400);
  }

  @Test
  void runningAJobFromTheAdminPageNeedsAReason_thenRunsItInTheAdminsName() {
    adminSignedIn();

    byId("job-run-calculate-usage").click();
    browser.await(d -> byId("live").getText().startsWith("Running calculate-usage failed"));
    assertTrue(byId("live").getText().contains("(field reason)"), byId("live").getText());
    browserLoggedOnly(BILLING + "/jobs/calculate-usage", 400);

    byId("job-reason").sendKeys("rating before the review");
    byId("job-run-calculate-usage").click();
    browser.await(d -> byId("live").getText().startsWith("calculate-usage ended succeeded"));
  }

  @Test
  void aUserTokenSeesThatThePageIsForAdminsAndNoTable() {
    open(PAGES + "admin");
    signIn(annToken);

    browser.await(d -> byId("admins-only").isDisplayed());
    assertTrue(byId("admins-only").getText().startsWith("This page is for admins"));
    assertFalse(byId("admin-view").isDisplayed());
    assertTrue(browser.driver.findElements(By.id("accounts-table")).isEmpty());
    assertFalse(browser.driver.getPageSource().contains(bob), "no other account shows");
    browserLoggedOnly(BILLING + "/admin/users", 403);
  }

  @Test
  void buyingAPackOnThePageListsThePurchaseAndRaisesTheLimit() {
    String cat = "cat";
    api.postEvents(platformToken, List.of(Events.userCreated(cat, NOW.minusSeconds(3600))));
    signedIn(api.token(cat, "user"));
    assertEquals("2", byId("quota-bar-active_sessions").getAttribute("aria-valuemax"));
    // what each pack adds, in its meter's unit
    assertEquals("10 GB storage", rowCell("packs-table", "10 GB storage", 1));
    assertEquals("5 active sessions", rowCell("packs-table", "5 job slots", 1));

    byId("pack-buy-slots-5").click();

    // said once the page has read everything again
    browser.await(d -> byId("live").getText().startsWith("Bought"));
    String purchases = byId("purchases-table").getText();
    assertTrue(purchases.contains("5 job slots") && purchases.contains("$5.00"), purchases);
    assertEquals("7", byId("quota-bar-active_sessions").getAttribute("aria-valuemax"));
    assertEquals("Bought 5 job slots: it is billed on your next invoice.", byId("live").getText());
    assertMessage("success", "status", "Bought 5 job slots");
  }

  /**
   * The message the live region shows is of that kind: its style (message-success,
   * message-error...) and its role (status, or alert for an error), the other region empty.
   */
  private void assertMessage(String kind, String role, String startsWith) {
    WebElement shown =
        browser.driver.findElement(By.cssSelector("#live [role='" + role + "']:not(:empty)"));
    assertTrue(shown.getText().startsWith(startsWith), shown.getText());
    assertEquals("message message-" + kind, shown.getAttribute("class"));
    assertEquals(
        1L,
        browser.script(
            "return [...document.querySelectorAll('#live .message')]"
                + ".filter((m) => m.textContent !== '').length"),
        "one message at a time");
  }

  /** The text of a row's cell (the row's header is column 0) in a table. */
  private String rowCell(String tableId, String header, int column) {
    return byId(tableId)
        .findElement(By.xpath(".//tr[th='" + header + "']/td[" + column + "]"))
        .getText();
  }

  @Test
  void aRefusedTokenIsForgottenAndSaidSo() {
    signIn("not-a-token");

    browser.await(d -> byId("live").getText().startsWith("The token was refused"));
    assertNull(browser.script("return sessionStorage.getItem('billing.token')"));
    assertTrue(byId("signin-form").isDisplayed());
    assertFalse(byId("content").isDisplayed());
    browserLoggedOnly(BILLING + "/organizations", 401);
  }

  // ---- sign-in links: a page's address ending in #token=<token>, as the demo prints them ----

  /**
   * The admin page's link, then ann's: each page opens signed in, the token in this tab's
   * sessionStorage and gone from the address bar, and from the history too (going back and
   * forth shows the addresses without it).
   */
  @Test
  void aSignInLinkOpensThePageSignedInAndLeavesTheTokenNeitherInTheAddressBarNorInTheHistory() {
    open(PAGES + "admin#token=" + api.adminToken);

    awaitAdminPageDrawn();
    assertEquals("Signed in as an admin", byId("signed-in-as").getText());
    assertEquals(url(PAGES + "admin"), browser.driver.getCurrentUrl());
    assertEquals(api.adminToken, sessionToken());

    open(PAGES + "#token=" + annToken);

    browser.await(d -> byId("signed-in-as").getText().equals("Signed in as " + ann));
    assertEquals(url(PAGES), browser.driver.getCurrentUrl());
    assertEquals(annToken, sessionToken());
    assertFalse(byId("signin-form").isDisplayed());
    assertFalse(byId("signin-help").isDisplayed(), "the sign-in help shows only signed out");
    browser.await(d -> ann.equals(byId("content").getAttribute("data-loaded-org")));

    // signed out first, so that the pages met again ask for nothing
    byId("signout").click();
    browser.driver.navigate().back();
    assertEquals(url(PAGES + "admin"), browser.driver.getCurrentUrl());
    browser.driver.navigate().forward();
    assertEquals(url(PAGES), browser.driver.getCurrentUrl());
  }

  /** A link opened in a tab already showing the page changes only the fragment: no new load. */
  @Test
  void aSignInLinkOpenedOnThePageAlreadyShownSignsInWithoutALoad() {
    browser.script("window.notLoadedAgain = true");

    browser.script("location.hash = arguments[0]", "#token=" + annToken);

    browser.await(d -> ann.equals(byId("content").getAttribute("data-loaded-org")));
    assertEquals(Boolean.TRUE, browser.script("return window.notLoadedAgain === true"));
    assertEquals(url(PAGES), browser.driver.getCurrentUrl());
    assertEquals(annToken, sessionToken());
    assertEquals("Signed in as " + ann, byId("signed-in-as").getText());
  }

  @Test
  void aSignInLinkWithARefusedTokenShowsTheSignInFormAndSaysSo() {
    open(PAGES + "admin#token=not-a-token");

    browser.await(d -> byId("live").getText().startsWith("The token was refused"));
    assertEquals(url(PAGES + "admin"), browser.driver.getCurrentUrl());
    assertNull(sessionToken());
    assertTrue(byId("signin-form").isDisplayed());
    assertTrue(byId("signin-help").getText().contains("POST /api/admin/tokens"));
    assertFalse(byId("content").isDisplayed());
    browserLoggedOnly(BILLING + "/admin/users", 401);
  }

  /**
   * al holds 2 cores, exactly the free plan's hard limit of 2: the API says exceeded (at or over
   * the limit), the page "at limit", not over it.
   */
  @Test
  void aMeterUsedExactlyToItsLimitReadsAtLimit_notOverIt() {
    String al = "al";
    api.postEvents(
        platformToken,
        List.of(
            Events.userCreated(al, NOW.minusSeconds(3600)),
            Events.sessionCreated("s-" + al, al, at("11:55"), "2", "1", "0")));
    api.awaitCaughtUp("billing");
    String token = api.token(al, "user");
    JsonNode quota = api.http.get(BILLING + "/quota", token).expect(200);
    JsonNode cpu = meter(quota, "cpu_cores");
    assertEquals("exceeded", cpu.get("state").asText(), cpu.toString());
    assertEquals(0, cpu.get("used").decimalValue().compareTo(cpu.get("limit").decimalValue()));

    signedIn(token);

    assertEquals("at limit", byId("quota-state-cpu_cores").getText());
    assertTrue(
        byId("quota-cpu_cores").getText().contains("2 of 2 cores (100%) at limit"),
        byId("quota-cpu_cores").getText());
    assertFalse(byId("quota-cpu_cores").getText().contains("over"), "not over the limit");
  }

  private static JsonNode meter(JsonNode quota, String id) {
    for (JsonNode meter : quota.get("meters")) {
      if (meter.get("meter").asText().equals(id)) {
        return meter;
      }
    }
    throw new AssertionError("no meter " + id + " in " + quota);
  }

  /**
   * pia's page is stale (she moved to Pro elsewhere): "Switch to Pro" is refused with the
   * API's "already on Pro", the plan by its name as the page shows it; no text of the page shows
   * a plan id.
   */
  @Test
  void aRefusedPlanChangeNamesThePlanByItsName_neverByItsId() {
    String pia = "pia";
    api.postEvents(platformToken, List.of(Events.userCreated(pia, NOW.minusSeconds(3600))));
    api.awaitCaughtUp("billing");
    String token = api.token(pia, "user");
    signedIn(token);
    api.http.put(BILLING + "/subscription", token, "{\"plan_id\":\"pro\"}").expect(200);

    byId("plan-choose-pro").click();

    browser.await(d -> byId("live").getText().startsWith("Changing the plan failed"));
    assertTrue(byId("live").getText().contains("already on Pro"), byId("live").getText());
    assertMessage("error", "alert", "Changing the plan failed");
    String text = (String) browser.script("return document.body.innerText");
    assertFalse(
        java.util.regex.Pattern.compile("\\b(free|pro|enterprise)\\b").matcher(text).find(),
        "a plan id in the page's text: " + text);
    browserLoggedOnly(BILLING + "/subscription", 400);
  }

  /**
   * zeta's AI queries (150 of the free plan's 100, soft) wait for an overage confirmation, which
   * only its owner may give: zoe reads the banner with the action and has the button; her admin
   * zed and her member max read who can act, with no button (the API would answer them 403).
   */
  @Test
  void theOverageBannerGivesTheOwnerTheActionAndTellsAnAdminOrMemberToAskTheOwner() {
    String zeta = "zeta";
    String zoe = "zoe";
    String zed = "zed";
    String max = "max";
    Instant hourAgo = NOW.minusSeconds(3600);
    api.postEvents(
        platformToken,
        List.of(
            Events.userCreated(zoe, hourAgo),
            Events.userCreated(zed, hourAgo),
            Events.userCreated(max, hourAgo),
            Events.orgCreated(zeta, zoe, "free", hourAgo),
            Events.memberAdded(zeta, zed, "admin", hourAgo),
            Events.memberAdded(zeta, max, "member", hourAgo),
            Events.underOrg(
                zeta, Events.usageReported(zed, "ai_queries", "150", NOW.minusSeconds(1800)))));
    api.awaitCaughtUp("billing");

    onOrgAs(zeta, zoe);
    assertEquals(
        "AI queries: overage needs your confirmation.\n"
            + "Confirm the overage under Quotas to keep going (it is billed), or switch plans.",
        byId("banner-overage-ai_queries").getText());
    assertTrue(present("overage-confirm-ai_queries"), "the owner's button");

    for (String other : List.of(zed, max)) {
      byId("signout").click();
      onOrgAs(zeta, other);
      assertEquals(
          "AI queries: overage needs the owner's confirmation.\n"
              + "Ask the organization's owner to confirm the overage (it is billed) or to switch"
              + " plans: until then new sessions are refused.",
          byId("banner-overage-ai_queries").getText(),
          other);
      assertFalse(present("overage-confirm-ai_queries"), other + " has no button");
      assertEquals(
          "Ask the organization's owner to confirm the overage.",
          byId("overage-ask-owner-ai_queries").getText(),
          other);
    }
  }

  // ---- the team organization acme, by role ----

  /**
   * Signs in, waits for the personal organization's page, chooses acme and waits until the page
   * has drawn it all.
   */
  private void onAcmeAs(String user) {
    onOrgAs(acme, user);
  }

  /** As {@link #onAcmeAs}, for the team organization {@code org}. */
  private void onOrgAs(String org, String user) {
    signIn(api.token(user, "user"));
    browser.await(d -> user.equals(byId("content").getAttribute("data-loaded-org")));
    new Select(byId("org-select")).selectByValue(org);
    browser.await(d -> org.equals(byId("content").getAttribute("data-loaded-org")));
  }

  private boolean present(String id) {
    return !browser.driver.findElements(By.id(id)).isEmpty();
  }

  /** The amount cell of a two-column table's row whose header is {@code header}. */
  private String rowAmount(String tableId, String header) {
    return byId(tableId).findElement(By.xpath(".//tr[th='" + header + "']/td")).getText();
  }

  @Test
  void acmesOwnerSeesItsPlanSeatsPaymentButtonsAndInvoices() throws Exception {
    onAcmeAs(oli);

    JsonNode quota =
        api.http.get(BILLING + "/quota?org_id=" + acme, api.token(oli, "user")).expect(200);
    assertTrue(byId("org-role").getText().startsWith("You are its owner"));
    JsonNode plan =
        api.http.get(BILLING + "/subscription?org_id=" + acme, api.token(oli, "user")).expect(200);
    assertEquals(plan.get("plan_name").asText(), byId("plan-name").getText(), "acme's free plan");
    assertEquals("3", byId("seats-members").getText(), "oli, ada and mem");
    assertSeatLimitShownAsQuotaSays(quota, byId("seats-limit").getText());
    assertTrue(byId("plan-choose-pro").isEnabled(), "the owner may change the plan");
    assertTrue(byId("pack-buy-slots-5").isDisplayed(), "and buy packs");
    long invoiceId = acmeInvoice.get("id").asLong();
    assertEquals("sent", byId("invoice-status-" + invoiceId).getText());
    WebElement invoiceRow =
        byId("invoice-status-" + invoiceId).findElement(By.xpath("ancestor::tr"));
    assertEquals("$1.54", "$" + acmeInvoice.get("total").asText(), "1.40 + 0.14");
    assertEquals("$1.54", invoiceRow.findElement(By.cssSelector("td.num")).getText());
    browser.screenshot("billing-owner-page");
  }

  /**
   * The seat limit as /quota's members meter gives it (another part of the work adds that
   * meter): none listed, the page says so; else its limit, or unlimited.
   */
  private static void assertSeatLimitShownAsQuotaSays(JsonNode quota, String shown) {
    for (JsonNode meter : quota.get("meters")) {
      if (meter.get("meter").asText().equals("members")) {
        JsonNode limit = meter.get("limit");
        if (limit.isNull()) {
          assertEquals("Unlimited", shown);
        } else {
          String plain = limit.decimalValue().stripTrailingZeros().toPlainString();
          assertTrue(shown.startsWith(plain + " "), shown + " for a limit of " + plain);
        }
        return;
      }
    }
    assertEquals("None on this plan", shown);
  }

  @Test
  void acmesAdminSeesItsUsageByMemberAddingUpToTheTotal_andNoPaymentButton() throws Exception {
    onAcmeAs(ada);

    JsonNode usage =
        api.http
            .get(
                BILLING + "/usage?org_id=" + acme + "&from=2026-03-01&to=2026-04-01",
                api.token(ada, "user"))
            .expect(200);
    // as the API splits it: ada 1.40, mem 0.14, nothing stored, 1.54 in all
    assertEquals("$1.40", rowAmount("by-member-table", ada));
    assertEquals("$0.14", rowAmount("by-member-table", mem));
    assertEquals("$0.00", rowAmount("by-member-table", "Organization (storage)"));
    assertEquals("$1.54", rowAmount("by-member-table", "Total"));
    BigDecimal sum = BigDecimal.ZERO;
    for (JsonNode member : usage.get("by_member")) {
      assertEquals(
          "$" + member.get("total_cost").asText(),
          rowAmount("by-member-table", member.get("user_id").asText()));
      sum = sum.add(member.get("total_cost").decimalValue());
    }
    assertEquals(
        usage.get("total_cost").decimalValue(),
        sum.add(usage.get("organization_cost").decimalValue()));
    assertTrue(byId("invoices-section").isDisplayed(), "an admin reads the invoices");
    assertTrue(present("invoice-status-" + acmeInvoice.get("id").asLong()));
    assertFalse(present("plan-choose-pro"), "no plan change");
    assertFalse(byId("packs-section").isDisplayed(), "no pack to buy");
    assertFalse(present("pack-buy-slots-5"));
    assertFalse(byId("portal").isDisplayed(), "no payment methods");
    browser.screenshot("billing-admin-of-team-page");
  }

  @Test
  void acmesMemberSeesTheirOwnUsageAndItsQuota_noInvoiceNorOtherMember() throws Exception {
    onAcmeAs(mem);

    String memToken = api.token(mem, "user");
    JsonNode own =
        api.http
            .get(
                BILLING
                    + "/usage?org_id="
                    + acme
                    + "&member_id="
                    + mem
                    + "&from=2026-03-01&to=2026-04-01",
                memToken)
            .expect(200);
    JsonNode quota = api.http.get(BILLING + "/quota?org_id=" + acme, memToken).expect(200);
    assertEquals("0.14", own.get("total_cost").decimalValue().toPlainString(), "1 core 2 GB 2 h");
    assertEquals("$0.14", rowAmount3("Total"));
    assertEquals("$0.10", rowAmount3("cpu"), "1 core × 2 h × 0.05");
    assertTrue(byId("cost-so-far").getText().contains("Your usage under " + acme));
    for (JsonNode meter : quota.get("meters")) {
      if (!meter.get("limit").isNull()) {
        assertEquals(
            new BigDecimal(meter.get("limit").asText()).stripTrailingZeros().toPlainString(),
            byId("quota-bar-" + meter.get("meter").asText()).getAttribute("aria-valuemax"),
            "acme's limit of " + meter.get("meter"));
      }
    }
    assertFalse(byId("invoices-section").isDisplayed());
    assertFalse(present("invoices-table"));
    assertFalse(present("invoice-status-" + acmeInvoice.get("id").asLong()));
    assertFalse(byId("by-member-section").isDisplayed());
    assertFalse(byId("plan-section").isDisplayed());
    assertFalse(browser.driver.getPageSource().contains(ada), "no other member shows");
    browser.screenshot("billing-member-page");
  }

  /** The cost cell of the cost-so-far table's row for a resource (three columns). */
  private String rowAmount3(String resource) {
    return byId("cost-so-far")
        .findElement(By.xpath(".//tr[th='" + resource + "']/td[last()]"))
        .getText();
  }

  // ---- the sidebar widget, framed by a platform on another origin ----

  /**
   * A platform shell on another origin (127.0.0.1, served by a JDK server of the test's own,
   * where the pages are on localhost) listed in embedOrigins frames the widget of ann's
   * organization, signed in by the frame's sign-in link: it shows her plan, the meter nearest its
   * limit (her AI queries, 90 of 100), the cost so far and the status as GET /summary answers
   * them, and the link to the full page, within the 240 pixels of the frame. Read-only on ann.
   * The picture of docs/connecting-your-platform.md.
   */
  @Test
  void theWidgetFramedByAPlatformOnAnotherOriginShowsThePlanTheNearestMeterTheCostAndTheLink()
      throws Exception {
    String widget = PAGES + "widget?org_id=" + ann;
    HttpServer shell =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    String shellOrigin = "http://127.0.0.1:" + shell.getAddress().getPort();
    byte[] shellPage =
        ("<!doctype html><html><head><title>Shell</title><link rel=\"icon\" href=\"data:,\">"
                + "</head><body><iframe id=\"billing\" title=\"Billing\" width=\"240\""
                + " height=\"360\" src=\""
                + url(widget)
                + "#token="
                + annToken
                + "\"></iframe></body></html>")
            .getBytes(StandardCharsets.UTF_8);
    shell.createContext(
        "/",
        exchange -> {
          exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
          exchange.sendResponseHeaders(200, shellPage.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(shellPage);
          }
        });
    shell.start();
    try {
      putConfig(Map.of("embedOrigins", List.of(shellOrigin)));
      assertTrue(
          api.http
              .get(widget, null)
              .header("Content-Security-Policy")
              .orElseThrow()
              .endsWith("frame-ancestors 'self' " + shellOrigin));
      JsonNode summary = api.http.get(BILLING + "/summary?org_id=" + ann, annToken).expect(200);

      browser.driver.get(shellOrigin + "/");
      browser.driver.switchTo().frame("billing");
      browser.await(d -> ann.equals(byId("content").getAttribute("data-loaded-org")));

      assertEquals("Plan: Hobby", byId("widget-plan").getText());
      assertEquals("Hobby", summary.get("plan_name").asText());
      JsonNode nearest = summary.get("meters").get(0);
      assertEquals("ai_queries", nearest.get("meter").asText());
      String meter = byId("widget-meter-ai_queries").getText();
      for (String part : List.of("AI queries", "90 of 100 queries", "approaching the limit")) {
        assertTrue(meter.contains(part), meter);
      }
      assertEquals("progressbar", byId("widget-bar-ai_queries").getAttribute("role"));
      assertTrue(summary.get("cost_so_far").decimalValue().signum() > 0, summary.toString());
      assertEquals(
          "Cost so far this period: " + dollars(summary.get("cost_so_far")),
          byId("widget-cost").getText());
      assertEquals("warning", summary.get("status").asText());
      assertEquals("Nearing a limit.", byId("widget-status").getText());
      WebElement open = byId("widget-open");
      assertEquals("Open billing", open.getText());
      assertEquals(url(PAGES), open.getAttribute("href"));
      assertEquals("_blank", open.getAttribute("target"));
      // the token left the frame's address at once; all of it fits the frame
      assertEquals(url(widget), browser.script("return location.href"));
      assertEquals(
          List.of(240L, 360L),
          browser.script(
              "const page = document.documentElement;"
                  + " return [Math.max(page.scrollWidth, 240), Math.max(page.scrollHeight, 360)];"),
          "the widget scrolls in its frame");
      browser.driver.switchTo().defaultContent();
      browser.documentedScreenshot("billing-widget", new Dimension(280, 540));
    } finally {
      browser.driver.switchTo().defaultContent();
      shell.stop(0);
      putConfig(Map.of());
    }
  }

  private void putConfig(Map<String, Object> config) {
    api.http
        .call(
            "PUT",
            "/api/admin/plugins/billing/config",
            api.adminToken,
            HostClient.json(config),
            HostClient.CONFIG_REASON)
        .expect(200);
  }

  @Test
  void theAdminPageListsAcmeAsATeamWithItsSizePlanAndRevenue() {
    adminSignedIn();

    WebElement row = byId("account-row-" + acme);
    assertEquals("team", row.findElement(By.cssSelector("td.org-kind")).getText());
    assertEquals("3", row.findElement(By.cssSelector("td.org-members")).getText());
    assertEquals(
        "Hobby", row.findElement(By.cssSelector("td.org-plan")).getText(), "the plan's name");
    assertEquals(acme, row.findElement(By.cssSelector("td.org-name")).getText());
    assertEquals(
        "$" + acmeInvoice.get("total").asText(),
        row.findElement(By.cssSelector("td.org-revenue")).getText(),
        "its one sent invoice");
    assertEquals(
        "personal",
        byId("account-row-" + ann).findElement(By.cssSelector("td.org-kind")).getText());
  }

  // ---- the admin page's sections ----

  /** The id of the element that has the focus. */
  private Object focused() {
    return browser.script("return document.activeElement.id");
  }

  /** Whether the top of the element is on the screen (scrolled to). */
  private boolean onScreen(String id) {
    return (Boolean)
        browser.script(
            "const top = document.getElementById(arguments[0]).getBoundingClientRect().top;"
                + " return top >= -1 && top < window.innerHeight;",
            id);
  }

  @Test
  void theSectionLinksOpenEachSectionAtItsOwnAddress_andMoveTheFocusToItsHeading() {
    adminSignedIn();

    List<String> links =
        byId("section-nav").findElements(By.tagName("a")).stream()
            .map(a -> a.getAttribute("href").replaceFirst(".*#", "#"))
            .toList();
    assertEquals(
        List.of(
            "#organizations",
            "#leads",
            "#actions",
            "#coupons",
            "#money",
            "#what-if",
            "#plans",
            "#corrections",
            "#analytics",
            "#store",
            "#jobs",
            "#audit"),
        links);
    byId("section-nav").findElement(By.linkText("Jobs")).click();
    browser.await(d -> "jobs-heading".equals(focused()));
    assertEquals(url(PAGES + "admin#jobs"), browser.driver.getCurrentUrl());
    assertTrue(onScreen("jobs"), "scrolled to the jobs");
    assertEquals(
        "location",
        byId("section-nav").findElement(By.linkText("Jobs")).getAttribute("aria-current"));

    // by the keyboard: Enter on a link
    byId("section-nav").findElement(By.linkText("Money")).sendKeys(Keys.ENTER);
    browser.await(d -> "glance-heading".equals(focused()));
    assertTrue(onScreen("money"), "scrolled to the money");
    assertNull(byId("section-nav").findElement(By.linkText("Jobs")).getAttribute("aria-current"));

    // the address opened afresh (the token is the tab's): the jobs section, drawn
    open(PAGES + "admin#jobs");
    awaitAdminPageDrawn();
    browser.await(d -> "jobs-heading".equals(focused()));
    assertTrue(onScreen("jobs"), "scrolled to the jobs");
    assertTrue(byId("jobs-table").isDisplayed());
  }

  @Test
  void theLeadsSectionListsAnOrganizationThatGrewWithItsEvidence() {
    String vela = "vela";
    Instant hourAgo = NOW.minusSeconds(3600);
    List<Map<String, Object>> events = new java.util.ArrayList<>();
    events.add(Events.userCreated("vel0", hourAgo));
    events.add(Events.orgCreated(vela, "vel0", "pro", hourAgo));
    for (int i = 1; i <= 5; i++) {
      events.add(Events.userCreated("vel" + i, hourAgo));
      events.add(Events.memberAdded(vela, "vel" + i, "member", hourAgo));
    }
    api.postEvents(platformToken, events);
    api.awaitCaughtUp("billing");
    api.runJob("check-quotas"); // the run that judges the leads
    JsonNode lead = null;
    for (JsonNode each :
        api.http.get(BILLING + "/admin/leads", api.adminToken).expect(200).get("leads")) {
      lead = vela.equals(each.get("org_id").asText()) ? each : lead;
    }
    assertNotNull(lead, "the API names vela a lead");
    JsonNode grew = lead.get("evidence").get("members_grew");

    adminSignedIn();
    byId("section-nav").findElement(By.linkText("Leads")).click();
    browser.await(d -> "leads-heading".equals(focused()));
    WebElement row = byId("leads-table").findElement(By.xpath(".//tr[th='" + vela + "']"));
    List<String> cells =
        row.findElements(By.tagName("td")).stream().map(WebElement::getText).toList();
    assertEquals("Pro", cells.get(0), "the plan by its name");
    assertTrue(cells.get(1).contains("members grew"), cells.toString());
    assertTrue(
        cells
            .get(2)
            .contains(
                "members "
                    + grew.get("from").asInt()
                    + " → "
                    + grew.get("to").asInt()
                    + " in 30 days"),
        cells.toString());
  }

  @Test
  void anOrganizationsAuditTrailOpensAtItsAddress_andVerifyShowsTheTrailIntact() {
    adminSignedIn();
    JsonNode entries =
        api.http
            .get(BILLING + "/admin/audit?limit=50&org_id=" + acme, api.adminToken)
            .expect(200)
            .get("entries");
    assertTrue(entries.size() > 0, "acme's invoice was audited");

    // only the fragment changes: the page, already drawn, opens acme's trail
    browser.driver.get(url(PAGES + "admin#audit/" + acme));
    browser.await(d -> byId("audit-table").getText().startsWith("Audit trail of " + acme));
    browser.await(d -> "audit-heading".equals(focused()));
    assertEquals(acme, byId("audit-org").getAttribute("value"));
    List<WebElement> rows = byId("audit-table").findElements(By.cssSelector("tbody tr"));
    assertEquals(entries.size(), rows.size());
    for (int i = 0; i < rows.size(); i++) {
      assertEquals(
          "#" + entries.get(i).get("id").asText(),
          rows.get(i).findElement(By.tagName("th")).getText());
      assertEquals(acme, rows.get(i).findElements(By.tagName("td")).get(1).getText());
    }

    byId("audit-verify").click();
    browser.await(d -> !d.findElements(By.id("audit-verify-intact")).isEmpty());
    JsonNode check = api.http.get(BILLING + "/admin/audit/verify", api.adminToken).expect(200);
    assertTrue(check.get("intact").asBoolean());
    assertEquals(
        "Intact: every chain of the trail checks out.", byId("audit-verify-intact").getText());
    check
        .fieldNames()
        .forEachRemaining(
            field -> {
              if (!"intact".equals(field)) {
                assertEquals(
                    check.get(field).isNull()
                        ? "—"
                        : check.get(field).isValueNode()
                            ? check.get(field).asText()
                            : check.get(field).toString(),
                    byId("audit-verify-" + field).getText(),
                    field);
              }
            });
    assertMessage("success", "status", "The audit trail is intact.");
  }

  /**
   * ann's s-ann ran 2 cores from 01:00 to 11:00 on March 2, invoiced 1.00 of cpu and 0.40 of
   * memory: amended to 1 core, 10 core-hours less at 0.05, its invoice would be credited 0.50
   * (1.40 to 0.90). The page previews it, and nothing changes: the invoice has no credit note.
   */
  @Test
  void aCorrectionPreviewedOnTheAdminPageSaysWhatItWouldCreditAndChangesNothing() {
    adminSignedIn();
    byId("section-nav").findElement(By.linkText("Corrections")).click();
    browser.await(d -> "corrections-heading".equals(focused()));
    byId("correction-reason").sendKeys("s-ann held 1 core, not 2");
    byId("correction-items").clear();
    byId("correction-items")
        .sendKeys(
            "[{\"amend\": {\"session_id\": \"s-"
                + ann
                + "\", \"from\": \"2026-03-02T01:00:00Z\","
                + " \"to\": \"2026-03-02T11:00:00Z\", \"cpu_cores\": 1}}]");
    byId("correction-preview").click();
    browser.await(d -> !d.findElements(By.id("correction-effect")).isEmpty());

    List<WebElement> rows = byId("correction-effect").findElements(By.cssSelector("tbody tr"));
    assertEquals(1, rows.size(), byId("correction-effect").getText());
    assertEquals(
        List.of(
            ann,
            annInvoice.get("invoice_number").asText(),
            "credit note",
            "$1.40",
            "$0.90",
            "-$0.50"),
        rows.get(0).findElements(By.cssSelector("th, td")).stream()
            .map(WebElement::getText)
            .toList());
    assertMessage("success", "status", "Previewed: nothing was changed.");
    assertEquals(
        0,
        api.http
            .get(BILLING + "/invoices/" + annInvoice.get("id").asText(), annToken)
            .expect(200)
            .path("credit_notes")
            .size());
  }

  /**
   * vic opens on Pro; the Plans section, Pro chosen, lists each of Pro's versions as {@code GET
   * /admin/plans/pro/versions} answers it: its number, when it was made, its price, how many
   * organizations are on it (vic among them) and their MRR; then Pro's migrations.
   */
  @Test
  void thePlansSectionListsAPlansVersionsAndWhoIsOnEach_asTheApiAnswersThem() {
    api.postEvents(
        platformToken,
        List.of(Events.userCreated("vic", NOW.minusSeconds(3600), Map.of("plan", "pro"))));
    api.awaitCaughtUp("billing");
    JsonNode versions =
        api.http.get(BILLING + "/admin/plans/pro/versions", api.adminToken).expect(200);
    adminSignedIn();
    byId("section-nav").findElement(By.linkText("Plans")).click();
    browser.await(d -> "plans-heading".equals(focused()));

    new Select(byId("plan-versions-plan")).selectByValue("pro");
    browser.await(
        d ->
            d.findElements(By.cssSelector("#plan-versions-table caption")).stream()
                .anyMatch(c -> c.getText().startsWith("Pro: versions")));

    List<WebElement> rows = byId("plan-versions-table").findElements(By.cssSelector("tbody tr"));
    assertEquals(versions.get("versions").size(), rows.size(), byId("plan-versions").getText());
    long organizations = 0;
    for (int i = 0; i < rows.size(); i++) {
      JsonNode version = versions.get("versions").get(i);
      List<String> cells =
          rows.get(i).findElements(By.cssSelector("th, td")).stream()
              .map(WebElement::getText)
              .toList();
      assertEquals("v" + version.get("version").asInt(), cells.get(0));
      assertEquals(
          version.get("created_at").isNull() ? "as configured" : cells.get(1), cells.get(1));
      for (JsonNode price : version.get("prices")) {
        if (price.get("currency").asText().equals("USD")) {
          assertTrue(
              cells.get(2).contains("$" + price.get("price").decimalValue().setScale(2)),
              cells.get(2));
        }
      }
      assertTrue(cells.get(2).endsWith(" / " + version.get("interval").asText()), cells.get(2));
      assertEquals(version.get("organizations").asText(), cells.get(4));
      for (JsonNode mrr : version.get("mrr")) {
        if (mrr.get("currency").asText().equals("USD")) {
          assertTrue(
              cells.get(5).contains("$" + mrr.get("mrr").decimalValue().setScale(2)), cells.get(5));
        }
      }
      organizations += version.get("organizations").asLong();
    }
    assertTrue(organizations >= 1, "vic is on a version of Pro: " + versions);
    if (versions.get("migrations").isEmpty()) {
      assertEquals("No migration of this plan.", byId("plan-migrations-table").getText());
    } else {
      assertEquals(
          versions.get("migrations").size(),
          byId("plan-migrations-table").findElements(By.cssSelector("tbody tr")).size());
    }
  }

  /**
   * The admin creates SPRING20 (20 % off Pro for three periods, codes spring20 and spring-20) on
   * the Coupons section's form, submitted twice at once as a double click does: it is created
   * once, said so, and listed with its terms in words, its codes upper case, no redemption yet,
   * no end and active.
   */
  @Test
  void aCouponCreatedOnTheAdminPageIsListedWithItsTermsAndCodes_onceEvenAfterADoubleSubmit() {
    adminSignedIn();
    byId("section-nav").findElement(By.linkText("Coupons")).click();
    browser.await(d -> "coupons-heading".equals(focused()));
    byId("coupon-id").sendKeys("SPRING20");
    byId("coupon-off").sendKeys("20");
    new Select(byId("coupon-duration")).selectByValue("repeating");
    byId("coupon-periods").sendKeys("3");
    byId("coupon-plans").sendKeys("pro");
    byId("coupon-codes").sendKeys("spring20, spring-20");
    byId("coupon-reason").sendKeys("spring campaign");

    browser.script(
        "const form = document.getElementById('coupon-form');"
            + " form.requestSubmit(); form.requestSubmit();");

    browser.await(d -> byId("live").getText().startsWith("Coupon SPRING20 created"));
    assertMessage(
        "success", "status", "Coupon SPRING20 created: 20 % off, 3 periods, on plan Pro; codes ");
    JsonNode coupons = api.http.get(BILLING + "/admin/coupons", api.adminToken).expect(200);
    assertEquals(1, coupons.get("coupons").size(), coupons.toString());
    JsonNode coupon = coupons.get("coupons").get(0);
    assertEquals("[\"SPRING-20\",\"SPRING20\"]", coupon.get("codes").toString());
    browser.await(d -> !d.findElements(By.cssSelector("#coupons-table tbody tr")).isEmpty());
    assertEquals(
        List.of(
            "SPRING20",
            "20 % off, 3 periods, on plan Pro",
            "SPRING-20, SPRING20",
            "0",
            "—",
            "active"),
        byId("coupons-table").findElements(By.cssSelector("tbody tr th, tbody tr td")).stream()
            .map(WebElement::getText)
            .toList());
  }

  @Test
  void aWhatIfReRatesThePeriodWithADoubledCpuRate_perOrganizationAndInTotal() {
    adminSignedIn();
    byId("section-nav").findElement(By.linkText("What-if")).click();
    browser.await(d -> "what-if-heading".equals(focused()));
    browser.script(
        "document.getElementById('what-if-start').value = '2026-03-01';"
            + " document.getElementById('what-if-end').value = '2026-04-01';");
    new Select(byId("what-if-rate")).selectByValue("cpu_per_core_hour");
    byId("what-if-rate-value").sendKeys("0.10");
    byId("what-if-submit").click();
    browser.await(d -> !d.findElements(By.id("what-if-accounts")).isEmpty());

    JsonNode answer =
        api.http
            .post(
                BILLING + "/admin/what-if",
                api.adminToken,
                HostClient.json(
                    Map.of(
                        "period_start",
                        "2026-03-01",
                        "period_end",
                        "2026-04-01",
                        "rates",
                        Map.of("cpu_per_core_hour", 0.10))))
            .expect(200);
    List<WebElement> rows = byId("what-if-accounts").findElements(By.cssSelector("tbody tr"));
    assertEquals(answer.get("accounts").size(), rows.size());
    boolean someoneMore = false;
    for (int i = 0; i < rows.size(); i++) {
      JsonNode account = answer.get("accounts").get(i);
      List<String> cells =
          rows.get(i).findElements(By.tagName("td")).stream().map(WebElement::getText).toList();
      assertEquals(
          account.get("org_id").asText(), rows.get(i).findElement(By.tagName("th")).getText());
      assertEquals(dollars(account.get("invoiced_total")), cells.get(1), cells.toString());
      assertEquals(dollars(account.get("what_if_total")), cells.get(2), cells.toString());
      someoneMore |= account.get("delta").decimalValue().signum() > 0;
    }
    assertTrue(someoneMore, "a doubled CPU rate costs someone more");
    JsonNode total = answer.get("totals").get(0);
    WebElement totals = byId("what-if-totals").findElement(By.xpath(".//tr[th='USD']"));
    assertEquals(
        dollars(total.get("what_if_total")),
        totals.findElements(By.tagName("td")).get(2).getText());
    assertTrue(
        byId("what-if-distribution")
            .getText()
            .startsWith(answer.get("distribution").get("more").asInt() + " would pay more"));
  }

  /** A USD amount as the page shows it: $1.50. */
  private static String dollars(JsonNode amount) {
    return "$"
        + amount.decimalValue().setScale(2, java.math.RoundingMode.HALF_EVEN).toPlainString();
  }

  @Test
  void theOrganizationsTableFits1280PixelsOrScrollsInsideItsOwnBox_neverThePage() {
    browser.driver.manage().window().setSize(new Dimension(1280, 1000));
    adminSignedIn();

    @SuppressWarnings("unchecked")
    Map<String, Object> sizes =
        (Map<String, Object>)
            browser.script(
                "const box = document.getElementById('accounts');"
                    + " const table = document.getElementById('accounts-table');"
                    + " return { page: document.documentElement.scrollWidth,"
                    + " viewport: document.documentElement.clientWidth,"
                    + " boxRight: box.getBoundingClientRect().right,"
                    + " boxWidth: box.clientWidth, tableWidth: table.scrollWidth,"
                    + " overflow: getComputedStyle(box).overflowX };");
    assertTrue(
        ((Number) sizes.get("page")).longValue() <= ((Number) sizes.get("viewport")).longValue(),
        "the page scrolls sideways: " + sizes);
    assertTrue(((Number) sizes.get("boxRight")).doubleValue() <= 1280, sizes.toString());
    assertTrue(
        ((Number) sizes.get("tableWidth")).longValue()
                <= ((Number) sizes.get("boxWidth")).longValue()
            || "auto".equals(sizes.get("overflow")),
        "the table overflows a box that does not scroll: " + sizes);
    assertEquals("auto", sizes.get("overflow"), "a wider table scrolls inside its box");
  }
}
