package io.streamspace.billing.payments;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * A Stripe event whose signature was verified: its id, type, creation time at Stripe and the
 * object it is about ({@code data.object}: a PaymentIntent, a Charge...).
 */
public record StripeEvent(String id, String type, Instant created, JsonNode object) {

  /** A text member of the object (a path such as {@code metadata/invoice_id}), or null. */
  public String text(String path) {
    JsonNode node = object.at("/" + path);
    return node.isTextual() ? node.textValue() : null;
  }

  /** A whole-number member of the object, or null. */
  public Long number(String path) {
    JsonNode node = object.at("/" + path);
    return node.canConvertToExactIntegral() ? node.longValue() : null;
  }
}
