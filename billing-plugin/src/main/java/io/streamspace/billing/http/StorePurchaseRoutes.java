package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.array;
import static io.streamspace.billing.http.Schema.integer;
import static io.streamspace.billing.http.Schema.nullValue;
import static io.streamspace.billing.http.Schema.number;
import static io.streamspace.billing.http.Schema.object;
import static io.streamspace.billing.http.Schema.oneOf;
import static io.streamspace.billing.http.Schema.string;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.account.AccountRepository;
import io.streamspace.billing.account.MemberRole;
import io.streamspace.billing.account.Memberships;
import io.streamspace.billing.store.purchase.Entitlement;
import io.streamspace.billing.store.purchase.StorePurchase;
import io.streamspace.billing.store.purchase.StorePurchases;
import io.streamspace.billing.store.purchase.StoreRefused;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.Json;
import io.streamspace.common.http.Page;
import io.streamspace.common.http.PathId;
import io.streamspace.common.http.QueryParams;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpRequest;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Buying from the add-on store: an organization's Owner buys an item ({@code POST
 * /store/items/{id}/purchase}, paid on the next invoice), its Owner and Admins list its purchases
 * ({@code GET /store/purchases}), the platform and members read what may be applied ({@code GET
 * /entitlements}), and the platform admin refunds a purchase for a reason ({@code POST
 * /admin/store/purchases/{id}/refund}).
 */
public final class StorePurchaseRoutes {

  // the bodies and answers of these routes

  static final Schema STORE_PURCHASE =
      Schema.component(
          "StorePurchase",
          object()
              .description(
                  """
                  A store item as an organization bought it, and the access it gives.""")
              .req("id", integer())
              .req(
                  "account_id",
                  string()
                      .description(
                          """
                          the buying organization (a personal organization's id is its user's)"""))
              .req(
                  "bought_by",
                  string().description("the user who bought it: its Owner (or a platform admin)"))
              .req("item_id", integer())
              .req("version_id", integer())
              .req("item_name", string())
              .req("version", string())
              .req("creator_id", string())
              .req("sale_kind", string().enumOf("one_time", "time_limited", "free"))
              .prop("sale_days", integer().orNull())
              .req("price", number().description("as bought, in currency; 0 when free"))
              .req("currency", string())
              .req(
                  "pay",
                  string()
                      .enumOf("invoice", "checkout", "free")
                      .description("invoice: a `store` line of the organization's next invoice"))
              .req("purchased_at", string().format("date-time"))
              .req(
                  "status",
                  string()
                      .enumOf("active", "refunded", "charged_back")
                      .description(
                          """
                          refunded by an admin, or charged_back: paid through Checkout, its \
                          payment's dispute lost; either ended its access at refunded_at"""))
              .req("access_from", string().format("date-time"))
              .prop(
                  "access_until",
                  string()
                      .orNull()
                      .format("date-time")
                      .description("when a time-limited access ends; null for good"))
              .prop(
                  "invoice_id",
                  integer().orNull().description("the invoice that billed it, once one did"))
              .prop(
                  "refunded_at",
                  string()
                      .orNull()
                      .format("date-time")
                      .description("when it was refunded or charged back"))
              .prop(
                  "refund_reason",
                  string()
                      .orNull()
                      .description(
                          """
                          the admin's reason of a refund; a chargeback's dispute and its \
                          reason""")));

  static final Schema ENTITLEMENT =
      Schema.component(
          "Entitlement",
          object()
              .description(
                  """
                  An organization may apply a store item (a theme) now, until `until` (null: for \
                  good).""")
              .req("org_id", string())
              .req("item_id", integer())
              .req("item_name", string())
              .req("version", string())
              .req("purchase_id", integer().description("the purchase that entitles it now"))
              .req("since", string().format("date-time"))
              .req(
                  "until",
                  string()
                      .orNull()
                      .format("date-time")
                      .description(
                          """
                          the end of the unbroken access (later time-limited purchases extend it); \
                          null for good""")));

  static final Schema STORE_PURCHASE_BOUGHT =
      Schema.component(
          "StorePurchaseBought",
          object()
              .req("purchase", STORE_PURCHASE)
              .req("entitlement", oneOf(ENTITLEMENT, nullValue())));

  static final Schema STORE_PURCHASES_PAGE =
      Schema.component(
          "StorePurchasesPage",
          object()
              .req("org_id", string())
              .req("purchases", array(STORE_PURCHASE))
              .req("next_offset", integer().orNull()));

  static final Schema ENTITLEMENTS =
      Schema.component(
          "Entitlements",
          object().req("at", string().format("date-time")).req("entitlements", array(ENTITLEMENT)));

  private static final String ORG_ID = "org_id";
  private static final String USER_ID = "user_id";
  private static final int BAD_GATEWAY = 502;

  private final OrgAccess access;
  private final AccountRepository accounts;
  private final Memberships memberships;
  private final StorePurchases purchases;
  private final ReadOnlyLock readOnlyLock;
  private final Clock clock;

