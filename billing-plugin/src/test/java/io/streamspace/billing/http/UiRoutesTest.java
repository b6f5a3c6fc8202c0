package io.streamspace.billing.http;

import static io.streamspace.billing.support.BillingHarness.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.billing.support.BillingHarness;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The billing pages as the plugin serves them, through its registered routes: without a token,
 * each with its content type and the Content-Security-Policy, a fixed set of assets, and page
 * text that holds no inline script or style, no external URL and no way for the token into a URL.
 */
class UiRoutesTest {

  /** The policy of every answer, but for the sites that may frame it. */
  private static final String POLICY_BUT_FRAMING =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
          + "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors ";

  private static final String POLICY = POLICY_BUT_FRAMING + "'none'";

  private static final String HTML = "text/html; charset=utf-8";
  private static final String JS = "text/javascript; charset=utf-8";

  /** The pages and the plugin's own assets (the chart library aside), by served name. */
  private static final Map<String, String> OWN =
      Map.ofEntries(
          Map.entry("/ui/", HTML),
          Map.entry("/ui/admin", HTML),
          Map.entry("/ui/store", HTML),
          Map.entry("/ui/creator", HTML),
          Map.entry("/ui/app.css", "text/css; charset=utf-8"),
          Map.entry("/ui/common.js", JS),
          Map.entry("/ui/dom.js", JS),
          Map.entry("/ui/user.js", JS),
          Map.entry("/ui/admin.js", JS),
          Map.entry("/ui/store.js", JS),
          Map.entry("/ui/creator.js", JS),
          Map.entry("/ui/store-admin.js", JS),
          Map.entry("/ui/corrections-admin.js", JS),
          Map.entry("/ui/analytics.js", JS),
          Map.entry("/ui/widget.js", JS));

  /** The pages, each at its address. */
  private static final List<String> PAGES =
      List.of("/ui/", "/ui/admin", "/ui/store", "/ui/creator");

  /** The scripts but common.js: the pages' own and the DOM builder they share with the host's. */
  private static final List<String> PAGE_SCRIPTS =
      List.of(
          "/ui/dom.js",
          "/ui/user.js",
          "/ui/admin.js",
          "/ui/store.js",
          "/ui/creator.js",
          "/ui/store-admin.js",
          "/ui/corrections-admin.js",
          "/ui/analytics.js",
          "/ui/widget.js");

  private final BillingHarness billing = new BillingHarness(at("2026-03-01T00:00:00Z"));

  @AfterEach
  void unload() {
    billing.close();
  }

  private HttpResponse get(String path) {
    return billing.context.routes().call(HttpMethod.GET, path, Caller.ANONYMOUS);
  }

  private String text(String path) {
    return new String(get(path).body(), StandardCharsets.UTF_8);
  }

  private static void assertProtected(HttpResponse response) {
    assertEquals(POLICY, response.headers().get("Content-Security-Policy"));
    assertEquals("nosniff", response.headers().get("X-Content-Type-Options"));
    assertEquals("no-referrer", response.headers().get("Referrer-Policy"));
  }

  @Test
  void everyPageAndAssetIsServedWithoutATokenWithItsContentTypeUnderThePolicy() {
    Map<String, String> served = new HashMap<>(OWN);
    served.put("/ui/chart.umd.min.js", JS);
    served.put("/ui", HTML);
    served.forEach(
        (path, contentType) -> {
          HttpResponse response = get(path);
          assertEquals(200, response.status(), path);
          assertEquals(contentType, response.contentType(), path);
          assertProtected(response);
          assertTrue(response.body().length > 0, path);
        });
    assertTrue(text("/ui/").contains("<title>Billing</title>"));
    assertTrue(text("/ui/admin").contains("<title>Billing administration</title>"));
    assertTrue(text("/ui/admin").contains("This page is for admins"));
    assertTrue(text("/ui/store").contains("<title>Theme store</title>"));
    assertTrue(text("/ui/creator").contains("This page is for the store's"));
  }

  @Test
  void everyPageLinksToEveryPage_markingItsOwnAsTheCurrentOne() {
    for (String page : PAGES) {
      String html = text(page);
      for (String other : PAGES) {
        String link = "href=\"/api/plugins/billing" + other + "\"";
        assertTrue(html.contains(link), page + " links to " + other);
        assertEquals(
            page.equals(other),
            html.contains(link + " aria-current=\"page\""),
            page + " marks " + other);
      }
    }
  }

