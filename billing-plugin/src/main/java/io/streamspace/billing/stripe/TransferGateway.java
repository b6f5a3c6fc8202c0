package io.streamspace.billing.stripe;

import com.stripe.StripeClient;
import com.stripe.exception.IdempotencyException;
import com.stripe.exception.StripeException;
import com.stripe.model.Transfer;
import com.stripe.net.RequestOptions;
import com.stripe.param.TransferCreateParams;
import com.stripe.param.TransferListParams;
import java.math.BigDecimal;
import java.time.YearMonth;
import java.util.Comparator;
import java.util.Currency;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The Stripe calls of a payout: a Connect transfer of its amount (in Stripe's minor unit of the
 * currency) to the creator's connected account, in the transfer group {@code creator-payout-<id>}
 * with the creator, period and payout in its metadata, under the payout's idempotency key. Stripe
 * answers a repeated key with the first transfer, but forgets a key after 24 hours, so a payout
 * tried before first lists its transfer group and is settled by a transfer found there instead of
 * sending again: a payout is never transferred twice, however late the retry. Whatever Stripe
 * answers becomes a {@link TransferOutcome}; no connection is held here.
 */
public final class TransferGateway {

  /**
   * A creator's payout claimed for one try: what its transfer needs (its id names the transfer
   * group), and its tries, this one included (an earlier try's transfer is looked for from the
   * second on). The store's payouts claim it ({@code store.payout.PayoutRows}) and this sends it.
   */
  public record Payout(
      long id,
      String creatorId,
      YearMonth period,
      Currency currency,
      BigDecimal amount,
      int attempts,
      String key,
      String stripeAccount) {}

  /** Stripe answered these: it refused the request, and made no transfer under its key. */
  private static final Set<Integer> REFUSALS = Set.of(400, 401, 402, 403, 404);

  private static final int MAX_ERROR = 300;

  private final StripeClients clients;

  public TransferGateway(StripeClients clients) {
    this.clients = clients;
  }

  /** Whether a secret key is set: without one nothing can be sent. */
  public boolean available() {
    return clients.client().isPresent();
  }

  /** Sends the claimed payout's transfer, or finds the one an earlier try made. */
  public TransferOutcome send(Payout payout) {
    Optional<StripeClient> stripe = clients.client();
    if (stripe.isEmpty()) {
      return TransferOutcome.unknown("no STRIPE_SECRET_KEY");
    }
    long amount;
    try {
      amount = StripeAmounts.toMinorUnits(payout.amount(), payout.currency());
    } catch (ArithmeticException e) {
      return TransferOutcome.givenUp(e.getMessage());
    }
    try {
      if (payout.attempts() > 1) {
        Optional<Transfer> earlier = madeEarlier(stripe.get(), payout);
        if (earlier.isPresent()) {
          return TransferOutcome.paid(earlier.get().getId());
        }
      }
      return TransferOutcome.paid(create(stripe.get(), payout, amount).getId());
    } catch (StripeException e) {
      String why = shortly(e);
      Integer status = e.getStatusCode();
      // a key used before with other parameters (the account changed): an earlier try may have
      // made a transfer under it, so the next try keeps the key and looks for it first
      return status != null && REFUSALS.contains(status) && !(e instanceof IdempotencyException)
          ? TransferOutcome.refused(why)
          : TransferOutcome.unknown(why);
    }
  }

  private static Transfer create(StripeClient stripe, Payout payout, long amount)
      throws StripeException {
    TransferCreateParams params =
        TransferCreateParams.builder()
            .setAmount(amount)
            .setCurrency(payout.currency().getCurrencyCode().toLowerCase(Locale.ROOT))
            .setDestination(payout.stripeAccount())
            .setTransferGroup(transferGroup(payout.id()))
            .setDescription("payout of " + payout.period() + " to " + payout.creatorId())
            .putMetadata("creator_id", payout.creatorId())
            .putMetadata("period", payout.period().toString())
            .putMetadata("payout_id", Long.toString(payout.id()))
            .build();
    return stripe
        .v1()
        .transfers()
        .create(params, RequestOptions.builder().setIdempotencyKey(payout.key()).build());
  }

  /** The transfer an earlier try of the payout made, if Stripe holds one (the oldest). */
  private static Optional<Transfer> madeEarlier(StripeClient stripe, Payout payout)
      throws StripeException {
    // by the group alone: an earlier try may have paid an account the creator has replaced since
    TransferListParams params =
        TransferListParams.builder().setTransferGroup(transferGroup(payout.id())).build();
    return stripe.v1().transfers().list(params).getData().stream()
        .min(
            Comparator.comparing(
                    Transfer::getCreated, Comparator.nullsLast(Comparator.<Long>naturalOrder()))
                .thenComparing(Transfer::getId));
  }

  public static String transferGroup(long payoutId) {
    return "creator-payout-" + payoutId;
  }

  /** Stripe's code and message, short: what an admin needs, never the key or the request. */
  private static String shortly(StripeException e) {
    String code = e.getCode();
    String message = e.getStripeError() != null ? e.getStripeError().getMessage() : null;
    String why =
        (e.getStatusCode() == null ? "Stripe unreachable" : "Stripe " + e.getStatusCode())
            + (code == null ? "" : " " + code)
            + (message == null ? "" : ": " + message);
    return why.length() <= MAX_ERROR ? why : why.substring(0, MAX_ERROR);
  }
}
