package io.streamspace.billing.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.account.MemberRole;
import io.streamspace.billing.coupons.CouponRefused;
import io.streamspace.billing.coupons.Coupons;
import io.streamspace.billing.coupons.Redeeming;
import io.streamspace.billing.coupons.Redemption;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.Json;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpResponse;
import java.time.Clock;

/**
 * An organization's coupons: {@code POST /redeem} (its Owner redeems a promotion code) and
 * {@code GET /discount} (the discount it has, for its Owner and Admins), thin layers over {@link
 * Coupons}.
 */
public final class CouponRoutes {

  /** The organization's discount now: its redemption, or null. */
  record DiscountJson(String orgId, Redemption discount) {}

  private final OrgAccess access;
  private final Coupons coupons;
  private final Redeeming.AtStripe atStripe;
  private final Clock clock;

  /** @param atStripe what Stripe is told of a redemption (an organization's Subscription) */
  public CouponRoutes(OrgAccess access, Coupons coupons, Redeeming.AtStripe atStripe, Clock clock) {
    this.access = access;
    this.coupons = coupons;
    this.atStripe = atStripe;
    this.clock = clock;
  }

  public void register(DescribedRoutes routes) {
    routes.add(REDEEM, JsonRoute.of(this::redeem));
    routes.add(DISCOUNT, JsonRoute.of(this::discount));
  }

  static final Operation REDEEM =
      Operation.post("/redeem")
          .owner()
          .summary("Redeem a promotion code for the organization")
          .description(
              """
              Who: the organization's owner; a platform admin. 409 coupon_inactive, \
              coupon_expired, coupon_exhausted, currency_mismatch, discount_active, \
              organization_closed.

              `{"org_id"?,"code"}` → 201 with the redemption: the coupon's discount on the \
              organization's invoices of the billing periods from the one holding now \
              (`discount_from`) to `discount_until` (the end of the last period its duration \
              counts: `once` this one, `repeating` `duration_in_periods` of them, `forever` null). \
              The code is matched in any case. A code of a coupon the organization redeemed \
              before answers that redemption again (200): a retry redeems nothing twice. 400 \
              naming `code` (missing, or no such code); 404 for an organization without an \
              account; 409 `coupon_inactive` (deactivated), `coupon_expired` (past its \
              `redeem_by`), `coupon_exhausted` (its `max_redemptions` taken: concurrent \
              redemptions never pass it), `currency_mismatch` (an amount in another currency \
              than the organization's), `discount_active` (another coupon's discount still \
              runs: one at a time), `organization_closed`; nothing is changed by a refusal. \
              When a Stripe Subscription collects the organization's plan fee \
              (`stripeCollection` `stripe_invoices`) on a plan the coupon applies to, the \
              Subscription is discounted by the coupon at Stripe in the same transaction (502 \
              `stripe_error`, nothing redeemed, when Stripe fails). Writes `coupon.redeemed` in \
              the audit trail; publishes `billing.coupon.redeemed`.""")
          .params(Param.IDEMPOTENCY_KEY)
          .body(CouponBodies.REDEEM)
          .answers(201, CouponBodies.REDEMPTION)
          .answers(200, CouponBodies.REDEMPTION)
          .errors(400, 404, 409, 502);

  /** 201 with a fresh redemption, 200 with one made before; refusals as their statuses. */
  HttpResponse redeem(HttpRequest request) throws Exception {
    JsonNode body = Json.readObject(request);
    String orgId = access.organization(request, body, MemberRole.OWNER).id();
    JsonNode code = body.get("code");
    if (code == null || !code.isTextual() || code.asText().isBlank()) {
      throw ApiException.badParameter("code", "code is required: the promotion code to redeem");
    }
    try {
      Redeeming.Redeemed redeemed =
          coupons.redeem(
              new Redeeming.Request(
                  orgId,
                  code.asText(),
                  "redeem",
                  null,
                  AuditCauses.ofCaller(request, body),
                  clock.instant()),
              atStripe);
      return redeemed.fresh()
          ? Json.created(redeemed.redemption())
          : Json.ok(redeemed.redemption());
    } catch (CouponRefused e) {
      throw refused(e, "code");
    }
  }

  static final Operation DISCOUNT =
      Operation.get("/discount")
          .orgAdmin()
          .summary("The organization's discount from a coupon")
          .description(
              """
              Who: the organization's owner or an admin; a platform admin.

              `{"org_id","discount"}`: the redemption whose discount runs now or later (its \
              coupon's terms, the code, the periods it discounts), or null.""")
          .params(Param.ORG_ID)
          .answers(200, CouponBodies.DISCOUNT);

  DiscountJson discount(HttpRequest request) throws Exception {
    String orgId = access.organization(request, MemberRole.ADMIN).id();
    return new DiscountJson(orgId, coupons.active(orgId, clock.instant()).orElse(null));
  }

  /**
   * A refusal as its answer; an {@code invalid_parameter} naming {@code code} names {@code
   * field} instead (a Checkout's {@code promotion_code}).
   */
  static ApiException refused(CouponRefused e, String field) {
    return switch (e.kind()) {
      case INVALID ->
          ApiException.badParameter("code".equals(e.field()) ? field : e.field(), e.getMessage());
      case NOT_FOUND -> ApiException.notFound(e.getMessage());
      case CONFLICT -> ApiException.conflict(e.code(), e.getMessage(), e.details());
      case STRIPE -> new ApiException(502, e.code(), e.getMessage(), null);
    };
  }
}