  /**
   * The sidebar widget alone may be framed: by this origin, and by the configured embedOrigins
   * once an admin lists them (lower-cased, as checked); every other page and asset stays
   * unframeable. The other protecting headers are the pages'.
   */
  @Test
  void onlyTheWidgetMayBeFramed_byThisOriginAndExactlyTheConfiguredOrigins() {
    assertEquals(
        POLICY_BUT_FRAMING + "'self'", get("/ui/widget").headers().get("Content-Security-Policy"));

    billing.context.setConfigJson(
        "{\"embedOrigins\": [\"https://Shell.example.com\", \"http://localhost:3000\"]}");
    billing.billing.onConfigChanged(billing.context);

    HttpResponse widget = get("/ui/widget?org_id=acme");
    assertEquals(200, widget.status());
    assertEquals(HTML, widget.contentType());
    assertEquals(
        POLICY_BUT_FRAMING + "'self' https://shell.example.com http://localhost:3000",
        widget.headers().get("Content-Security-Policy"));
    assertEquals("nosniff", widget.headers().get("X-Content-Type-Options"));
    assertEquals("no-referrer", widget.headers().get("Referrer-Policy"));
    for (String path : Stream.concat(OWN.keySet().stream(), Stream.of("/ui")).toList()) {
      assertProtected(get(path));
    }
  }

  /**
   * The widget reads the organization its address names: the page carries org_id as an
   * attribute's text, which no value can end; a blank one is refused, as on the JSON routes.
   */
  @Test
  void theWidgetCarriesItsOrgIdAsAttributeTextOnly_andRefusesABlankOne() {
    assertTrue(
        text("/ui/widget?org_id=acme").contains("<main id=\"content\" data-org-id=\"acme\""));
    assertTrue(text("/ui/widget").contains("<main id=\"content\" data-org-id=\"\""));
    String hostile = text("/ui/widget?org_id=a\"><script src='x'></script>");
    assertTrue(
        hostile.contains(
            "data-org-id=\"a&quot;&gt;&lt;script src=&#39;x&#39;&gt;&lt;/script&gt;\""),
        hostile);
    assertEquals(1, hostile.split("<script").length - 1, "the widget's own script only");

    HttpResponse blank = get("/ui/widget?org_id=");
    assertEquals(400, blank.status());
    assertProtected(blank);
    assertTrue(text("/ui/widget?org_id=").contains("\"field\":\"org_id\""));
  }

  /** The widget: its parts, the link to the full page, and nothing that acts. */
  @Test
  void theWidgetHasTheStableIdsOfItsParts_andOnlyALinkAndSignInButtons() {
    String html = text("/ui/widget");
    assertHasIds(
        html,
        List.of(
            "signin-form",
            "token",
            "signin-help",
            "live-status",
            "live-alert",
            "content",
            "widget-plan",
            "widget-meters",
            "widget-cost",
            "widget-status",
            "session",
            "widget-open",
            "signout"));
    assertTrue(
        html.contains(
            "<a id=\"widget-open\" href=\"/api/plugins/billing/ui/\" target=\"_blank\"\n"
                + "       rel=\"noopener noreferrer\">Open billing</a>"),
        html);
    assertEquals(
        List.of("signin", "signout"),
        Pattern.compile("<button id=\"([a-z-]+)\"")
            .matcher(html)
            .results()
            .map(button -> button.group(1))
            .toList());
    assertEachFieldIsLabelled(html);
  }

  @Test
  void theChartLibraryIsTheUmdBuildOfThePinnedChartJsWebJar() {
    String library = text("/ui/chart.umd.min.js");

    assertTrue(library.startsWith("/*!\n * Chart.js v4.4.1"), library.substring(0, 40));
    // a UMD build: it sets the global Chart the page reads
    assertTrue(library.contains(".Chart=e()"), "a UMD build");
  }

  @Test
  void anUnknownAssetIsNotFoundAndStillUnderThePolicy() {
    for (String path :
        List.of("/ui/user.html", "/ui/secret.txt", "/ui/chart.umd.js.map", "/ui/..")) {
      HttpResponse response = get(path);
      assertEquals(404, response.status(), path);
      assertProtected(response);
      assertTrue(text(path).contains("\"code\":\"not_found\""), path);
    }
  }

