package io.streamspace.billing.stripe;

import com.fasterxml.jackson.databind.JsonNode;
import com.stripe.exception.SignatureVerificationException;
import com.stripe.net.Webhook;
import io.streamspace.billing.json.JsonMapper;
import java.time.Clock;
import java.time.Instant;

/**
 * A webhook's body read as Stripe signed it: the {@code Stripe-Signature} header read strictly
 * ({@link StripeSignatureHeader}), its timestamp within {@link #TOLERANCE_SECONDS} of the
 * plugin's clock either way, its signature checked over the raw body by stripe-java ({@link
 * Webhook.Signature#verifyHeader}) with the webhook secret, and only then the body read into a
 * plain {@link StripeEvent}, which is all the webhook's handlers see. Fails closed: anything it
 * cannot verify is an {@link InvalidSignature}, a signed body that is no event an {@link
 * InvalidEvent}.
 */
public final class StripeWebhook {

  /** How far a signature's timestamp may be from now, either way: Stripe's default, 5 minutes. */
  public static final long TOLERANCE_SECONDS = 300;

  /**
   * A verified event, with its {@code livemode} (null when the body has no boolean one), which
   * the receiver holds to its secret key's mode.
   */
  public record Received(StripeEvent event, Boolean livemode) {}

  /**
   * The signature is missing, malformed, wrong, stale or dated in the future; {@link #malformed}
   * says why a malformed header is, in words for the log (never the header itself).
   */
  public static final class InvalidSignature extends Exception {
    private final String malformed;

    private InvalidSignature(String malformed) {
      super(malformed == null ? "invalid signature" : malformed, null, false, false);
      this.malformed = malformed;
    }

    /** Why the header could not be read, or null when it was read but did not verify. */
    public String malformed() {
      return malformed;
    }
  }

  /** A signed body that is not an event: no id, type, created time or data.object. */
  public static final class InvalidEvent extends Exception {
    private InvalidEvent() {
      super("a Stripe event has an id, a type, a created time and data.object", null, false, false);
    }
  }

  private StripeWebhook() {}

  /** The event the body holds, once its signature is verified with {@code secret}. */
  public static Received verified(String payload, String header, String secret, Clock clock)
      throws InvalidSignature, InvalidEvent {
    verifySignature(payload, header, secret, clock);
    JsonNode json = eventJson(payload);
    JsonNode livemode = json.path("livemode");
    return new Received(event(json), livemode.isBoolean() ? livemode.booleanValue() : null);
  }

  private static void verifySignature(String payload, String header, String secret, Clock clock)
      throws InvalidSignature {
    StripeSignatureHeader signature;
    try {
      signature = StripeSignatureHeader.parse(header);
    } catch (StripeSignatureHeader.Malformed e) {
      throw new InvalidSignature(e.getMessage());
    }
    if (!signature.within(clock.instant(), TOLERANCE_SECONDS)) {
      throw new InvalidSignature(null);
    }
    try {
      Webhook.Signature.verifyHeader(payload, header, secret, TOLERANCE_SECONDS, clock);
    } catch (SignatureVerificationException e) {
      throw new InvalidSignature(null);
    }
  }

  /** The signed body as an event's JSON. */
  private static JsonNode eventJson(String payload) throws InvalidEvent {
    JsonNode event;
    try {
      event = JsonMapper.MAPPER.readTree(payload);
    } catch (Exception e) {
      event = null;
    }
    if (event == null
        || !event.path("id").isTextual()
        || !event.path("type").isTextual()
        || !event.path("created").canConvertToExactIntegral()
        || !event.at("/data/object").isObject()) {
      throw new InvalidEvent();
    }
    return event;
  }

  /**
   * The members we read, by hand rather than stripe-java's typed {@code Event}: its objects
   * follow the API version pinned in the library, the account's may differ.
   */
  private static StripeEvent event(JsonNode event) {
    return new StripeEvent(
        event.get("id").textValue(),
        event.get("type").textValue(),
        Instant.ofEpochSecond(event.get("created").longValue()),
        event.at("/data/object"),
        event.at("/data/previous_attributes"));
  }
}
