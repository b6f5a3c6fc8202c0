package io.streamspace.billing.http;

import io.streamspace.billing.json.JsonMapper;
import io.streamspace.billing.store.StoreItem;
import io.streamspace.billing.store.StoreItems;
import io.streamspace.billing.store.StoreRefusal;
import io.streamspace.billing.store.bundle.BundleInspector;
import io.streamspace.billing.store.bundle.BundleReport;
import io.streamspace.billing.store.bundle.Violation;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.Json;
import io.streamspace.common.http.Page;
import io.streamspace.common.http.PathId;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpResponse;
import io.streamspace.plugin.api.http.HttpRoutes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The add-on store's items: a creator submits a theme bundle ({@code POST /store/items}, checked
 * by {@link BundleInspector} before anything is stored) and lists their own ({@code GET
 * /creator/items}); any signed-in caller browses the catalog ({@code GET /store/items}); the
 * platform admin reviews the queue ({@code GET /admin/store/queue}) and approves, rejects or
 * delists an item, each for a reason the audit trail keeps.
 */
public final class StoreRoutes {

  private static final String ZIP = "application/zip";

  private final StoreItems items;
  private final BundleInspector inspector;
  private final Clock clock;

  public StoreRoutes(StoreItems items, BundleInspector inspector, Clock clock) {
    this.items = items;
    this.inspector = inspector;
    this.clock = clock;
  }

  public void register(HttpRoutes routes) {
    routes.add(HttpMethod.POST, "/store/items", JsonRoute.creating(this::submit));
    routes.add(HttpMethod.GET, "/store/items", JsonRoute.of(this::catalog));
    routes.add(HttpMethod.GET, "/creator/items", JsonRoute.of(this::ofCreator));
    routes.add(HttpMethod.GET, "/admin/store/queue", JsonRoute.of(this::queue));
    routes.add(
        HttpMethod.POST,
        "/admin/store/items/{id}/approve",
        JsonRoute.of(request -> review(request, false)));
    routes.add(
        HttpMethod.POST,
        "/admin/store/items/{id}/reject",
        JsonRoute.of(request -> review(request, true)));
    routes.add(HttpMethod.POST, "/admin/store/items/{id}/delist", JsonRoute.of(this::delist));
  }

  /** A page of items, and the offset of the next page (null on the last). */
  public record ItemsPage(List<StoreItem> items, Integer nextOffset) {}

  /** The creator's items, every version. */
  public record CreatorItems(String creatorId, List<StoreItem> items) {}

  /**
   * 201 with the item at its new version, {@code pending_review}; 422 {@code bundle_refused}
   * with every rule the bundle breaks ({@code violations}), nothing stored; 415 for another
   * content type; 409 when the item cannot take this version; 403 without the creator role.
   */
  Object submit(HttpRequest request) throws Exception {
    Caller creator = creator(request);
    String contentType = request.header("content-type").orElse("");
    if (!contentType.toLowerCase(Locale.ROOT).startsWith(ZIP)) {
      throw new ApiException(
          415,
          "unsupported_media_type",
          "send the bundle as " + ZIP + ", manifest.json at its root");
    }
    byte[] bundle = request.body();
    BundleReport report = inspector.inspect(bundle);
    if (!report.accepted()) {
      return refused(report.violations());
    }
    try {
      return items.submit(
          creator.userId(),
          report.manifest().orElseThrow(),
          bundle,
          sha256(bundle),
          clock.instant());
    } catch (StoreRefusal refusal) {
      throw conflict(refusal);
    }
  }

  /** 422 naming every rule broken, each with its file and what is wrong. */
  private static HttpResponse refused(List<Violation> violations) {
    String rules =
        violations.stream().map(Violation::rule).distinct().collect(Collectors.joining(", "));
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("code", "bundle_refused");
    error.put(
        "message",
        "the bundle breaks " + violations.size() + " rule(s): " + rules + "; nothing was stored");
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", error);
    body.put("violations", violations);
    return HttpResponse.json(422, JsonMapper.write(body));
  }

  /** 200 with a page of listed items at their latest approved version, by name. */
  ItemsPage catalog(HttpRequest request) throws Exception {
    Page page = Page.of(request);
    List<StoreItem> fetched = items.catalog(page.fetch(), page.offset());
    return new ItemsPage(page.rows(fetched), page.nextOffset(fetched));
  }

  /** 200 with the caller's items, every version, newest first; 403 without the creator role. */
  CreatorItems ofCreator(HttpRequest request) throws Exception {
    Caller creator = creator(request);
    return new CreatorItems(creator.userId(), items.ofCreator(creator.userId()));
  }

  /** 200 with a page of versions waiting for review, oldest first; platform admin. */
  ItemsPage queue(HttpRequest request) throws Exception {
    Access.admin(request);
    Page page = Page.of(request);
    List<StoreItem> fetched = items.queue(page.fetch(), page.offset());
    return new ItemsPage(page.rows(fetched), page.nextOffset(fetched));
  }

  /**
   * Approves or rejects the item's version waiting for review: 200 with it; 400 without a
   * {@code reason} (a rejection's is shown to the creator); 404; 409 {@code nothing_to_review}.
   */
  StoreItem review(HttpRequest request, boolean reject) throws Exception {
    Caller admin = Access.admin(request);
    long id = PathId.of(request, "id", "store item");
    String reason = AuditCauses.requiredReason(Json.readObject(request));
    try {
      return items
          .review(
              id,
              reject ? reason : null,
              AuditCauses.admin(request, admin, reason),
              clock.instant())
          .orElseThrow(() -> ApiException.notFound("no store item " + id));
    } catch (StoreRefusal refusal) {
      throw conflict(refusal);
    }
  }

  /** Takes the item off the catalog: 200 with it; 400 without a reason; 404; 409. */
  StoreItem delist(HttpRequest request) throws Exception {
    Caller admin = Access.admin(request);
    long id = PathId.of(request, "id", "store item");
    String reason = AuditCauses.requiredReason(Json.readObject(request));
    try {
      return items
          .delist(id, reason, AuditCauses.admin(request, admin, reason), clock.instant())
          .orElseThrow(() -> ApiException.notFound("no store item " + id));
    } catch (StoreRefusal refusal) {
      throw conflict(refusal);
    }
  }

  /** 409 with the store's code and sentence: what is stored does not allow the change. */
  private static ApiException conflict(StoreRefusal refusal) {
    return ApiException.conflict(refusal.code(), refusal.getMessage(), Map.of());
  }

  static Caller creator(HttpRequest request) {
    Caller caller = Access.authenticated(request);
    if (!caller.hasRole(Caller.ROLE_CREATOR)) {
      throw ApiException.forbidden("the creator role is required");
    }
    return caller;
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }
}
