package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.string;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.coupons.Coupon;
import io.streamspace.billing.coupons.CouponRefused;
import io.streamspace.billing.coupons.CouponReport;
import io.streamspace.billing.coupons.Coupons;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.Json;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpResponse;
import java.time.Clock;
import java.util.List;

/**
 * The platform admin's coupons ({@link Coupons}): create one with its promotion codes, list and
 * read them, deactivate one, and read what one gave away.
 */
public final class CouponAdminRoutes {

  record CouponsJson(List<Coupon> coupons) {}

  static final Param COUPON_ID =
      Param.path("coupon_id", string().pattern("^[A-Za-z0-9_-]{1,40}$"))
          .description("the coupon's id");

  private final Coupons coupons;
  private final Clock clock;

  public CouponAdminRoutes(Coupons coupons, Clock clock) {
    this.coupons = coupons;
    this.clock = clock;
  }

  public void register(DescribedRoutes routes) {
    routes.add(CREATE, JsonRoute.of(this::create));
    routes.add(LIST, JsonRoute.of(this::list));
    routes.add(GET, JsonRoute.of(this::get));
    routes.add(DEACTIVATE, JsonRoute.of(this::deactivate));
    routes.add(REPORT, JsonRoute.of(this::report));
  }

  static final Operation CREATE =
      Operation.post("/admin/coupons")
          .admin()
          .summary("Create a coupon with its promotion codes")
          .description(
              """
              Who: admin. 409 coupon_exists, code_taken.

              `{"id","percent_off"|"amount_off"+"currency","duration":"once"|"repeating"|\
              "forever","duration_in_periods","applies_to":{"plans","meters","store"},\
              "max_redemptions","redeem_by","codes":["…"],"reason"}` → 201 with the coupon. \
              A discount is a line of its own on the invoices of the billing periods a \
              redemption covers, one per line it takes something off, before tax: a percentage \
              of each plan fee line of `applies_to.plans`, usage and overage line of \
              `applies_to.meters` and store item line (`store`), or `amount_off` per period \
              shared among them, never more than they come to. `duration` counts billing \
              periods from the one a code is redeemed in. The codes are stored upper case and \
              matched in any case. 400 naming the field: `id` (1 to 40 letters, digits, `_`, \
              `-`), `percent_off` (above 0, at most 100, 2 decimals; or neither or both of it and \
              `amount_off`), `amount_off` (above 0, the currency's decimals), `currency`, \
              `duration`, `duration_in_periods` (1 to 120, with `repeating` only), \
              `applies_to` (none of the three), `applies_to.plans[i]` or `applies_to.meters[i]` \
              (not in the config), `max_redemptions` (at least 1), `redeem_by` (not ahead), \
              `codes` or `codes[i]` (none; 3 to 40 letters, digits, dashes; twice), `reason`; \
              409 `coupon_exists` (its id with other terms), `code_taken` (another coupon's \
              code); nothing is changed by a refusal. A retry with the same id and terms \
              answers the coupon again (200). Writes `coupon.created` in the audit trail.""")
          .params(Param.IDEMPOTENCY_KEY)
          .body(CouponBodies.COUPON_CREATE)
          .answers(201, CouponBodies.COUPON)
          .answers(200, CouponBodies.COUPON)
          .errors(400, 409);

  HttpResponse create(HttpRequest request) throws Exception {
    Caller admin = Access.admin(request);
    JsonNode body = Json.readObject(request);
    String reason = AuditCauses.requiredReason(body);
    try {
      Coupons.Created created =
          coupons.create(
              CouponBodies.coupon(body, reason),
              AuditCauses.admin(request, admin, reason),
              clock.instant());
      return created.fresh() ? Json.created(created.coupon()) : Json.ok(created.coupon());
    } catch (CouponRefused e) {
      throw CouponRoutes.refused(e, "code");
    }
  }

  static final Operation LIST =
      Operation.get("/admin/coupons")
          .admin()
          .summary("Every coupon")
          .description("Who: admin.\n\n`{\"coupons\"}`, oldest first.")
          .answers(200, CouponBodies.COUPONS);

  CouponsJson list(HttpRequest request) throws Exception {
    Access.admin(request);
    return new CouponsJson(coupons.list());
  }

  static final Operation GET =
      Operation.get("/admin/coupons/{coupon_id}")
          .admin()
          .summary("A coupon")
          .description("Who: admin.\n\nThe coupon with its codes and redemptions so far; 404.")
          .params(COUPON_ID)
          .answers(200, CouponBodies.COUPON)
          .errors(404);

  Coupon get(HttpRequest request) throws Exception {
    Access.admin(request);
    String id = request.pathParam("coupon_id");
    return coupons.find(id).orElseThrow(() -> ApiException.notFound("no coupon " + id));
  }

  static final Operation DEACTIVATE =
      Operation.post("/admin/coupons/{coupon_id}/deactivate")
          .admin()
          .summary("Deactivate a coupon")
          .description(
              """
              Who: admin.

              `{"reason"}` → 200 with the coupon, `active` false: its codes can no longer be \
              redeemed; what organizations redeemed goes on discounting their periods. An \
              inactive coupon is answered as it is. 400 naming `reason`; 404. Writes \
              `coupon.deactivated` in the audit trail.""")
          .params(COUPON_ID, Param.IDEMPOTENCY_KEY)
          .body(CouponBodies.REASON)
          .answers(200, CouponBodies.COUPON)
          .errors(400, 404);

  Coupon deactivate(HttpRequest request) throws Exception {
    Caller admin = Access.admin(request);
    JsonNode body = Json.readObject(request);
    String reason = AuditCauses.requiredReason(body);
    try {
      return coupons.deactivate(
          request.pathParam("coupon_id"),
          AuditCauses.admin(request, admin, reason),
          clock.instant());
    } catch (CouponRefused e) {
      throw CouponRoutes.refused(e, "code");
    }
  }

  static final Operation REPORT =
      Operation.get("/admin/coupons/{coupon_id}/report")
          .admin()
          .summary("What a coupon gave away")
          .description(
              """
              Who: admin.

              `redemptions` (as counted against `max_redemptions`), `organizations` that \
              redeemed it, `discounted` per currency (what its discount lines took off \
              finalized invoices, sent, paid or overdue, and on how many; a void invoice's \
              count nothing) and `by_organization` (each redemption, oldest first, with its \
              code, periods and what it took off so far). 404.""")
          .params(COUPON_ID)
          .answers(200, CouponBodies.REPORT)
          .errors(404);

  CouponReport report(HttpRequest request) throws Exception {
    Access.admin(request);
    String id = request.pathParam("coupon_id");
    return coupons.report(id).orElseThrow(() -> ApiException.notFound("no coupon " + id));
  }
}
