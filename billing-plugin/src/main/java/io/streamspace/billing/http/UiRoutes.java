package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.string;

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

/**
 * The billing pages: {@code GET /ui/} (the user page), {@code GET /ui/admin} (the admin page),
 * {@code GET /ui/store} (the theme store), {@code GET /ui/creator} (a creator's items) and
 * {@code GET /ui/{asset}} for a fixed set of assets, plugin resources under {@code ui/}, the DOM
 * builder the host's pages share ({@link PageScripts#DOM}, from common) and the chart library
 * from its WebJar. Static text holding no data, so served without a token: the
 * pages sign in themselves and read everything from the JSON routes. Every answer carries a
 * Content-Security-Policy that allows only this origin's scripts, styles and requests.
 */
public final class UiRoutes {

  private static final String CONTENT_SECURITY_POLICY =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
          + "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

  private static final Map<String, String> HEADERS =
      Map.of(
          "Content-Security-Policy", CONTENT_SECURITY_POLICY,
          "X-Content-Type-Options", "nosniff",
          "Referrer-Policy", "no-referrer",
          // read again at each visit, so a new plugin version shows at once
          "Cache-Control", "no-cache");

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

  public UiRoutes() {
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
          "store-admin.js",
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

          The billing pages and their assets (`app.css`, `common.js`, `dom.js` \
          (the DOM builder the host's plugins page shares), `user.js`, `admin.js`, \
          `chart.umd.min.js`); any other name 404. Every answer carries \
          `Content-Security-Policy: default-src 'none'; script-src 'self'; style-src 'self'; \
          img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; \
          frame-ancestors 'none'`, `X-Content-Type-Options: nosniff`, `Referrer-Policy: \
          no-referrer`.""";

  static final Operation USER_PAGE =
      Operation.get("/ui")
          .open()
          .summary("The billing page for users")
          .description(SERVED)
          .answers(200, Response.of("the page").content("text/html", string()));

  public void register(DescribedRoutes routes) {
    routes.add(USER_PAGE, request -> serve(userPage));
    routes.add(ASSET, this::asset);
  }

  static final Operation ASSET =
      Operation.get("/ui/{asset}")
          .open()
          .summary("The admin page (`admin`) and the pages' assets")
          .description(SERVED)
          .params(
              Param.path(
                  "asset",
                  string()
                      .enumOf(
                          "admin",
                          "app.css",
                          "common.js",
                          "dom.js",
                          "user.js",
                          "admin.js",
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
      HttpResponse missing = HttpError.notFound("no such page or asset").response();
      return HttpResponse.of(missing.status(), missing.contentType(), missing.body(), HEADERS);
    }
    return serve(asset);
  }

  private static HttpResponse serve(Asset asset) {
    return HttpResponse.of(HttpStatus.OK, asset.contentType(), asset.body(), HEADERS);
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
