package io.streamspace.billing.stripe;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.common.text.SafeText;
import java.time.Instant;

/**
 * A Stripe event whose signature was verified: its id, type, creation time at Stripe, the object
 * it is about ({@code data.object}: a PaymentIntent, a Charge...) and, for a {@code *.updated}
 * event, the members it changed with their values before ({@code data.previous_attributes}; a
 * missing node for other events).
 */
public record StripeEvent(
    String id, String type, Instant created, JsonNode object, JsonNode previousAttributes) {

  /** A text member of the object (a path such as {@code metadata/invoice_id}), or null. */
  public String text(String path) {
    JsonNode node = object.at("/" + path);
    return node.isTextual() ? node.textValue() : null;
  }

  /**
   * A text member of the object as a log line shows it ({@link SafeText#forLog}): signed by
   * Stripe, but text all the same, which must not break or turn the line around.
   */
  public String logged(String path) {
    return SafeText.forLog(text(path));
  }

  /** The event's id as a log line shows it ({@link SafeText#forLog}). */
  public String loggedId() {
    return SafeText.forLog(id);
  }

  /** A whole-number member of the object, or null. */
  public Long number(String path) {
    JsonNode node = object.at("/" + path);
    return node.canConvertToExactIntegral() ? node.longValue() : null;
  }

  /**
   * Whether this event changed that member of the object (a path such as {@code
   * invoice_settings/default_payment_method}): {@code previous_attributes} names it, even with
   * its value before null.
   */
  public boolean changed(String path) {
    return !previousAttributes.at("/" + path).isMissingNode();
  }
}