  public StorePurchaseRoutes(
      OrgAccess access,
      AccountRepository accounts,
      Memberships memberships,
      StorePurchases purchases,
      ReadOnlyLock readOnlyLock,
      Clock clock) {
    this.access = access;
    this.accounts = accounts;
    this.memberships = memberships;
    this.purchases = purchases;
    this.readOnlyLock = readOnlyLock;
    this.clock = clock;
  }

  public void register(DescribedRoutes routes) {
    routes.add(PURCHASE, JsonRoute.creating(this::purchase));
    routes.add(LIST, JsonRoute.of(this::list));
    routes.add(ENTITLEMENTS_ROUTE, JsonRoute.of(this::entitlements));
    routes.add(REFUND, JsonRoute.of(this::refund));
  }

  /** A purchase and the entitlement it gives (null once refunded or ended). */
  public record Bought(StorePurchase purchase, Entitlement entitlement) {}

  /** A page of an organization's purchases, newest first. */
  public record PurchasesPage(String orgId, List<StorePurchase> purchases, Integer nextOffset) {}

  /** What the organizations may apply now. */
  public record Entitlements(Instant at, List<Entitlement> entitlements) {}

  static final Operation PURCHASE =
      Operation.post("/store/items/{id}/purchase")
          .owner()
          .summary("Buy a store item now, paid on the next invoice")
          .description(
              """
              Who: the organization's owner; a platform admin.

              `{"org_id"?}` (the caller's personal organization when absent) → 201 \
              `{"purchase","entitlement"}`: the item at its latest approved version, at its price \
              in the organization's currency, its access begun now (a time-limited item bought \
              again before its access ends: from where it ends), paid by a `store` line of the \
              organization's next invoice (a free item: not at all); event \
              `billing.entitlement.granted` after the commit; `store_purchase.bought` in the audit \
              trail. 404 for an item not on sale (unknown, delisted, none approved); 409 \
              `already_owned` (owned for good), `not_sold_in_currency`, `organization_closed`; 423 \
              `account_locked` while the organization is locked for non-payment (free items \
              excepted). A retry with the first purchase's `Idempotency-Key` answers that purchase \
              again, bought once.""")
          .params(Param.ID, Param.IDEMPOTENCY_KEY)
          .optionalBody(Schemas.FOR_ORGANIZATION)
          .answers(201, STORE_PURCHASE_BOUGHT)
          .errors(400, 404, 409, 423);

  /**
   * 201 with the purchase and its entitlement, bought now by the organization ({@code org_id}, or
   * the caller's personal one) at the item's price in its currency, paid on its next invoice;
   * 403 unless the caller is its Owner; 404 for an item not on sale or an organization without
   * an account; 409 {@code already_owned},
   * {@code not_sold_in_currency}, {@code organization_closed}; 423 while it is locked for
   * non-payment.
   */
  Bought purchase(HttpRequest request) throws Exception {
    JsonNode body = JsonRoute.objectOrNone(request);
    SubjectOrg org = access.organization(request, body, MemberRole.OWNER);
    long itemId = PathId.of(request, "id", "store item");
    accounts.find(org.id()).orElseThrow(() -> ApiException.unknownUser(org.id()));
    readOnlyLock.requireOpen(org.id());
    Instant now = clock.instant();
    try {
      StorePurchase bought =
          purchases
              .buy(
                  org.id(),
                  request.caller().userId(),
                  itemId,
                  now,
                  AuditCauses.ofCaller(request, body))
              .orElseThrow(() -> ApiException.notFound("no store item " + itemId + " on sale"));
      return new Bought(bought, entitlementOf(bought, now));
    } catch (StoreRefused e) {
      throw StoreRefused.ACCOUNT_LOCKED.equals(e.code())
          ? ApiException.locked(e.getMessage())
          : ApiException.conflict(e.code(), e.getMessage(), Map.of());
    }
  }

  private Entitlement entitlementOf(StorePurchase purchase, Instant at) throws Exception {
    return purchases.entitlements(List.of(purchase.accountId()), at).stream()
        .filter(e -> e.itemId() == purchase.itemId())
        .findFirst()
        .orElse(null);
  }

  static final Operation LIST =
      Operation.get("/store/purchases")
          .orgAdmin()
          .summary("An organization's store purchases, newest first")
          .description(
              """
              Who: the organization's owner or an admin; a platform admin.

              `{"org_id","purchases":[purchase],"next_offset"}`, newest first. Pages by `limit` \
              (1-100, default 20) and `offset` (≥ 0), 400 naming the bad one, `next_offset` null \
              on the last page.""")
          .params(Param.ORG_ID, Param.USER_ID, Param.LIMIT, Param.OFFSET)
          .answers(200, STORE_PURCHASES_PAGE)
          .errors(400, 404);