  @Test
  void thePagesHoldNoInlineScriptOrStyleAndLoadOnlyThePluginsOwnAssets() {
    Pattern script = Pattern.compile("<script\\b[^>]*>");
    Pattern reference = Pattern.compile("\\b(?:src|href)=\"([^\"]*)\"");
    for (String page : Stream.concat(PAGES.stream(), Stream.of("/ui/widget")).toList()) {
      String html = text(page);
      Matcher scripts = script.matcher(html);
      while (scripts.find()) {
        assertTrue(scripts.group().contains(" src=\"/api/plugins/billing/ui/"), scripts.group());
        assertTrue(html.startsWith("</script>", scripts.end()), "an empty script element");
      }
      assertFalse(html.contains("<style"), page);
      assertFalse(Pattern.compile("\\s(?:style|on\\w+)=").matcher(html).find(), page);
      Matcher references = reference.matcher(html);
      while (references.find()) {
        String target = references.group(1);
        // "data:," is the empty icon: else the browser asks the host for /favicon.ico, a 404
        assertTrue(
            target.startsWith("/api/plugins/billing/ui/")
                || target.startsWith("#")
                || target.equals("data:,"),
            target);
      }
    }
  }

  @Test
  void noPageStylesheetOrScriptOfThePluginNamesAnExternalUrl() {
    OWN.keySet()
        .forEach(
            path -> {
              String text = text(path);
              assertFalse(text.contains("http://"), path);
              assertFalse(text.contains("https://"), path);
              assertFalse(text.contains("//cdn"), path);
            });
  }

  /** Where common.js reads a sign-in link's fragment: from this comment to the next one. */
  private static final String LINK_SECTION_START = "/** A sign-in link's fragment";

  private static final String LINK_SECTION_END = "/**\n * Wires the sign-in form";

  /**
   * common.js without its sign-in link section, and that section: the one place that may read
   * the address's fragment, which holds the token.
   */
  private static String[] commonAndLinkSection(String common) {
    int start = common.indexOf(LINK_SECTION_START);
    int end = common.indexOf(LINK_SECTION_END);
    assertTrue(start >= 0 && end > start, "common.js has its sign-in link section");
    return new String[] {
      common.substring(0, start) + common.substring(end), common.substring(start, end)
    };
  }

  @Test
  void theScriptsKeepTheTokenInSessionStorageAndOutOfEveryUrlAndPutDataInAsTextOnly() {
    String common = text("/ui/common.js");
    assertTrue(common.contains("sessionStorage.setItem(TOKEN_KEY"));
    assertTrue(common.contains("sessionStorage.removeItem(TOKEN_KEY"));
    assertTrue(common.contains("headers.Authorization = 'Bearer ' + token()"));
    // api() refuses anything but a same-origin /api/ path
    assertTrue(common.contains("!path.startsWith('/api/') || path.includes('//')"));
    for (String script :
        Stream.concat(Stream.of("/ui/common.js"), PAGE_SCRIPTS.stream()).toList()) {
      // but the sign-in link section of common.js (below)
      String js =
          script.endsWith("common.js") ? commonAndLinkSection(text(script))[0] : text(script);
      for (String forbidden :
          List.of(
              "location.search",
              "location.hash",
              "URLSearchParams",
              "token=",
              "?token",
              "localStorage",
              "document.cookie",
              "innerHTML",
              "outerHTML",
              "insertAdjacentHTML",
              "document.write",
              "eval(")) {
        assertFalse(js.contains(forbidden), script + " uses " + forbidden);
      }
    }
    // a sign-in link is read in that one section, which takes the token out of the address
    // bar, and so out of the history, as soon as it has read it, before anything else
    String link = commonAndLinkSection(common)[1];
    assertTrue(
        link.contains(
            "  const link = TOKEN_FRAGMENT.exec(location.hash);\n"
                + "  if (link === null) {\n"
                + "    return false;\n"
                + "  }\n"
                + "  history.replaceState(null, '', location.pathname + location.search);\n"),
        link);
    assertTrue(link.contains("sessionStorage.setItem(TOKEN_KEY, value)"), link);
    // only common.js calls fetch, so every request goes through its checks
    PAGE_SCRIPTS.forEach(script -> assertFalse(text(script).contains("fetch("), script));
  }

