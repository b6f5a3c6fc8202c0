package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.array;
import static io.streamspace.billing.http.Schema.bool;
import static io.streamspace.billing.http.Schema.integer;
import static io.streamspace.billing.http.Schema.number;
import static io.streamspace.billing.http.Schema.object;
import static io.streamspace.billing.http.Schema.string;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.account.AccountRepository;
import io.streamspace.billing.account.MemberRole;
import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.catalog.CapacityPack;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.packs.PackPurchases;
import io.streamspace.billing.packs.PackPurchases.Refused;
import io.streamspace.billing.packs.Purchase;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.Json;
import io.streamspace.common.http.Page;
import io.streamspace.common.http.PathId;
import io.streamspace.plugin.api.http.HttpRequest;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Capacity packs: {@code GET /packs} the catalog in the account's currency, {@code POST
 * /packs/{id}/purchase} buys one, {@code GET /purchases} the account's purchases with their
 * history, {@code POST /purchases/{id}/renew} and {@code /cancel}.
 */
public final class PackRoutes {

  // the bodies and answers of these routes

  static final Schema PACK_ADDS =
      Schema.component(
          "PackAdds",
          object()
              .req("meter", string())
              .req("name", string().description("the meter's name for people, as /quota's"))
              .req("unit", string().description("the meter's unit, as /quota's"))
              .req("amount", number().description("added to the limit, in the unit")));

  static final Schema PACK =
      Schema.component(
          "Pack",
          object()
              .req("id", string())
              .req("name", string())
              .req("kind", string())
              .req("adds", object().description("meter to amount added"))
              .req(
                  "added",
                  array(PACK_ADDS)
                      .description(
                          "what adds says, each meter with its name and unit, by meter id"))
              .req("price", number())
              .req("valid_days", integer().orNull()));

  static final Schema PACKS =
      Schema.component(
          "Packs",
          object().req("user_id", string()).req("currency", string()).req("packs", array(PACK)));

  static final Schema PURCHASE_EVENT =
      Schema.component(
          "PurchaseEvent",
          object()
              .req("kind", string().enumOf("bought", "renewed", "expired", "cancelled", "refunded"))
              .req("at", string().format("date-time"))
              .req("amount", number().orNull())
              .req("valid_from", string().orNull().format("date-time"))
              .req("valid_until", string().orNull().format("date-time"))
              .req("invoice_id", integer().orNull())
              .req("paid", bool()));

  static final Schema PURCHASE =
      Schema.component(
          "Purchase",
          object()
              .req("id", integer())
              .req("user_id", string())
              .req("pack_id", string())
              .req("pack_name", string())
              .req("kind", string())
              .req("adds", object().description("meter to amount added"))
              .req("price", number())
              .req("currency", string())
              .req("valid_days", integer().orNull())
              .req("purchased_at", string().format("date-time"))
              .req("valid_from", string().format("date-time"))
              .req("valid_until", string().orNull().format("date-time"))
              .req("cancelled_at", string().orNull().format("date-time"))
              .req(
                  "refunded_at",
                  string()
                      .orNull()
                      .format("date-time")
                      .description(
                          """
                          when its Stripe Checkout payment was refunded in full at Stripe (a \
                          refund in Stripe's Dashboard), which ended what that payment bought (a \
                          renewal billed on an invoice keeps its validity); it is not renewed any \
                          more"""))
              .req("active", bool())
              .req("history", array(PURCHASE_EVENT)));

  static final Schema PURCHASES =
      Schema.component(
          "Purchases",
          object()
              .req("user_id", string())
              .req("purchases", array(PURCHASE))
              .req("next_offset", integer().orNull()));

  /** The catalog as an account sees it: the packs sold in its currency, at their price in it. */
  record CatalogJson(String userId, String currency, List<PackJson> packs) {}

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

