package io.streamspace.billing.stripe;

import com.stripe.StripeClient;
import com.stripe.exception.CardException;
import com.stripe.exception.IdempotencyException;
import com.stripe.exception.InvalidRequestException;
import com.stripe.exception.StripeException;
import com.stripe.model.PaymentIntent;
import com.stripe.model.StripeError;
import com.stripe.net.RequestOptions;
import com.stripe.param.PaymentIntentCreateParams;
import com.stripe.param.PaymentIntentSearchParams;
import io.streamspace.common.text.SafeText;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Stripe calls of off-session charges: an invoice's collection attempt, or an auto top-up of
 * a prepaid balance. One try of an attempt charges a PaymentIntent (off session, confirmed, the
 * attempt's idempotency key: {@code invoice-<id>-attempt-<n>}, {@code top-up-<id>}) to the default
 * payment method the webhook keeps for the customer, or else Stripe's {@code
 * invoice_settings.default_payment_method}; the method and amount chosen at the first try are
 * kept by the caller ({@link FirstChoice}) and every later try sends exactly those. Stripe
 * answers a repeated key with the first PaymentIntent, so none is created twice; Stripe forgets
 * a key after 24 hours, so a try {@link StripeCustomers#IDEMPOTENCY_WINDOW} or more after the
 * first was sent first searches Stripe for the attempt's PaymentIntent (by its metadata), sending
 * only when there is none; and a key Stripe refuses as used before ({@code idempotency_error})
 * is settled by the PaymentIntent made under it, never failed into a next attempt. Whatever
 * Stripe answers becomes a {@link ChargeOutcome}: no connection is held here.
 */
public final class CollectionGateway {

  /**
   * What an attempt pays for: its idempotency key, the metadata its PaymentIntent carries beside
   * {@code account_id} (by which a try finds the PaymentIntent an earlier one made), and how the
   * log names it.
   */
  public record Purpose(String idempotencyKey, Map<String, String> metadata, String label) {

    public Purpose {
      metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /** Attempt {@code attempt} to collect an invoice. */
    public static Purpose invoice(long invoiceId, int attempt) {
      Map<String, String> metadata = new LinkedHashMap<>();
      metadata.put("invoice_id", Long.toString(invoiceId));
      metadata.put("attempt", Integer.toString(attempt));
      return new Purpose(
          "invoice-%d-attempt-%d".formatted(invoiceId, attempt),
          metadata,
          "invoice %d (attempt %d)".formatted(invoiceId, attempt));
    }

    /** An auto top-up's attempt, by its row's id ({@code billing_top_up_charges}). */
    public static Purpose topUp(long topUpId, int attempt) {
      Map<String, String> metadata = new LinkedHashMap<>();
      metadata.put("top_up_id", Long.toString(topUpId));
      metadata.put("attempt", Integer.toString(attempt));
      return new Purpose(
          "top-up-" + topUpId, metadata, "top-up %d (attempt %d)".formatted(topUpId, attempt));
    }

    /** Stripe's search for the PaymentIntents of this attempt: its metadata, all of it. */
    String search() {
      List<String> terms = new ArrayList<>();
      metadata.forEach((key, value) -> terms.add("metadata['%s']:'%s'".formatted(key, value)));
      return String.join(" AND ", terms);
    }
  }

  /**
   * One try of an attempt: what it pays for, the amount it charges ({@code total} in its
   * currency) and whom; what its first try chose and when that was sent (null before the first).
   *
   * @param customerDefault the default payment method the webhook keeps, null for none
   */
  public record Charge(
      Purpose purpose,
      String orgId,
      BigDecimal total,
      Currency currency,
      String customer,
      String customerDefault,
      String chosenMethod,
      Long chosenAmount,
      Instant firstSentAt) {

    String idempotencyKey() {
      return purpose.idempotencyKey();
    }
  }

  /** Where the first try's choice is kept, before it is sent. */
  @FunctionalInterface
  public interface FirstChoice {

    /** Keeps the method and amount for every later try; false if the attempt is not ours. */
    boolean keep(String method, long amount) throws SQLException;
  }

  private static final Logger log = LoggerFactory.getLogger(CollectionGateway.class);

  private final StripeClients clients;

  public CollectionGateway(StripeClients clients) {
    this.clients = clients;
  }

  /**
   * Charges the try through the collection queue's client; never throws for what Stripe answers.
   * A decline (or a charge Stripe refuses) fails the attempt; Stripe unreachable after
   * stripe-java's retries, or no secret key, defers it.
   */
  public ChargeOutcome charge(Charge charge, FirstChoice choice, Instant now) throws SQLException {
    Optional<StripeClient> stripe = clients.client();
    if (stripe.isEmpty()) {
      return ChargeOutcome.deferred("no STRIPE_SECRET_KEY");
    }
    if (charge.customer() == null) {
      return ChargeOutcome.noPaymentMethod("no Stripe customer");
    }
    try {
      String method = charge.chosenMethod();
      Long amount = charge.chosenAmount();
      if (method == null) {
        method = defaultMethod(stripe.get(), charge);
        if (method == null) {
          return ChargeOutcome.noPaymentMethod("no default payment method");
        }
        amount = StripeAmounts.toMinorUnits(charge.total(), charge.currency());
        if (!choice.keep(method, amount)) {
          return ChargeOutcome.deferred("claimed by another run"); // settles nothing: not ours
        }
      }
      Optional<PaymentIntent> earlier =
          keyForgotten(charge, now) ? sentEarlier(stripe.get(), charge) : Optional.empty();
      return outcomeOf(
          earlier.isPresent() ? earlier.get() : create(stripe.get(), charge, method, amount));
    } catch (CardException | InvalidRequestException e) {
      // a decline (or a charge Stripe refuses): this attempt is over, the next is queued
      StripeError error = e.getStripeError();
      PaymentIntent intent = error == null ? null : error.getPaymentIntent();
      String why = error == null ? e.getMessage() : error.getCode() + ": " + error.getMessage();
      return ChargeOutcome.declined(why, intent == null ? null : intent.getId(), failure(e, error));
    } catch (IdempotencyException e) {
      return afterIdempotencyError(stripe.get(), charge, e);
    } catch (ArithmeticException e) {
      // a total finer than the currency's minor unit: never sent, and never blocking the queue
      return ChargeOutcome.declined(
          "total is not a whole number of minor units",
          null,
          new ChargeOutcome.Failure("amount_not_chargeable", null));
    } catch (StripeException e) {
      // unreachable, 5xx, rate-limited or refused key after the retries: Stripe may yet answer
      return ChargeOutcome.deferred(e.getMessage());
    }
  }

  /** The attempt's end as the PaymentIntent's status says. */
  private static ChargeOutcome outcomeOf(PaymentIntent intent) {
    return switch (intent.getStatus()) {
      case "succeeded", "processing" -> ChargeOutcome.answered("sent", null, intent, null);
      case "requires_payment_method" ->
          ChargeOutcome.answered("failed", declined(intent), intent, lastFailure(intent));
      default ->
          ChargeOutcome.answered(
              "failed",
              "PaymentIntent " + intent.getStatus(),
              intent,
              new ChargeOutcome.Failure(intent.getStatus(), null));
    };
  }

  /**
   * Stripe refused the key as used before ({@code idempotency_error}): a request under it reached
   * Stripe, and may have made a PaymentIntent that succeeded though its answer was lost. So the
   * attempt is never failed on this (its next attempt would charge the invoice a second time):
   * it is settled by the PaymentIntent Stripe holds for it, found by the attempt's metadata
   * (the oldest, as after a forgotten key), whatever its status. None found yet (Stripe's search
   * lags its writes by up to a minute) or the search failing defers the attempt: its next try
   * sends the same key and searches again, and once Stripe has forgotten the key (24 hours) a try
   * with still none found sends it afresh.
   */
  private static ChargeOutcome afterIdempotencyError(
      StripeClient stripe, Charge charge, IdempotencyException refusal) {
    log.warn(
        "charging {}: Stripe refused the key {} as used before ({});"
            + " settling by the PaymentIntent Stripe made under it",
        charge.purpose().label(),
        charge.idempotencyKey(),
        SafeText.forLog(refusal.getMessage()));
    try {
      Optional<PaymentIntent> made = sentEarlier(stripe, charge);
      if (made.isPresent()) {
        return outcomeOf(made.get());
      }
      return ChargeOutcome.deferred(
          "idempotency_error, and no PaymentIntent of the attempt found at Stripe yet: "
              + refusal.getMessage());
    } catch (StripeException e) {
      return ChargeOutcome.deferred(
          "idempotency_error, and Stripe's search failed: " + e.getMessage());
    }
  }

  /** The default payment method the webhook keeps for the customer, else Stripe's. */
  private static String defaultMethod(StripeClient stripe, Charge charge) throws StripeException {
    if (charge.customerDefault() != null) {
      return charge.customerDefault();
    }
    var settings = stripe.v1().customers().retrieve(charge.customer()).getInvoiceSettings();
    return settings == null ? null : settings.getDefaultPaymentMethod();
  }

  /**
   * Whether Stripe may have forgotten the attempt's key: it keeps one 24 hours, and this try is
   * {@link StripeCustomers#IDEMPOTENCY_WINDOW} or more after the first was sent.
   */
  private static boolean keyForgotten(Charge charge, Instant now) {
    return charge.firstSentAt() != null
        && !now.isBefore(charge.firstSentAt().plus(StripeCustomers.IDEMPOTENCY_WINDOW));
  }

  /**
   * The PaymentIntent an earlier try of the attempt created, found by the metadata it was sent
   * with (Stripe's search): the oldest, if there are several. Also after an {@code
   * idempotency_error}.
   */
  private static Optional<PaymentIntent> sentEarlier(StripeClient stripe, Charge charge)
      throws StripeException {
    String query = charge.purpose().search();
    Optional<PaymentIntent> found =
        stripe
            .v1()
            .paymentIntents()
            .search(PaymentIntentSearchParams.builder().setQuery(query).build())
            .getData()
            .stream()
            .min(
                Comparator.comparing(
                        PaymentIntent::getCreated,
                        Comparator.nullsLast(Comparator.<Long>naturalOrder()))
                    .thenComparing(PaymentIntent::getId));
    found.ifPresent(
        intent ->
            log.info(
                "charging {}: found {}, {}, made by an earlier try",
                charge.purpose().label(),
                SafeText.forLog(intent.getId()),
                SafeText.forLog(intent.getStatus())));
    return found;
  }

  private static PaymentIntent create(
      StripeClient stripe, Charge charge, String method, long amount) throws StripeException {
    PaymentIntentCreateParams params =
        PaymentIntentCreateParams.builder()
            .setAmount(amount)
            .setCurrency(charge.currency().getCurrencyCode().toLowerCase(Locale.ROOT))
            .setCustomer(charge.customer())
            .setPaymentMethod(method)
            .setOffSession(true)
            .setConfirm(true)
            .putMetadata("account_id", charge.orgId())
            .putAllMetadata(charge.purpose().metadata())
            .build();
    return stripe
        .v1()
        .paymentIntents()
        .create(
            params, RequestOptions.builder().setIdempotencyKey(charge.idempotencyKey()).build());
  }

  /**
   * What a decline says that may be shown to the organization: the card's decline code (else
   * Stripe's error code) and, for a card's decline only, Stripe's message, which is written for
   * the cardholder; any other refusal's message may name what was sent, so it stays in the log.
   */
  private static ChargeOutcome.Failure failure(StripeException e, StripeError error) {
    if (error == null) {
      return new ChargeOutcome.Failure("charge_refused", null);
    }
    String code = error.getDeclineCode() != null ? error.getDeclineCode() : error.getCode();
    return new ChargeOutcome.Failure(
        code == null ? "charge_refused" : code,
        e instanceof CardException ? error.getMessage() : null);
  }

  private static String declined(PaymentIntent intent) {
    var error = intent.getLastPaymentError();
    return error == null || error.getMessage() == null ? "payment declined" : error.getMessage();
  }

  /** A PaymentIntent's decline as {@link #failure} tells one: its last error, a card's. */
  private static ChargeOutcome.Failure lastFailure(PaymentIntent intent) {
    var error = intent.getLastPaymentError();
    if (error == null) {
      return new ChargeOutcome.Failure("payment_declined", null);
    }
    String code = error.getDeclineCode() != null ? error.getDeclineCode() : error.getCode();
    return new ChargeOutcome.Failure(
        code == null ? "payment_declined" : code,
        "card_error".equals(error.getType()) ? error.getMessage() : null);
  }
}