  @Test
  void theUserPageHasTheStableIdsItsTestsAndReadersFindItsPartsBy() {
    String html = text("/ui/");
    assertHasIds(
        html,
        List.of(
            "signin-form",
            "token",
            "signin-help",
            "signout",
            "live",
            "banners",
            "plan-name",
            "billing-mode",
            "portal",
            "quotas",
            "period-split",
            "period-split-note",
            "estimate",
            "cost-by-resource",
            "usage-chart",
            "cost-chart",
            "plans",
            "invoices",
            "credits",
            "credit-balance",
            "packs",
            "purchases",
            "live-cost-section",
            "live-cost-total",
            "live-cost-rate",
            "live-cost-runway",
            "live-cost-sessions"));
    // the live region: a status region (successes, notes, warnings) and an alert one (errors)
    assertTrue(html.contains("<p id=\"live-status\" role=\"status\" class=\"message\"></p>"));
    assertTrue(html.contains("<p id=\"live-alert\" role=\"alert\" class=\"message\"></p>"));
    assertTrue(html.contains("<label for=\"token\">API token</label>"));
    // and where a token comes from: the host's tokens, the platform's JWT, the demo's links
    for (String page : PAGES) {
      String help = signInHelp(text(page));
      for (String source :
          List.of("POST /api/admin/tokens", "access token (JWT)", "A sign-in link")) {
        assertTrue(help.contains(source), page + ": " + help);
      }
    }
    // a field without a name is never submitted: with scripts off, no token goes into a URL
    assertTrue(html.contains("<input id=\"token\" type=\"password\""), "unnamed token field");
  }

  @Test
  void theAdminPageHasTheStableIdsItsTestsAndReadersFindItsPartsBy() {
    String html = text("/ui/admin");
    assertHasIds(
        html,
        List.of(
            "admins-only",
            "admin-view",
            "accounts-filter",
            "accounts-prev",
            "accounts-next",
            "credit-form",
            "credit-user",
            "credit-amount",
            "credit-reason",
            "credit-submit",
            "invoice-form",
            "invoice-status-form",
            "credit-note-form",
            "credit-note-invoice",
            "credit-note-line",
            "credit-note-amount",
            "credit-note-refund",
            "credit-note-reason",
            "credit-note-submit",
            "unlock-form",
            "near-limits",
            "revenue-chart",
            "usage-patterns-chart",
            "mrr-chart",
            "analytics",
            "analytics-definitions-holder",
            "analytics-cohorts",
            "analytics-receivables",
            "store-queue",
            "store-revenue-form",
            "store-revenue-period",
            "store-revenue",
            "store-payouts",
            "jobs"));
    assertEachFieldIsLabelled(html);
  }

  @Test
  void theStoreAndCreatorPagesHaveTheStableIdsOfTheirSections_eachFieldLabelled() {
    String store = text("/ui/store");
    assertHasIds(
        store,
        List.of("buy-org-note", "buy-org-choice", "buy-org", "catalog", "catalog-empty", "themes"));
    assertTrue(store.contains("<h2 id=\"themes-heading\">Your themes</h2>"));
    assertEachFieldIsLabelled(store);
    String creator = text("/ui/creator");
    assertHasIds(
        creator,
        List.of(
            "bundle-form",
            "creator-items",
            "statement-form",
            "statement-period",
            "statement-csv",
            "statement-pdf",
            "statements",
            "payout-account-form",
            "payout-account",
            "payouts"));
    // the statements come after the items, as a month picker
    assertTrue(creator.indexOf("id=\"statements\"") > creator.indexOf("id=\"creator-items\""));
    assertTrue(creator.contains("<input id=\"statement-period\" type=\"month\""));
    assertEachFieldIsLabelled(creator);
  }

  /** Each input and select of the page has a label naming it by its id. */
  private static void assertEachFieldIsLabelled(String html) {
    Matcher inputs = Pattern.compile("<(?:input|select) id=\"([a-z-]+)\"").matcher(html);
    while (inputs.find()) {
      assertTrue(html.contains("<label for=\"" + inputs.group(1) + "\">"), inputs.group(1));
    }
  }

  /** The sign-in help paragraph's text, its markup and line breaks taken out. */
  private static String signInHelp(String html) {
    Matcher help =
        Pattern.compile("<p id=\"signin-help\"[^>]*>(.*?)</p>", Pattern.DOTALL).matcher(html);
    assertTrue(help.find(), "the sign-in help");
    return help.group(1).replaceAll("<[^>]+>", "").replaceAll("\\s+", " ");
  }

  private static void assertHasIds(String html, List<String> ids) {
    for (String id : ids) {
      assertTrue(html.contains(" id=\"" + id + "\""), id);
    }
  }
}
