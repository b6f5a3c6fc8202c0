package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.bool;
import static io.streamspace.billing.http.Schema.object;
import static io.streamspace.billing.http.Schema.string;

import com.fasterxml.jackson.databind.JsonNode;
import com.stripe.exception.SignatureVerificationException;
import com.stripe.net.Webhook;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.json.JsonMapper;
import io.streamspace.billing.payments.webhook.StripeEvent;
import io.streamspace.billing.payments.webhook.StripePayments;
import io.streamspace.billing.payments.webhook.StripeSignatureHeader;
import io.streamspace.common.http.ApiException;
import io.streamspace.plugin.api.config.PluginConfig;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpStatus;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /webhook}: Stripe's events, without a bearer token. The {@code Stripe-Signature}
 * header is checked over the raw body by stripe-java ({@link Webhook.Signature#verifyHeader}),
 * with the webhook secret, after {@link StripeSignatureHeader} has read it strictly and found its
 * timestamp within {@link #TOLERANCE_SECONDS} of the plugin's clock either way; a missing,
 * malformed, wrong, stale or future-dated signature is 400 {@code invalid_signature} and nothing
 * is read further. An event whose {@code livemode} is not the mode of {@code STRIPE_SECRET_KEY}
 * (live {@code sk_live_}/{@code rk_live_}, test {@code sk_test_}/{@code rk_test_}) is logged
 * and ignored. While {@code stripeEnabled} is false nothing listens: 404.
 */
public final class StripeWebhookRoutes {

  /** The secret's name, as {@link PluginConfig#secret} knows it. */
  public static final String WEBHOOK_SECRET = "STRIPE_WEBHOOK_SECRET";

  /** The secret key's name: its mode ({@code sk_live_} or {@code sk_test_}) is the events'. */
  static final String SECRET_KEY = "STRIPE_SECRET_KEY";

  /** How far a signature's timestamp may be from now, either way: Stripe's default, 5 minutes. */
  static final long TOLERANCE_SECONDS = 300;

  private static final Logger log = LoggerFactory.getLogger(StripeWebhookRoutes.class);

  private final StripePayments payments;
  private final Supplier<PluginConfig> secrets;
  private final Supplier<BillingConfig> config;
  private final Clock clock;

  public StripeWebhookRoutes(
      StripePayments payments,
      Supplier<PluginConfig> secrets,
      Supplier<BillingConfig> config,
      Clock clock) {
    this.payments = payments;
    this.secrets = secrets;
    this.config = config;
    this.clock = clock;
  }

  public void register(DescribedRoutes routes) {
    routes.add(RECEIVE, JsonRoute.open(this::receive));
  }

  /**
   * 200 {@code {"received": true}} once applied (or for a replay, a type not acted on, or an
   * event of the other mode than the secret key's, which is logged and ignored); 400
   * {@code invalid_signature}; 400 {@code invalid_event} for a signed body that is not an
   * event; 404 while Stripe is not enabled; 503 {@code webhook_secret_missing} when enabled
   * without a webhook secret (Stripe retries later).
   */
  Map<String, Boolean> receive(HttpRequest request) throws Exception {
    if (!config.get().stripeEnabled()) {
      throw ApiException.notFound("Stripe is not enabled");
    }
    String secret = secrets.get().secret(WEBHOOK_SECRET).orElse(null);
    if (secret == null) {
      log.error("a Stripe event arrived but {} is not set: refused", WEBHOOK_SECRET);
      throw new ApiException(
          HttpStatus.SERVICE_UNAVAILABLE,
          "webhook_secret_missing",
          "the Stripe webhook secret is not configured",
          null);
    }
    // the bytes as sent: Stripe signed them, and stripe-java hashes the text's UTF-8
    String payload = new String(request.body(), StandardCharsets.UTF_8);
    verifySignature(payload, request.header("Stripe-Signature").orElse(""), secret);
    JsonNode json = eventJson(payload);
    StripeEvent event = event(json);
    if (ofTheKeysMode(json, event)) {
      payments.apply(event);
    }
    return Map.of("received", true);
  }

  /**
   * Fails closed: a header that is malformed ({@link StripeSignatureHeader}), dated more than the
   * tolerance before or after the plugin's clock, or whose signature does not match the body is
   * 400 {@code invalid_signature}. A malformed one is logged in one line, without the header
   * (the caller's text) and without a stack trace.
   */
  private void verifySignature(String payload, String header, String secret) throws ApiException {
    StripeSignatureHeader signature;
    try {
      signature = StripeSignatureHeader.parse(header);
    } catch (StripeSignatureHeader.Malformed e) {
      log.info("a Stripe webhook was refused: its Stripe-Signature header {}", e.getMessage());
      throw invalidSignature();
    }
    if (!signature.within(clock.instant(), TOLERANCE_SECONDS)) {
      throw invalidSignature();
    }
    try {
      Webhook.Signature.verifyHeader(payload, header, secret, TOLERANCE_SECONDS, clock);
    } catch (SignatureVerificationException e) {
      throw invalidSignature();
    }
  }

  private static ApiException invalidSignature() {
    return new ApiException(
        HttpStatus.BAD_REQUEST,
        "invalid_signature",
        "the Stripe-Signature header is missing, malformed, outside the tolerance or does not"
            + " match the body",
        null);
  }

  /**
   * Whether the event's {@code livemode} is the secret key's mode. An event of the other mode (a
   * test event sent to a live setup, or the reverse; or one without {@code livemode}) is logged
   * and ignored; with a key of neither kind, or none, nothing is checked.
   */
  private boolean ofTheKeysMode(JsonNode json, StripeEvent event) {
    Optional<Boolean> keyIsLive =
        secrets.get().secret(SECRET_KEY).flatMap(StripeWebhookRoutes::isLive);
    JsonNode livemode = json.path("livemode");
    if (keyIsLive.isEmpty() || livemode.isBoolean() && livemode.booleanValue() == keyIsLive.get()) {
      return true;
    }
    log.warn(
        "Stripe event {} ({}) has livemode {} but {} is a {} key: ignored",
        event.id(),
        event.type(),
        livemode.isBoolean() ? livemode.booleanValue() : "missing",
        SECRET_KEY,
        keyIsLive.get() ? "live" : "test");
    return false;
  }

  /**
   * Whether a secret key is live ({@code sk_live_}, {@code rk_live_}) or test ({@code
   * sk_test_}, {@code rk_test_}); empty for any other.
   */
  private static Optional<Boolean> isLive(String secretKey) {
    if (secretKey.startsWith("sk_live_") || secretKey.startsWith("rk_live_")) {
      return Optional.of(true);
    }
    if (secretKey.startsWith("sk_test_") || secretKey.startsWith("rk_test_")) {
      return Optional.of(false);
    }
    return Optional.empty();
  }

  /** The signed body as an event: 400 {@code invalid_event} when it is not one. */
  private static JsonNode eventJson(String payload) throws ApiException {
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
      throw new ApiException(
          HttpStatus.BAD_REQUEST,
          "invalid_event",
          "a Stripe event has an id, a type, a created time and data.object",
          null);
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

  // the descriptions of these routes

  static final Operation RECEIVE =
      Operation.post("/webhook")
          .open()
          .summary("A Stripe event, verified by its signature")
          .description(
              """
              Who: none. Authenticated by Stripe's signature, not a bearer token.

              A Stripe event, verified and applied once → 200 `{"received":true}` (a replay or an \
              unknown type too); 400 `invalid_signature` for a missing, malformed, wrong, stale or \
              future-dated (over 300 s) `Stripe-Signature` or a changed body, nothing changed; 400 \
              `invalid_event` for a signed body that is not an event; 404 while `stripeEnabled` is \
              false; 503 `webhook_secret_missing` when enabled without `STRIPE_WEBHOOK_SECRET`.""")
          .params(Param.header("Stripe-Signature", string()).required())
          .body(StripeWebhookRoutesSchemas.STRIPE_EVENT)
          .answers(
              200,
              Response.of("received (a replay or an unknown type too)")
                  .json(object().req("received", bool())))
          .answers(400, Response.refusal("invalid_signature or invalid_event"))
          .answers(404, Response.refusal("not_found while stripeEnabled is false"))
          .answers(503, Response.refusal("webhook_secret_missing"));
}
