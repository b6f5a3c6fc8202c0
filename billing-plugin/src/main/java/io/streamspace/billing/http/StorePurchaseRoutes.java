package io.streamspace.billing.http;

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
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpRoutes;
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

  public void register(HttpRoutes routes) {
    routes.add(HttpMethod.POST, "/store/items/{id}/purchase", JsonRoute.creating(this::purchase));
    routes.add(HttpMethod.GET, "/store/purchases", JsonRoute.of(this::list));
    routes.add(HttpMethod.GET, "/entitlements", JsonRoute.of(this::entitlements));
    routes.add(HttpMethod.POST, "/admin/store/purchases/{id}/refund", JsonRoute.of(this::refund));
  }

  /** A purchase and the entitlement it gives (null once refunded or ended). */
  public record Bought(StorePurchase purchase, Entitlement entitlement) {}

  /** A page of an organization's purchases, newest first. */
  public record PurchasesPage(String orgId, List<StorePurchase> purchases, Integer nextOffset) {}

  /** What the organizations may apply now. */
  public record Entitlements(Instant at, List<Entitlement> entitlements) {}

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

  /** 200 with a page of the organization's purchases; its Owner and Admins, platform admin. */
  PurchasesPage list(HttpRequest request) throws Exception {
    SubjectOrg org = access.organization(request, MemberRole.ADMIN);
    Page page = Page.of(request);
    List<StorePurchase> rows = purchases.page(org.id(), page.fetch(), page.offset());
    return new PurchasesPage(org.id(), page.rows(rows), page.nextOffset(rows));
  }

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
