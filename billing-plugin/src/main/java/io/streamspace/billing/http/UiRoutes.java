package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.string;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.QueryParams;
import io.streamspace.common.ui.PageScripts;
import io.streamspace.plugin.api.http.HttpError;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpResponse;
import io.streamspace.plugin.api.http.HttpStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;

/**
 * The billing pages: {@code GET /ui/} (the user page), {@code GET /ui/admin} (the admin page),
 * {@code GET /ui/store} (the theme store), {@code GET /ui/creator} (a creator's items) and
 * {@code GET /ui/{asset}} for a fixed set of assets, plugin resources under {@code ui/}, the DOM
 * builder the host's pages share ({@link PageScripts#DOM}, from common) and the chart library
 * from its WebJar; and {@code GET /ui/widget}, the sidebar widget a platform frames. Static text
 * holding no data, so served without a token: the pages sign in themselves and read everything
 * from the JSON routes. Every answer carries a Content-Security-Policy that allows only this
 * origin's scripts, styles and requests, and no framing, but the widget's: the configured {@code
 * embedOrigins} may frame it.
 */
public final class UiRoutes {

  /** The policy of every answer, but for the sites that may frame it ({@code frame-ancestors}). */
  private static final String POLICY_BUT_FRAMING =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
          + "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors ";

  private static final Map<String, String> HEADERS = headers("'none'");

  private static final String HTML = "text/html; charset=utf-8";
  private static final String JS = "text/javascript; charset=utf-8";
  private static final String CSS = "text/css; charset=utf-8";

  /** A served text, read once from the plugin's classpath. */
  private record Asset(String contentType, byte[] body) {
    static Asset of(String resource, String contentType) {
      return new Asset(contentType, read(resource));
    }

    /**
     * A page: the frame the pages share (head, navigation, sign-in, live region) around the
     * page's own main element, with its title and script; its own link in the navigation is
     * marked as the current page. Static text, put together once.
     */
    static Asset page(String title, String script, String main, String address) {
      String frame = new String(read("ui/page.html"), StandardCharsets.UTF_8);
      String ownLink = "href=\"" + address + "\"";
      String page =
          frame
              .replace(ownLink, ownLink + " aria-current=\"page\"")
              .replace("${title}", title)
              .replace("${script}", script)
              .replace("${main}", new String(read(main), StandardCharsets.UTF_8));
      return new Asset(HTML, page.getBytes(StandardCharsets.UTF_8));
    }
  }

  private static final String PAGES = "/api/plugins/billing/ui/";

  private final Asset userPage = Asset.page("Billing", "user.js", "ui/user-main.html", PAGES);
  private final Map<String, Asset> assets = new HashMap<>();

  /** The widget's page, its {@code ${org}} the organization the request names. */
  private final String widgetPage = new String(read("ui/widget.html"), StandardCharsets.UTF_8);

  private final Supplier<BillingConfig> config;

  public UiRoutes(Supplier<BillingConfig> config) {
    this.config = config;
    assets.put(
        "admin",
        Asset.page("Billing administration", "admin.js", "ui/admin-main.html", PAGES + "admin"));
    assets.put(
        "store", Asset.page("Theme store", "store.js", "ui/store-main.html", PAGES + "store"));
    assets.put(
        "creator",
        Asset.page("Your store items", "creator.js", "ui/creator-main.html", PAGES + "creator"));
    for (String script :
        new String[] {
          "common.js",
          "user.js",
          "admin.js",
          "store.js",
          "creator.js",
          "widget.js",
          "store-admin.js",
          "corrections-admin.js",
          "analytics.js"
        }) {
      assets.put(script, Asset.of("ui/" + script, JS));
    }
    assets.put(PageScripts.DOM, Asset.of(PageScripts.DOM_RESOURCE, JS));
    assets.put("app.css", Asset.of("ui/app.css", CSS));
    assets.put("chart.umd.min.js", Asset.of(chartLibrary(), JS));
  }

  /** What both routes serve, described once. */
  private static final String SERVED =
      """
          Who: none.

          The billing pages (the user page at `/ui`; `admin`, `store`, `creator`) and \
          their assets (`app.css`, `common.js`, `dom.js` (the DOM builder the host's \
          plugins page shares), `user.js`, `admin.js`, `store.js`, `creator.js`, \
          `store-admin.js`, `corrections-admin.js`, `analytics.js`, `widget.js`, \
          `chart.umd.min.js`); any other \
          name 404. Every answer carries \
          `Content-Security-Policy: default-src 'none'; script-src 'self'; style-src 'self'; \
          img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; \
          frame-ancestors 'none'`, `X-Content-Type-Options: nosniff`, `Referrer-Policy: \
          no-referrer`: no site may frame them (the sidebar widget, `/ui/widget`, is served \
          apart).""";

  static final Operation USER_PAGE =
      Operation.get("/ui")
          .open()
          .summary("The billing page for users")
          .description(SERVED)
          .answers(200, Response.of("the page").content("text/html", string()));