  /** 200 with a page of the organization's purchases; its Owner and Admins, platform admin. */
  PurchasesPage list(HttpRequest request) throws Exception {
    SubjectOrg org = access.organization(request, MemberRole.ADMIN);
    Page page = Page.of(request);
    List<StorePurchase> rows = purchases.page(org.id(), page.fetch(), page.offset());
    return new PurchasesPage(org.id(), page.rows(rows), page.nextOffset(rows));
  }

  static final Operation ENTITLEMENTS_ROUTE =
      Operation.get("/entitlements")
          .roles("user", "platform", "admin")
          .summary("Which organization may apply which store item, until when")
          .description(
              """
              Who: the platform or a platform admin, for any organization or user; a member, for \
              their organization; a user, for themselves.

              `?org_id=` one organization's entitlements, or `?user_id=` those of every \
              organization the user belongs to (the caller's when neither is given) → \
              `{"at","entitlements":[{"org_id","item_id","item_name","version","purchase_id","since\
              ","until"}]}` as of now: a time-limited access ends at its second (`until`, the end \
              of the unbroken access later purchases extend); a refunded purchase entitles \
              nothing. 400 when both are given; 403 `not_a_member`, or for another user's.""")
          .params(Param.ORG_ID, Param.USER_ID)
          .answers(200, ENTITLEMENTS)
          .errors(400, 403);

  /**
   * 200 with what may be applied now: of the organization {@code org_id} (the platform, a
   * platform admin, or its members), or of every organization the user {@code user_id} belongs
   * to (the platform, a platform admin, or the user themselves; the caller when neither is
   * given); 400 when both are given; 403 otherwise.
   */
  Entitlements entitlements(HttpRequest request) throws Exception {
    Caller caller = Access.authenticated(request);
    String orgId = QueryParams.of(request, ORG_ID).orElse(null);
    String userId = QueryParams.of(request, USER_ID).orElse(null);
    if (orgId != null && userId != null) {
      throw ApiException.badParameter(ORG_ID, "name an organization (org_id) or a user (user_id)");
    }
    boolean platform = caller.isAdmin() || caller.hasRole(Caller.ROLE_PLATFORM);
    List<String> organizations;
    if (orgId != null) {
      organizations =
          List.of(
              platform ? orgId : access.organizationNamed(request, orgId, MemberRole.MEMBER).id());
    } else {
      String user = userId == null ? caller.userId() : userId;
      if (!platform && !user.equals(caller.userId())) {
        throw ApiException.forbidden("a user may read only their own entitlements");
      }
      Map<String, MemberRole> claimed =
          user.equals(caller.userId()) ? OrgAccess.claimedRoles(caller) : Map.of();
      organizations =
          memberships.organizationsOf(user, claimed).stream()
              .map(Memberships.Organization::orgId)
              .toList();
    }
    Instant now = clock.instant();
    return new Entitlements(now, purchases.entitlements(organizations, now));
  }

  static final Operation REFUND =
      Operation.post("/admin/store/purchases/{id}/refund")
          .admin()
          .summary("Refund a store purchase")
          .description(
              """
              Who: admin.

              `{"reason"}` → 200 with the purchase, `refunded`: its access ends now (event \
              `billing.entitlement.expired` with `reason` `refunded`); a purchase no invoice \
              billed yet is never billed, one an invoice billed is credited back to the \
              organization (a credit of its price, forfeited if that invoice is voided later, \
              which gives the charge back itself), one paid through Stripe Checkout is refunded at \
              Stripe first (one idempotency key per purchase). 400 naming `reason`; 404; 409 \
              `already_refunded`, `charged_back` (its payment's dispute was lost: the money went \
              back by the dispute), `stripe_not_configured`; 502 `stripe_error` when Stripe did \
              not refund (nothing changed). Writes `store_purchase.refunded` in the audit trail.""")
          .params(Param.ID, Param.IDEMPOTENCY_KEY)
          .body(Schemas.STORE_REVIEW)
          .answers(200, STORE_PURCHASE)
          .errors(400, 404, 409, 502);

  /**
   * Refunds the purchase now: 200 with it, refunded; 400 without a reason; 404; 409 {@code
   * already_refunded}, {@code charged_back}, {@code stripe_not_configured}; 502 {@code
   * stripe_error} when Stripe did not give a Checkout's payment back (nothing changed); platform
   * admin.
   */
  StorePurchase refund(HttpRequest request) throws Exception {
    Caller admin = Access.admin(request);
    long id = PathId.of(request, "id", "store purchase");
    String reason = AuditCauses.requiredReason(Json.readObject(request));
    try {
      return purchases
          .refund(id, reason, clock.instant(), AuditCauses.admin(request, admin, reason))
          .orElseThrow(() -> ApiException.notFound("no store purchase " + id));
    } catch (StoreRefused e) {
      // Stripe could not give the payment back: nothing changed here, the admin may retry
      throw "stripe_error".equals(e.code())
          ? new ApiException(BAD_GATEWAY, e.code(), e.getMessage())
          : ApiException.conflict(e.code(), e.getMessage(), Map.of());
    }
  }
}
