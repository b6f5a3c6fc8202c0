package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.array;
import static io.streamspace.billing.http.Schema.bool;
import static io.streamspace.billing.http.Schema.integer;
import static io.streamspace.billing.http.Schema.nullValue;
import static io.streamspace.billing.http.Schema.number;
import static io.streamspace.billing.http.Schema.object;
import static io.streamspace.billing.http.Schema.oneOf;
import static io.streamspace.billing.http.Schema.string;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.coupons.AppliesTo;
import io.streamspace.billing.coupons.CouponDuration;
import io.streamspace.billing.coupons.NewCoupon;
import io.streamspace.billing.coupons.Redeeming;
import io.streamspace.billing.money.Money;
import io.streamspace.common.http.ApiException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;

/**
 * The bodies and answers of the coupon routes ({@link CouponAdminRoutes}, {@link CouponRoutes}),
 * and how a coupon's body is read: its shape is checked here (400 naming the field); what its
 * values may be (the plans and meters exist, the amount fits the currency, {@code redeem_by} is
 * ahead) is {@code Coupons}' to judge.
 */
final class CouponBodies {

  private static final Schema APPLIES_TO =
      object()
          .prop("plans", array(string()).description("plan ids: their plan fee lines"))
          .prop(
              "meters",
              array(string())
                  .description(
                      """
                      meter ids (cpu_cores, memory_gb, storage_gb, a held meter's, a counter's, \
                      members for seats): their usage and overage lines"""))
          .prop("store", bool().description("store item lines"))
          .description("what it takes something off: at least one of the three");

  static final Schema COUPON_CREATE =
      Schema.component(
          "CouponCreate",
          object()
              .req("id", string().pattern("^[A-Za-z0-9_-]{1,40}$"))
              .prop("percent_off", number().description("above 0, at most 100; or amount_off"))
              .prop("amount_off", number().description("per billing period, with currency"))
              .prop("currency", string().description("the amount's, ISO 4217"))
              .req("duration", string().enumOf("once", "repeating", "forever"))
              .prop(
                  "duration_in_periods",
                  integer().min(1).max(120).description("with repeating: how many periods"))
              .req("applies_to", APPLIES_TO)
              .prop("max_redemptions", integer().min(1).description("organizations in all"))
              .prop("redeem_by", string().format("date-time").description("redeemable until"))
              .req(
                  "codes",
                  array(string().pattern("^[A-Za-z0-9-]{3,40}$"))
                      .description("the promotion codes customers type (stored upper case)"))
              .req("reason", string().maxLength(1000).description("why: kept in the audit trail")));

  static final Schema COUPON =
      Schema.component(
          "Coupon",
          object()
              .req("id", string())
              .req("percent_off", number().orNull())
              .req("amount_off", number().orNull())
              .req("currency", string().orNull())
              .req("duration", string().enumOf("once", "repeating", "forever"))
              .req("duration_in_periods", integer().orNull())
              .req(
                  "applies_to",
                  object()
                      .req("plans", array(string()))
                      .req("meters", array(string()))
                      .req("store", bool()))
              .req("max_redemptions", integer().orNull())
              .req("redemptions", integer())
              .req("redeem_by", string().orNull().format("date-time"))
              .req("codes", array(string()))
              .req("reason", string())
              .req("created_by", string().orNull())
              .req("created_at", string().format("date-time"))
              .req("active", bool())
              .req("deactivated_at", string().orNull().format("date-time")));

  static final Schema COUPONS = object().req("coupons", array(COUPON));

  static final Schema REASON = object().req("reason", string().maxLength(1000));

  static final Schema REPORT =
      Schema.component(
          "CouponReport",
          object()
              .req("coupon_id", string())
              .req("redemptions", integer())
              .req("organizations", integer())
              .req(
                  "discounted",
                  array(
                      object()
                          .req("currency", string())
                          .req("amount", number())
                          .req("invoices", integer())))
              .req(
                  "by_organization",
                  array(
                      object()
                          .req("org_id", string())
                          .req("code", string())
                          .req("redeemed_at", string().format("date-time"))
                          .req("via", string().enumOf("redeem", "checkout"))
                          .req("discount_from", string().format("date-time"))
                          .req("discount_until", string().orNull().format("date-time"))
                          .req("currency", string())
                          .req("discounted", number())
                          .req("invoices", integer()))));

  static final Schema REDEEM =
      Schema.component(
          "Redeem",
          object()
              .prop("org_id", string())
              .req("code", string().description("a promotion code, in any case")));

