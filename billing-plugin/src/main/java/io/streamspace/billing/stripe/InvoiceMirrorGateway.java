package io.streamspace.billing.stripe;

import com.stripe.StripeClient;
import com.stripe.exception.IdempotencyException;
import com.stripe.exception.InvalidRequestException;
import com.stripe.exception.StripeException;
import com.stripe.model.Invoice;
import com.stripe.model.InvoiceItem;
import com.stripe.net.RequestOptions;
import com.stripe.param.InvoiceCreateParams;
import com.stripe.param.InvoiceFinalizeInvoiceParams;
import com.stripe.param.InvoiceItemCreateParams;
import com.stripe.param.InvoiceItemListParams;
import com.stripe.param.InvoiceSearchParams;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Comparator;
import java.util.Currency;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The Stripe calls that mirror one of our finalized invoices as a Stripe Invoice (Stripe Billing
 * collects it): create the invoice for the organization's customer ({@code charge_automatically},
 * {@code auto_advance}, {@code pending_invoice_items_behavior=exclude}, metadata {@code
 * account_id}, {@code invoice_id}, {@code invoice_number}), one invoice item per line to mirror
 * (metadata {@code invoice_id}, {@code line}; our credit lines, negative, are items too), then
 * check that Stripe's total is ours to the minor unit and finalize it. Every call carries the key
 * {@code mirror-<invoice id>-<step>} ({@code invoice}, {@code line-<n>}, {@code finalize}), so
 * a crash and a retry never create anything twice. Stripe forgets a key after 24 hours: a try
 * {@link StripeCustomers#IDEMPOTENCY_WINDOW} or more after the first looks the invoice up by its
 * metadata first, and adds only the items it lacks. No connection is held here.
 */
public final class InvoiceMirrorGateway {

  /** One item to put on the Stripe invoice: our line's number, description and amount. */
  public record Item(int line, String description, BigDecimal amount) {}

  /**
   * The invoice to mirror, as it is now: ours, its total, whose customer, the
   * items to send and when its first try was sent (null before the first).
   */
  public record Mirror(
      long invoiceId,
      String invoiceNumber,
      String orgId,
      Currency currency,
      BigDecimal total,
      String customer,
      List<Item> items,
      Instant firstSentAt) {

    String key(String step) {
      return "mirror-%d-%s".formatted(invoiceId, step);
    }
  }

  /**
   * How a try ended: {@code sent} (Stripe holds the finalized invoice), {@code failed} (Stripe
   * refused it, or its total is not ours: not finalized, for an admin to look at) or {@code
   * pending} again when {@code deferred} (Stripe unreachable); the Stripe invoice, once made.
   */
  public record Outcome(String state, String stripeInvoiceId, String error, boolean deferred) {

    static Outcome sent(String stripeInvoiceId) {
      return new Outcome("sent", stripeInvoiceId, null, false);
    }

    public static Outcome failed(String stripeInvoiceId, String error) {
      return new Outcome("failed", stripeInvoiceId, error, false);
    }

    public static Outcome deferred(String error) {
      return new Outcome("pending", null, error, true);
    }
  }

  private final StripeClients clients;

  public InvoiceMirrorGateway(StripeClients clients) {
    this.clients = clients;
  }

  /**
   * The account's Stripe customer through the job's client, created when it has none yet ({@link
   * StripeCustomers}), for {@link #send}; empty while the host holds no secret key.
   */
  public Optional<String> customerOf(StripeCustomers customers, String orgId)
      throws SQLException, StripeFailure {
    Optional<StripeClient> client = clients.client();
    if (client.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(StripeFailure.calling(() -> customers.customerOf(orgId, client.get())));
  }

  /** Sends the mirror through the job's client; never throws for what Stripe answers. */
  public Outcome send(Mirror mirror, Instant now) {
    Optional<StripeClient> client = clients.client();
    if (client.isEmpty()) {
      return Outcome.deferred("no STRIPE_SECRET_KEY");
    }
    StripeClient stripe = client.get();
    String made = null;
    try {
      boolean forgotten =
          mirror.firstSentAt() != null
              && !now.isBefore(mirror.firstSentAt().plus(StripeCustomers.IDEMPOTENCY_WINDOW));
      Optional<Invoice> earlier = forgotten ? sentEarlier(stripe, mirror) : Optional.empty();
      Invoice invoice = earlier.isPresent() ? earlier.get() : create(stripe, mirror);
      made = invoice.getId();
      if (!"draft".equals(invoice.getStatus())) {
        return Outcome.sent(made); // finalized by an earlier try whose answer was lost
      }
      Set<String> present = earlier.isPresent() ? itemsOn(stripe, made) : Set.of();
      String currency = mirror.currency().getCurrencyCode().toLowerCase(Locale.ROOT);
      for (Item item : mirror.items()) {
        if (!present.contains(Integer.toString(item.line()))) {
          addItem(stripe, mirror, made, currency, item);
        }
      }
      long ours = StripeAmounts.toMinorUnits(mirror.total(), mirror.currency());
      Long theirs = stripe.v1().invoices().retrieve(made).getTotal();
      if (theirs == null || theirs != ours) {
        return Outcome.failed(
            made, "Stripe's total %s differs from ours %d: not finalized".formatted(theirs, ours));
      }
      stripe
          .v1()
          .invoices()
          .finalizeInvoice(
              made,
              InvoiceFinalizeInvoiceParams.builder().setAutoAdvance(true).build(),
              key(mirror, "finalize"));
      return Outcome.sent(made);
    } catch (InvalidRequestException e) {
      var error = e.getStripeError();
      return Outcome.failed(
          made, error == null ? e.getMessage() : error.getCode() + ": " + error.getMessage());
    } catch (ArithmeticException e) {
      return Outcome.failed(made, e.getMessage());
    } catch (IdempotencyException e) {
      // a request under the key reached Stripe before: tried again with the same keys, and once
      // Stripe has forgotten them, looked up by metadata
      return Outcome.deferred("idempotency_error: " + e.getMessage());
    } catch (StripeException e) {
      return Outcome.deferred(
          "Stripe unreachable: " + e.getClass().getSimpleName() + " " + e.getMessage());
    }
  }

  private static RequestOptions key(Mirror mirror, String step) {
    return RequestOptions.builder().setIdempotencyKey(mirror.key(step)).build();
  }

  private static Invoice create(StripeClient stripe, Mirror mirror) throws StripeException {
    InvoiceCreateParams params =
        InvoiceCreateParams.builder()
            .setCustomer(mirror.customer())
            .setCurrency(mirror.currency().getCurrencyCode().toLowerCase(Locale.ROOT))
            .setCollectionMethod(InvoiceCreateParams.CollectionMethod.CHARGE_AUTOMATICALLY)
            .setAutoAdvance(true)
            .setPendingInvoiceItemsBehavior(InvoiceCreateParams.PendingInvoiceItemsBehavior.EXCLUDE)
            .putMetadata("account_id", mirror.orgId())
            .putMetadata("invoice_id", Long.toString(mirror.invoiceId()))
            .putMetadata("invoice_number", mirror.invoiceNumber())
            .build();
    return stripe.v1().invoices().create(params, key(mirror, "invoice"));
  }

  /** One item of the invoice, for our line {@code item.line()}. */
  private static void addItem(
      StripeClient stripe, Mirror mirror, String invoice, String currency, Item item)
      throws StripeException {
    String line = Integer.toString(item.line());
    InvoiceItemCreateParams params =
        InvoiceItemCreateParams.builder()
            .setCustomer(mirror.customer())
            .setInvoice(invoice)
            .setCurrency(currency)
            .setAmount(StripeAmounts.toMinorUnits(item.amount(), mirror.currency()))
            .setDescription(item.description())
            .putMetadata("invoice_id", Long.toString(mirror.invoiceId()))
            .putMetadata("line", line)
            .build();
    stripe.v1().invoiceItems().create(params, key(mirror, "line-" + line));
  }

  /** The Stripe invoice an earlier try made, by its metadata (the oldest of several). */
  private static Optional<Invoice> sentEarlier(StripeClient stripe, Mirror mirror)
      throws StripeException {
    String query = "metadata['invoice_id']:'%d'".formatted(mirror.invoiceId());
    return stripe
        .v1()
        .invoices()
        .search(InvoiceSearchParams.builder().setQuery(query).build())
        .getData()
        .stream()
        .filter(i -> mirror.orgId().equals(i.getMetadata().get("account_id")))
        .min(
            Comparator.comparing(
                    Invoice::getCreated, Comparator.nullsLast(Comparator.<Long>naturalOrder()))
                .thenComparing(Invoice::getId));
  }

  /** The {@code line} metadata of the items an earlier try put on the invoice. */
  private static Set<String> itemsOn(StripeClient stripe, String invoice) throws StripeException {
    Set<String> lines = new HashSet<>();
    for (InvoiceItem item :
        stripe
            .v1()
            .invoiceItems()
            .list(InvoiceItemListParams.builder().setInvoice(invoice).setLimit(100L).build())
            .autoPagingIterable()) {
      if (item.getMetadata() != null && item.getMetadata().get("line") != null) {
        lines.add(item.getMetadata().get("line"));
      }
    }
    return lines;
  }
}
