package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.bool;
import static io.streamspace.billing.http.Schema.object;
import static io.streamspace.billing.http.Schema.string;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.payments.webhook.StripePayments;
import io.streamspace.billing.stripe.StripeWebhook;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.text.SafeText;
import io.streamspace.plugin.api.config.PluginConfig;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpStatus;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /webhook}: Stripe's events, without a bearer token. The {@code Stripe-Signature}
 * header is checked over the raw body with the webhook secret by the Stripe gateway ({@link
 * StripeWebhook}: read strictly, its timestamp within {@link StripeWebhook#TOLERANCE_SECONDS} of
 * the plugin's clock either way, verified by stripe-java), which hands the event to {@link
 * StripePayments} as a plain record; a missing, malformed, wrong, stale or future-dated signature
 * is 400 {@code invalid_signature} and nothing is read further. An event whose {@code livemode}
 * is not the mode of {@code STRIPE_SECRET_KEY} (live {@code sk_live_}/{@code rk_live_}, test
 * {@code sk_test_}/{@code rk_test_}) is logged and ignored. While {@code stripeEnabled} is false
 * nothing listens: 404.
 */
public final class StripeWebhookRoutes {

  /** The secret's name, as {@link PluginConfig#secret} knows it. */
  public static final String WEBHOOK_SECRET = "STRIPE_WEBHOOK_SECRET";

  /** The secret key's name: its mode ({@code sk_live_} or {@code sk_test_}) is the events'. */
  static final String SECRET_KEY = "STRIPE_SECRET_KEY";

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
    StripeWebhook.Received received = verified(payload, request.header("Stripe-Signature"), secret);
    if (ofTheKeysMode(received)) {
      payments.apply(received.event());
    }
    return Map.of("received", true);
  }

  /**
   * The event the body holds ({@link StripeWebhook}), failing closed: a header that is malformed,
   * dated more than the tolerance before or after the plugin's clock, or whose signature does not
   * match the body is 400 {@code invalid_signature}; a malformed one is logged in one line,
   * without the header (the caller's text) and without a stack trace. A signed body that is not
   * an event is 400 {@code invalid_event}.
   */
  private StripeWebhook.Received verified(String payload, Optional<String> header, String secret)
      throws ApiException {
    try {
      return StripeWebhook.verified(payload, header.orElse(""), secret, clock);
    } catch (StripeWebhook.InvalidSignature e) {
      if (e.malformed() != null) {
        log.info("a Stripe webhook was refused: its Stripe-Signature header {}", e.malformed());
      }
      throw invalidSignature();
    } catch (StripeWebhook.InvalidEvent e) {
      throw new ApiException(HttpStatus.BAD_REQUEST, "invalid_event", e.getMessage(), null);
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
  private boolean ofTheKeysMode(StripeWebhook.Received received) {
    Optional<Boolean> keyIsLive =
        secrets.get().secret(SECRET_KEY).flatMap(StripeWebhookRoutes::isLive);
    Boolean livemode = received.livemode();
    if (keyIsLive.isEmpty() || keyIsLive.get().equals(livemode)) {
      return true;
    }
    log.warn(
        "Stripe event {} ({}) has livemode {} but {} is a {} key: ignored",
        received.event().loggedId(),
        SafeText.forLog(received.event().type()),
        livemode != null ? livemode : "missing",
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