  public void register(DescribedRoutes routes) {
    routes.add(CATALOG, JsonRoute.of(this::catalog));
    routes.add(PURCHASE_ROUTE, JsonRoute.creating(this::purchase));
    routes.add(LIST, JsonRoute.of(this::list));
    routes.add(RENEW, JsonRoute.of(this::renew));
    routes.add(CANCEL, JsonRoute.of(this::cancel));
  }

  static final Operation CATALOG =
      Operation.get("/packs")
          .orgMember()
          .summary("The pack catalog in the account's currency")
          .description(
              """
              Who: any member of the organization; a platform admin.

              The catalog in the account's currency: \
              `{"user_id","currency","packs":[{"id","name","kind","adds","added":[{"meter","name",\
              "unit","amount"}],"price","valid_days"}]}` (a pack not priced in it is left out; \
              `added` says what `adds` does, each meter with its name and unit for people). 401, \
              403 for another user's, 404 for an unknown user (admin)""")
          .params(Param.ORG_ID, Param.USER_ID)
          .answers(200, PACKS)
          .errors(404);

  /** 200 with the packs sold in the account's currency; 401, 403, 404 as {@code /credits}. */
  CatalogJson catalog(HttpRequest request) throws Exception {
    SubjectAccount subject =
        SubjectAccount.of(access.organization(request, MemberRole.MEMBER), accounts, config.get());
    List<PackJson> packs =
        config.get().capacityPacks().stream()
            .filter(pack -> pack.priceIn(subject.currency()).isPresent())
            .map(pack -> PackJson.of(pack, subject.currency()))
            .toList();
    return new CatalogJson(subject.orgId(), subject.currency().getCurrencyCode(), packs);
  }

  static final Operation PURCHASE_ROUTE =
      Operation.post("/packs/{id}/purchase")
          .owner()
          .summary("Buy a pack now")
          .description(
              """
              Who: the organization's owner; a platform admin. 409 currency_changed.

              `{"user_id"?}` → 201 with the purchase, bought now at the pack's price in the \
              account's currency: \
              `{"id","user_id","pack_id","pack_name","kind","adds","price","currency","valid_days",\
              "purchased_at","valid_from","valid_until","cancelled_at","refunded_at","active","hist\
              ory":[{"kind","at","amount","valid_from","valid_until","invoice_id","paid"}]}`, and \
              event `billing.pack.purchased` (that JSON) after the commit. 404 for an unknown pack \
              or a user without an account; 403 for another user; 400 `invalid_json`, or naming \
              `user_id` when not a string. A retry with the first purchase's `Idempotency-Key` \
              answers that purchase again, charged once; 423 `account_locked` while the account is \
              locked for non-payment; 409 `currency_changed` when a late `user.created` changed \
              the account's currency while the purchase was priced (nothing bought)""")
          .params(Param.path("id", string()), Param.IDEMPOTENCY_KEY)
          .body(Schemas.FOR_ORGANIZATION)
          .answers(201, PURCHASE)
          .answers(
              409,
              Response.CONFLICT.described(
                  """
                  a conflict; the code says which, among them organization_closed once the \
                  organization is closed (org.deleted)"""))
          .errors(400, 404, 423);

  /**
   * 201 with the purchase, bought now at the pack's price in the account's currency; 400
   * {@code invalid_json}; 401; 403 as {@link OrgAccess} decides; 404 for an unknown pack (or
   * one not sold in the account's currency) or a user without an account; 423 while the account
   * is locked for non-payment.
   */
  Purchase purchase(HttpRequest request) throws Exception {
    JsonNode body = Json.readObject(request);
    String orgId = access.organization(request, body, MemberRole.OWNER).id();
    Currency currency =
        accounts.find(orgId).orElseThrow(() -> ApiException.unknownUser(orgId)).currency();
    readOnlyLock.requireNotLocked(orgId); // answered first; buy checks again in its transaction
    String packId = request.pathParam("id");
    CapacityPack pack =
        config
            .get()
            .pack(packId)
            .filter(p -> p.priceIn(currency).isPresent())
            .orElseThrow(() -> ApiException.notFound("no pack " + packId));
    try {
      return purchases.buy(
          orgId, pack, currency, clock.instant(), AuditCauses.ofCaller(request, body));
    } catch (Refused e) {
      throw refusal(e);
    }
  }