  static final Schema REDEMPTION =
      Schema.component(
          "Redemption",
          object()
              .req("id", integer())
              .req("org_id", string())
              .req("coupon_id", string())
              .req("code", string())
              .req("redeemed_at", string().format("date-time"))
              .req("via", string().enumOf("redeem", "checkout"))
              .req("discount_from", string().format("date-time"))
              .req(
                  "discount_until",
                  string()
                      .orNull()
                      .format("date-time")
                      .description("the end of its last period; null: forever"))
              .req("redeemed_by", string().orNull())
              .req(
                  "terms",
                  object()
                      .req("percent_off", number().orNull())
                      .req("amount_off", number().orNull())
                      .req("currency", string().orNull())
                      .req("duration", string())
                      .req("duration_in_periods", integer().orNull())
                      .req(
                          "applies_to",
                          object()
                              .req("plans", array(string()))
                              .req("meters", array(string()))
                              .req("store", bool()))
                      .req("description", string())));

  static final Schema DISCOUNT =
      object()
          .req("org_id", string())
          .req(
              "discount",
              oneOf(REDEMPTION, nullValue())
                  .description("the redemption discounting its periods now or later; null: none"));

  private CouponBodies() {}

  /** The body as a new coupon, its shape checked: 400 naming the first field at fault. */
  static NewCoupon coupon(JsonNode body, String reason) throws ApiException {
    return new NewCoupon(
        text(body, "id"),
        decimalOf(body, "percent_off"),
        decimalOf(body, "amount_off"),
        currency(body),
        CouponDuration.named(text(body, "duration"))
            .orElseThrow(
                () ->
                    ApiException.badParameter(
                        "duration", "duration is required: once, repeating or forever")),
        integerOf(body, "duration_in_periods"),
        appliesTo(body.get("applies_to")),
        integerOf(body, "max_redemptions"),
        instant(body, "redeem_by"),
        codes(body.get("codes")),
        reason);
  }

  private static AppliesTo appliesTo(JsonNode given) throws ApiException {
    if (given == null || !given.isObject()) {
      throw ApiException.badParameter(
          "applies_to", "applies_to is required: {\"plans\",\"meters\",\"store\"}");
    }
    JsonNode store = given.get("store");
    if (store != null && !store.isNull() && !store.isBoolean()) {
      throw ApiException.badParameter("applies_to.store", "applies_to.store must be true or false");
    }
    return new AppliesTo(
        texts(given.get("plans"), "applies_to.plans"),
        texts(given.get("meters"), "applies_to.meters"),
        store != null && store.asBoolean());
  }

  private static List<String> codes(JsonNode given) throws ApiException {
    List<String> codes = new ArrayList<>();
    for (String code : texts(given, "codes")) {
      codes.add(Redeeming.normalized(code));
    }
    return codes;
  }

  private static List<String> texts(JsonNode given, String field) throws ApiException {
    if (given == null || given.isNull()) {
      return List.of();
    }
    if (!given.isArray()) {
      throw ApiException.badParameter(field, field + " must be an array of strings");
    }
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < given.size(); i++) {
      if (!given.get(i).isTextual()) {
        throw ApiException.badParameter(
            field + "[" + i + "]", field + "[" + i + "] must be a string");
      }
      texts.add(given.get(i).asText());
    }
    return texts;
  }

  private static String text(JsonNode body, String field) throws ApiException {
    JsonNode value = body.get(field);
    if (value != null && !value.isNull() && !value.isTextual()) {
      throw ApiException.badParameter(field, field + " must be a string");
    }
    return value == null || value.isNull() ? null : value.asText();
  }

  private static BigDecimal decimalOf(JsonNode body, String field) throws ApiException {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isNumber()) {
      throw ApiException.badParameter(field, field + " must be a JSON number");
    }
    return value.decimalValue();
  }

  private static Integer integerOf(JsonNode body, String field) throws ApiException {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isIntegralNumber() || !value.canConvertToInt()) {
      throw ApiException.badParameter(field, field + " must be a whole number");
    }
    return value.intValue();
  }

  private static Currency currency(JsonNode body) throws ApiException {
    String code = text(body, "currency");
    if (code == null) {
      return null;
    }
    return Money.currency(code)
        .orElseThrow(
            () -> ApiException.badParameter("currency", "currency must be an ISO 4217 code"));
  }

  private static Instant instant(JsonNode body, String field) throws ApiException {
    String text = text(body, field);
    try {
      return text == null ? null : Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw ApiException.badParameter(field, field + " must be an instant (ISO 8601, UTC)");
    }
  }
}
