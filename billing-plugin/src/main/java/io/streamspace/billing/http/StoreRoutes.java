package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.array;
import static io.streamspace.billing.http.Schema.integer;
import static io.streamspace.billing.http.Schema.number;
import static io.streamspace.billing.http.Schema.object;
import static io.streamspace.billing.http.Schema.string;

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
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpResponse;
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

  // the bodies and answers of these routes

  static final Schema STORE_ITEM =
      Schema.component(
          "StoreItem",
          object()
              .description("An item of the store at one of its versions.")
              .req("id", integer().description("the item's id, the same for all its versions"))
              .req("creator_id", string())
              .req("name", string())
              .req("version_id", integer())
              .req("version", string().description("MAJOR.MINOR.PATCH, optionally -pre-release"))
              .req("status", string().enumOf("pending_review", "approved", "rejected"))
              .req(
                  "price",
                  object()
                      .additionalProperties(number())
                      .description("by currency code (USD, VND); empty when free"))
              .req("sale_kind", string().enumOf("one_time", "time_limited", "free"))
              .prop(
                  "sale_days",
                  integer().orNull().description("a time-limited sale's days of access"))
              .req("bundle_sha256", string())
              .req("submitted_at", string().format("date-time"))
              .prop("reviewed_at", string().orNull().format("date-time"))
              .prop("reviewed_by", string().orNull())
              .prop("reject_reason", string().orNull())
              .prop("delisted_at", string().orNull().format("date-time"))
              .prop("delist_reason", string().orNull()));

  static final Schema STORE_ITEMS_PAGE =
      Schema.component(
          "StoreItemsPage",
          object().req("items", array(STORE_ITEM)).req("next_offset", integer().orNull()));

  static final Schema CREATOR_ITEMS =
      Schema.component(
          "CreatorItems", object().req("creator_id", string()).req("items", array(STORE_ITEM)));

  static final Schema BUNDLE_REFUSED =
      Schema.component(
          "BundleRefused",
          object()
              .req(
                  "error",
                  object().req("code", string().enumOf("bundle_refused")).req("message", string()))
              .req(
                  "violations",
                  array(
                      object()
                          .req(
                              "rule",
                              string()
                                  .description(
                                      """
                                      the rule broken: archive, manifest, price, size, zip_path, \
                                      zip_bomb, file_type, script, external_url, image_dimensions, \
                                      font, contrast, focus_indicator, color_only_state, \
                                      stylesheet"""))
                          .prop("file", string().orNull())
                          .req("detail", string()))));

  private static final String ZIP = "application/zip";

  private final StoreItems items;
  private final BundleInspector inspector;
  private final Clock clock;

  public StoreRoutes(StoreItems items, BundleInspector inspector, Clock clock) {
    this.items = items;
    this.inspector = inspector;
    this.clock = clock;
  }

  static final Operation APPROVE =
      Operation.post("/admin/store/items/{id}/approve")
          .admin()
          .summary("Approve an item's version")
          .description(
              """
              Who: admin.

              `{"reason"}` → 200 with the item's version that waited for review, now `approved`: \
              the catalog lists the item at it. 400 naming `reason` when it is missing; 404 for no \
              such item; 409 `nothing_to_review`, or `item_delisted`. Writes `store_item.approved` \
              in the audit trail, in the same transaction.""")
          .params(Param.ID, Param.IDEMPOTENCY_KEY)
          .body(Schemas.STORE_REVIEW)
          .answers(200, STORE_ITEM)
          .errors(400, 404, 409);

  static final Operation REJECT =
      Operation.post("/admin/store/items/{id}/reject")
          .admin()
          .summary("Reject an item's version")
          .description(
              """
              Who: admin.

              `{"reason"}` → 200 with the item's version that waited for review, now `rejected`, \
              the reason shown to its creator. 400 naming `reason` when it is missing; 404; 409 \
              `nothing_to_review`. Writes `store_item.rejected` in the audit trail.""")
          .params(Param.ID, Param.IDEMPOTENCY_KEY)
          .body(Schemas.STORE_REVIEW)
          .answers(200, STORE_ITEM)
          .errors(400, 404, 409);

  public void register(DescribedRoutes routes) {
    routes.add(SUBMIT, JsonRoute.creating(this::submit));
    routes.add(CATALOG, JsonRoute.of(this::catalog));
    routes.add(OF_CREATOR, JsonRoute.of(this::ofCreator));
    routes.add(QUEUE, JsonRoute.of(this::queue));
    routes.add(APPROVE, JsonRoute.of(request -> review(request, false)));
    routes.add(REJECT, JsonRoute.of(request -> review(request, true)));
    routes.add(DELIST, JsonRoute.of(this::delist));
  }

  /** A page of items, and the offset of the next page (null on the last). */
  public record ItemsPage(List<StoreItem> items, Integer nextOffset) {}

  /** The creator's items, every version. */
  public record CreatorItems(String creatorId, List<StoreItem> items) {}

  static final Operation SUBMIT =
      Operation.post("/store/items")
          .roles("creator")
          .summary("Submit a theme bundle")
          .description(
              """
              Who: a caller whose token carries the role `creator`.

              The body is the bundle, `Content-Type: application/zip`, with `manifest.json` at its \
              root (name, version, price in USD and/or VND, sale model, colour pairs, stylesheet). \
              The archive is inspected before anything is stored ([Theme \
              bundles](../store-bundles.md)): 422 `bundle_refused` with `violations` naming every \
              rule it breaks, each with its file, nothing stored. Accepted, it becomes a new \
              version of the creator's item of that name (opened by its first submission), waiting \
              for review: 201 with it, `pending_review`. 409 `review_pending` while a version of \
              the item waits for review, `version_exists`, `version_not_newer`, `item_delisted`. \
              415 for another content type; 403 without the creator role.""")
          .params(Param.IDEMPOTENCY_KEY)
          .body("application/zip", string().format("binary"))
          .answers(201, STORE_ITEM)
          .answers(415, Response.refusal("not a zip"))
          .answers(422, Response.of("the bundle breaks a rule").json(BUNDLE_REFUSED))
          .errors(403, 409);

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

  static final Operation CATALOG =
      Operation.get("/store/items")
          .authenticated()
          .summary("The store's catalog")
          .description(
              """
              Who: any signed-in caller.

              The listed items, each at its latest approved version, by name; paged by `limit` and \
              `offset`.""")
          .params(Param.LIMIT, Param.OFFSET)
          .answers(200, STORE_ITEMS_PAGE)
          .errors(400);

  /** 200 with a page of listed items at their latest approved version, by name. */
  ItemsPage catalog(HttpRequest request) throws Exception {
    Page page = Page.of(request);
    List<StoreItem> fetched = items.catalog(page.fetch(), page.offset());
    return new ItemsPage(page.rows(fetched), page.nextOffset(fetched));
  }

  static final Operation OF_CREATOR =
      Operation.get("/creator/items")
          .roles("creator")
          .summary("A creator's items")
          .description(
              """
              Who: a caller with the role `creator`, for their own items.

              Every version of every item the caller submitted, by item, newest version first, \
              with its status and, when rejected, the admin's reason.""")
          .answers(200, CREATOR_ITEMS)
          .errors(403);

  /** 200 with the caller's items, every version, newest first; 403 without the creator role. */
  CreatorItems ofCreator(HttpRequest request) throws Exception {
    Caller creator = creator(request);
    return new CreatorItems(creator.userId(), items.ofCreator(creator.userId()));
  }

  static final Operation QUEUE =
      Operation.get("/admin/store/queue")
          .admin()
          .summary("The store's moderation queue")
          .description(
              """
              Who: admin.

              The versions waiting for review, oldest first; paged by `limit` and `offset`.""")
          .params(Param.LIMIT, Param.OFFSET)
          .answers(200, STORE_ITEMS_PAGE)
          .errors(400);

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

  static final Operation DELIST =
      Operation.post("/admin/store/items/{id}/delist")
          .admin()
          .summary("Delist an item")
          .description(
              """
              Who: admin.

              `{"reason"}` → 200 with the item at its latest version, `delisted_at` set: the \
              catalog no longer shows it and it takes no new version. 400 naming `reason`; 404; \
              409 `already_delisted`. Writes `store_item.delisted` in the audit trail.""")
          .params(Param.ID, Param.IDEMPOTENCY_KEY)
          .body(Schemas.STORE_REVIEW)
          .answers(200, STORE_ITEM)
          .errors(400, 404, 409);

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
