package io.streamspace.billing.coupons;

import java.util.Map;

/**
 * A coupon request refused, nothing changed: why ({@code code}), the request's field at fault
 * when one is ({@code field}, as the route names it: {@code applies_to.plans}), and what the
 * caller may need to know ({@code details}).
 */
public final class CouponRefused extends Exception {

  /** What kind of refusal it is, and the HTTP status it is answered with. */
  public enum Kind {
    /** The request itself is wrong (400, naming the field). */
    INVALID,
    /** No such coupon (404). */
    NOT_FOUND,
    /** The coupon, the code or the organization does not allow it now (409). */
    CONFLICT,
    /** Stripe could not apply it to the organization's Subscription (502). */
    STRIPE
  }

  private final Kind kind;
  private final String code;
  private final String field;
  private final Map<String, Object> details;

  CouponRefused(Kind kind, String code, String field, String message, Map<String, Object> details) {
    super(message, null, false, false);
    this.kind = kind;
    this.code = code;
    this.field = field;
    this.details = Map.copyOf(details);
  }

  public static CouponRefused invalid(String field, String message) {
    return new CouponRefused(Kind.INVALID, "invalid_parameter", field, message, Map.of());
  }

  static CouponRefused conflict(String code, String message) {
    return new CouponRefused(Kind.CONFLICT, code, null, message, Map.of());
  }

  static CouponRefused notFound(String message) {
    return new CouponRefused(Kind.NOT_FOUND, "not_found", null, message, Map.of());
  }

  /** Stripe refused or could not be reached while applying it to a Subscription. */
  public static CouponRefused atStripe(String message) {
    return new CouponRefused(Kind.STRIPE, "stripe_error", null, message, Map.of());
  }

  public Kind kind() {
    return kind;
  }

  public String code() {
    return code;
  }

  /** The request's field at fault; null when none is. */
  public String field() {
    return field;
  }

  public Map<String, Object> details() {
    return details;
  }
}