  static final Operation WIDGET =
      Operation.get("/ui/widget")
          .open()
          .summary("The sidebar widget a platform frames: an organization's quick stats")
          .description(
              """
              Who: none (the page signs in and reads `GET /summary` with the caller's token).

              A page of about 240 pixels' width for a platform's sidebar: the plan, the meters \
              nearest their limits, the period's cost so far, one status line and a link to the \
              full page. `org_id` names the organization it reads, as on `/summary`. Its \
              `Content-Security-Policy` is the other pages' but for `frame-ancestors 'self'` \
              followed by the config's `embedOrigins`: those platform origins may frame it, no \
              other site. A blank `org_id` is 400.""")
          .params(Param.ORG_ID)
          .answers(200, Response.of("the widget (static, no data)").content("text/html", string()))
          .errors(400);

  public void register(DescribedRoutes routes) {
    routes.add(USER_PAGE, request -> serve(userPage));
    // before /ui/{asset}: the first route that matches a path answers it
    routes.add(WIDGET, this::widget);
    routes.add(ASSET, this::asset);
  }

  static final Operation ASSET =
      Operation.get("/ui/{asset}")
          .open()
          .summary("The other pages (`admin`, `store`, `creator`) and the pages' assets")
          .description(SERVED)
          .params(
              Param.path(
                  "asset",
                  string()
                      .enumOf(
                          "admin",
                          "store",
                          "creator",
                          "app.css",
                          "common.js",
                          "dom.js",
                          "user.js",
                          "admin.js",
                          "store.js",
                          "creator.js",
                          "store-admin.js",
                          "corrections-admin.js",
                          "analytics.js",
                          "widget.js",
                          "chart.umd.min.js")))
          .answers(
              200,
              Response.of("the page or asset (static, no data)")
                  .content("text/html", string())
                  .content("text/css", string())
                  .content("text/javascript", string()))
          .answers(404, Response.refusal("not_found: no such page or asset"));

  private HttpResponse asset(HttpRequest request) {
    Asset asset = assets.get(request.pathParam("asset"));
    if (asset == null) {
      return refusal(HttpError.notFound("no such page or asset"));
    }
    return serve(asset);
  }

  /**
   * The widget for the organization {@code org_id} names, framed only by this origin and the
   * configured {@code embedOrigins} (each a checked origin: nothing else can enter the policy).
   */
  private HttpResponse widget(HttpRequest request) {
    String orgId;
    try {
      orgId = QueryParams.of(request, OrgAccess.ORG_ID).orElse("");
    } catch (ApiException e) {
      return refusal(e.error());
    }
    StringBuilder framing = new StringBuilder("'self'");
    config.get().embedOrigins().forEach(origin -> framing.append(' ').append(origin));
    byte[] page = widgetPage.replace("${org}", attribute(orgId)).getBytes(StandardCharsets.UTF_8);
    return HttpResponse.of(HttpStatus.OK, HTML, page, headers(framing.toString()));
  }

  /** A value as the text of a quoted HTML attribute: it can never end the attribute. */
  private static String attribute(String value) {
    return value
        .replace("&", "&amp;")
        .replace("\"", "&quot;")
        .replace("'", "&#39;")
        .replace("<", "&lt;")
        .replace(">", "&gt;");
  }

  private static HttpResponse serve(Asset asset) {
    return HttpResponse.of(HttpStatus.OK, asset.contentType(), asset.body(), HEADERS);
  }

  /** An error, under the pages' policy too. */
  private static HttpResponse refusal(HttpError error) {
    HttpResponse refused = error.response();
    return HttpResponse.of(refused.status(), refused.contentType(), refused.body(), HEADERS);
  }

  /** The headers of every answer, {@code frameAncestors} the sites that may frame it. */
  private static Map<String, String> headers(String frameAncestors) {
    return Map.of(
        "Content-Security-Policy", POLICY_BUT_FRAMING + frameAncestors,
        "X-Content-Type-Options", "nosniff",
        "Referrer-Policy", "no-referrer",
        // read again at each visit, so a new plugin version shows at once
        "Cache-Control", "no-cache");
  }

  private static byte[] read(String resource) {
    try (InputStream in = UiRoutes.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("the plugin lacks its resource " + resource);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The UMD build of the Chart.js WebJar, its version read from the WebJar itself, so the pom
   * alone pins it.
   */
  private static String chartLibrary() {
    Properties webJar = new Properties();
    try (InputStream in =
        UiRoutes.class
            .getClassLoader()
            .getResourceAsStream("META-INF/maven/org.webjars.npm/chart.js/pom.properties")) {
      if (in == null) {
        throw new IllegalStateException("the Chart.js WebJar is missing from the plugin");
      }
      webJar.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return "META-INF/resources/webjars/chart.js/"
        + webJar.getProperty("version")
        + "/dist/chart.umd.js";
  }
}
