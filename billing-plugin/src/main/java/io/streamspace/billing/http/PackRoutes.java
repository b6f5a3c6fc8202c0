package io.streamspace.billing.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.account.AccountRepository;
import io.streamspace.billing.account.MemberRole;
import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.catalog.CapacityPack;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.packs.PackPurchases;
import io.streamspace.billing.packs.PackPurchases.Refused;
import io.streamspace.billing.packs.Purchase;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.Json;
import io.streamspace.common.http.Page;
import io.streamspace.common.http.PathId;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpRoutes;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Capacity packs: {@code GET /packs} the catalog in the account's currency, {@code POST
 * /packs/{id}/purchase} buys one, {@code GET /purchases} the account's purchases with their
 * history, {@code POST /purchases/{id}/renew} and {@code /cancel}.
 */
public final class PackRoutes {

  /** The catalog as an account sees it: the packs sold in its currency, at their price in it. */
  record CatalogJson(String userId, String currency, List<PackJson> packs) {}

  record PackJson(
      String id,
      String name,
      String kind,
      Map<String, BigDecimal> adds,
      BigDecimal price,
      Integer validDays) {}

  record PurchasesJson(String userId, List<Purchase> purchases, Integer nextOffset) {}

  private final OrgAccess access;
  private final AccountRepository accounts;
  private final PackPurchases purchases;
  private final ReadOnlyLock readOnlyLock;
  private final Supplier<BillingConfig> config;
  private final Clock clock;

  public PackRoutes(
      OrgAccess access,
      AccountRepository accounts,
      PackPurchases purchases,
      ReadOnlyLock readOnlyLock,
      Supplier<BillingConfig> config,
      Clock clock) {
    this.access = access;
    this.accounts = accounts;
    this.purchases = purchases;
    this.readOnlyLock = readOnlyLock;
    this.config = config;
    this.clock = clock;
  }

  public void register(HttpRoutes routes) {
    routes.add(HttpMethod.GET, "/packs", JsonRoute.of(this::catalog));
    routes.add(HttpMethod.POST, "/packs/{id}/purchase", JsonRoute.creating(this::purchase));
    routes.add(HttpMethod.GET, "/purchases", JsonRoute.of(this::list));
    routes.add(HttpMethod.POST, "/purchases/{id}/renew", JsonRoute.of(this::renew));
    routes.add(HttpMethod.POST, "/purchases/{id}/cancel", JsonRoute.of(this::cancel));
  }

  /** 200 with the packs sold in the account's currency; 401, 403, 404 as {@code /credits}. */
  CatalogJson catalog(HttpRequest request) throws Exception {
    SubjectAccount subject =
        SubjectAccount.of(access.organization(request, MemberRole.MEMBER), accounts, config.get());
    List<PackJson> packs =
        config.get().capacityPacks().stream()
            .filter(pack -> pack.priceIn(subject.currency()).isPresent())
            .map(pack -> json(pack, subject.currency()))
            .toList();
    return new CatalogJson(subject.orgId(), subject.currency().getCurrencyCode(), packs);
  }

  /**
   * 201 with the purchase, bought now at the pack's price in the account's currency; 400
   * {@code invalid_json}; 401; 403 as {@link OrgAccess} decides; 404 for an unknown pack (or
   * one not sold in the account's currency) or a user without an account; 423 while the account
   * is locked for non-payment.
   */
  Purchase purchase(HttpRequest request) throws Exception {
    JsonNode body = Json.readObject(request);
    String userId = access.organization(request, body, MemberRole.OWNER).id();
    Currency currency =
        accounts.find(userId).orElseThrow(() -> ApiException.unknownUser(userId)).currency();
    readOnlyLock.requireNotLocked(userId); // answered first; buy checks again in its transaction
    String packId = request.pathParam("id");
    CapacityPack pack =
        config
            .get()
            .pack(packId)
            .filter(p -> p.priceIn(currency).isPresent())
            .orElseThrow(() -> ApiException.notFound("no pack " + packId));
    try {
      return purchases.buy(
          userId, pack, currency, clock.instant(), AuditCauses.ofCaller(request, body));
    } catch (Refused e) {
      throw refusal(e);
    }
  }

  /** 200 with a page of purchases, newest first; pages, 400, 401, 403, 404 as {@code /invoices}. */
  PurchasesJson list(HttpRequest request) throws Exception {
    SubjectAccount subject =
        SubjectAccount.of(access.organization(request, MemberRole.ADMIN), accounts, config.get());
    Page page = Page.of(request);
    List<Purchase> rows =
        purchases.page(subject.orgId(), page.limit() + 1, page.offset(), clock.instant());
    return new PurchasesJson(subject.orgId(), page.rows(rows), page.nextOffset(rows));
  }

  /**
   * 200 with the renewed purchase; 409 {@code not_renewable} for a recurring one, {@code
   * organization_closed} once the organization is closed; 404; 423 while the account is locked
   * (a renewal is a purchase; a cancellation, which spends less, is not refused).
   */
  Purchase renew(HttpRequest request) throws Exception {
    return changed(request, purchases::renew, true);
  }

  /**
   * 200 with the purchase, cancelled now; 409 {@code not_cancellable} for a one-time one, {@code
   * already_cancelled}; 404.
   */
  Purchase cancel(HttpRequest request) throws Exception {
    return changed(request, purchases::cancel, false);
  }

  /** A renewal or a cancellation of a purchase at an instant. */
  private interface Change {
    Purchase apply(long purchaseId, Instant now, Cause cause) throws SQLException, Refused;
  }

  /**
   * The change applied now to the caller's purchase ({@code buys}: a renewal, refused once the
   * organization is closed); 400 {@code invalid_json} for a body other than none or one JSON
   * object; 409 with its code when it is refused.
   */
  private Purchase changed(HttpRequest request, Change change, boolean buys) throws Exception {
    JsonNode body = JsonRoute.objectOrNone(request);
    SubjectOrg org = access.organization(request, body, MemberRole.OWNER);
    long id = ownPurchase(request, org);
    if (buys) {
      readOnlyLock.requireOpen(org.id());
    }
    try {
      return change.apply(id, clock.instant(), AuditCauses.ofCaller(request, body));
    } catch (Refused e) {
      throw refusal(e);
    }
  }

  /** 423 while the account is locked for non-payment, else 409 with the refusal's code. */
  private static ApiException refusal(Refused e) {
    return Refused.ACCOUNT_LOCKED.equals(e.code())
        ? ApiException.locked(e.getMessage())
        : ApiException.conflict(e.code(), e.getMessage(), Map.of());
  }

  /**
   * The id of the purchase in the path: 404 for an unknown id and equally for another
   * organization's purchase (a platform admin may change any), so ids reveal nothing.
   */
  private long ownPurchase(HttpRequest request, SubjectOrg org) throws Exception {
    long id = PathId.of(request, "id", "purchase");
    ApiException notFound = ApiException.notFound("no purchase " + id);
    Purchase purchase = purchases.find(id, clock.instant()).orElseThrow(() -> notFound);
    if (!request.caller().isAdmin() && !purchase.userId().equals(org.id())) {
      throw notFound;
    }
    return id;
  }

  private static PackJson json(CapacityPack pack, Currency currency) {
    Map<String, BigDecimal> adds = new TreeMap<>();
    pack.adds().forEach((meter, amount) -> adds.put(meter.configName(), amount));
    return new PackJson(
        pack.id(),
        pack.name(),
        pack.kind().configName(),
        adds,
        Money.shown(pack.priceIn(currency).orElseThrow(), currency),
        pack.validDays());
  }
}