  static final Operation LIST =
      Operation.get("/purchases")
          .orgAdmin()
          .summary("Pack purchases, newest first")
          .description(
              """
              Who: the organization's owner or an admin; a platform admin.

              `{"user_id","purchases":[purchase],"next_offset"}`, newest first, each with its \
              history (`bought`, `renewed`, `cancelled`, oldest first, with the amount each \
              charged and, once billed, its invoice; `paid` true for a `bought` paid at Stripe \
              Checkout, which no invoice bills). Pages by `limit` (1-100, default 20) and `offset` \
              (≥ 0), 400 naming the bad one, `next_offset` null on the last page.""")
          .params(Param.ORG_ID, Param.USER_ID, Param.LIMIT, Param.OFFSET)
          .answers(200, PURCHASES)
          .errors(400, 404);

  /** 200 with a page of purchases, newest first; pages, 400, 401, 403, 404 as {@code /invoices}. */
  PurchasesJson list(HttpRequest request) throws Exception {
    SubjectAccount subject =
        SubjectAccount.of(access.organization(request, MemberRole.ADMIN), accounts, config.get());
    Page page = Page.of(request);
    List<Purchase> rows =
        purchases.page(subject.orgId(), page.limit() + 1, page.offset(), clock.instant());
    return new PurchasesJson(subject.orgId(), page.rows(rows), page.nextOffset(rows));
  }

  static final Operation RENEW =
      Operation.post("/purchases/{id}/renew")
          .owner()
          .summary("Renew a one-time purchase (takes no body)")
          .description(
              """
              Who: the organization's owner; a platform admin. Who: the owner, or an admin. 409 \
              not_renewable, refunded.

              A one-time purchase: a new validity of its `valid_days` from the later of now and \
              its current end, charged again at its price as bought; 200 with the purchase. 409 \
              `not_renewable` for a recurring one, `refunded` for one whose Stripe Checkout \
              payment was refunded in full at Stripe (it ended then: buy the pack anew); 404 for \
              an unknown id and equally for another user's; 423 `account_locked` while the account \
              is locked for non-payment.""")
          .params(Param.ID)
          .optionalBody(Schemas.FOR_ORGANIZATION)
          .answers(200, PURCHASE)
          .answers(
              409,
              Response.CONFLICT.described(
                  """
                  a conflict; the code says which, among them organization_closed once the \
                  organization is closed (org.deleted)"""))
          .errors(400, 404, 423);

  /**
   * 200 with the renewed purchase; 409 {@code not_renewable} for a recurring one, {@code
   * organization_closed} once the organization is closed; 404; 423 while the account is locked
   * (a renewal is a purchase; a cancellation, which spends less, is not refused).
   */
  Purchase renew(HttpRequest request) throws Exception {
    return changed(request, purchases::renew, true);
  }

  static final Operation CANCEL =
      Operation.post("/purchases/{id}/cancel")
          .owner()
          .summary("Cancel a recurring purchase (takes no body)")
          .description(
              """
              Who: the organization's owner; a platform admin. Who: the owner, or an admin. 409 \
              not_cancellable, already_cancelled.

              A recurring purchase: cancelled now, billed up to now (prorated to the second); 200 \
              with the purchase. 409 `not_cancellable` for a one-time one (it expires), \
              `already_cancelled`; 404 for an unknown id and equally for another user's \
              purchase.""")
          .params(Param.ID)
          .optionalBody(Schemas.FOR_ORGANIZATION)
          .answers(200, PURCHASE)
          .errors(400, 404, 409, 423);

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
}
