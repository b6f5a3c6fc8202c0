package io.streamspace.billing.stripe;

import com.stripe.StripeClient;
import com.stripe.exception.InvalidRequestException;
import com.stripe.exception.StripeException;
import com.stripe.model.tax.Calculation;
import com.stripe.model.tax.CalculationLineItem;
import com.stripe.net.RequestOptions;
import com.stripe.param.tax.CalculationCreateParams;
import com.stripe.param.tax.CalculationCreateParams.CustomerDetails;
import com.stripe.param.tax.CalculationCreateParams.CustomerDetails.TaxabilityOverride;
import com.stripe.param.tax.CalculationCreateParams.LineItem;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.tax.TaxBehavior;
import io.streamspace.billing.tax.TaxCalculator;
import io.streamspace.billing.tax.TaxDetails;
import io.streamspace.billing.tax.TaxLine;
import io.streamspace.billing.tax.TaxQuote;
import io.streamspace.common.text.SafeText;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Currency;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stripe Tax's Calculations API ({@code POST /v1/tax/calculations}) as the {@link TaxCalculator}:
 * a line item per invoice line with an amount (its amount in Stripe's minor units, reference the
 * line's number, tax_behavior from config {@code taxBehavior}), the organization's address, tax
 * ids and exempt status kept from Checkout as {@code customer_details}, and {@code line_items}
 * expanded to read each line's tax breakdown. Its idempotency key is the draft and the hash of
 * its lines and of the customer details sent: the same request is one calculation, whatever
 * retries, and a corrected address is a new one.
 */
public final class StripeTax implements TaxCalculator {

  private static final Logger log = LoggerFactory.getLogger(StripeTax.class);

  private final StripeClients clients;

  public StripeTax(StripeClients clients) {
    this.clients = clients;
  }

  @Override
  public TaxQuote calculate(Request request) throws TaxFailure {
    Currency currency = request.currency();
    List<Item> taxed = request.items().stream().filter(i -> i.amount().signum() > 0).toList();
    if (taxed.isEmpty()) {
      // Stripe calculates no tax of nothing: no call
      return new TaxQuote(null, Money.zero(currency), List.of());
    }
    TaxDetails customer = request.customer();
    boolean kept = customer != null && customer.hasAddress();
    if (!kept && request.stripeCustomer() == null) {
      throw new TaxFailure(
          "organization %s has no billing address: it is collected at Checkout"
              .formatted(request.orgId()));
    }
    StripeClient stripe =
        clients.client().orElseThrow(() -> new TaxFailure("no Stripe secret key is set"));
    CalculationCreateParams.Builder params =
        CalculationCreateParams.builder()
            .setCurrency(currency.getCurrencyCode().toLowerCase(Locale.ROOT))
            .addExpand("line_items");
    if (kept) {
      params.setCustomerDetails(customerDetails(customer));
    } else {
      // none collected at Checkout: Stripe Tax reads the address its customer has (saved in the
      // Customer Portal, or before stripeTax), and refuses when it has none
      params.setCustomer(request.stripeCustomer());
    }
    LineItem.TaxBehavior behavior =
        request.behavior() == TaxBehavior.INCLUSIVE
            ? LineItem.TaxBehavior.INCLUSIVE
            : LineItem.TaxBehavior.EXCLUSIVE;
    for (Item item : taxed) {
      params.addLineItem(
          LineItem.builder()
              .setAmount(StripeAmounts.toMinorUnits(item.amount(), currency))
              .setReference(Integer.toString(item.lineNo()))
              .setTaxBehavior(behavior)
              .build());
    }
    Calculation calculation;
    try {
      calculation =
          stripe
              .v1()
              .tax()
              .calculations()
              .create(
                  params.build(),
                  RequestOptions.builder().setIdempotencyKey(idempotencyKey(request)).build());
    } catch (StripeException e) {
      throw new TaxFailure(reason(e), e);
    }
    return quote(calculation, request);
  }

  /**
   * Why, as the organization's owner and admins read it on their draft ({@code tax_failure}):
   * Stripe's words when it refused what we sent of the customer (an address it cannot place),
   * which the customer can fix; otherwise only what kind of failure it was. Stripe's message of
   * a refused key names the key's last characters and the account: it is logged, never shown.
   */
  private static String reason(StripeException e) {
    if (e instanceof InvalidRequestException && e.getStripeError() != null) {
      return "Stripe Tax refused the calculation: %s (%s)"
          .formatted(e.getStripeError().getMessage(), e.getStripeError().getCode());
    }
    log.warn(
        "Stripe Tax failed (request {}): {}",
        SafeText.forLog(e.getRequestId()),
        SafeText.forLog(e.getMessage()));
    return "Stripe Tax could not be reached or refused the platform's request (%s); the next run"
            .formatted(e.getClass().getSimpleName())
        + " tries again";
  }

  /**
   * {@code tax-<draft>-<hash>}, the hash over the lines' and the customer's details: Stripe keeps
   * a key's answer 24 hours, a refusal ({@code customer_tax_location_invalid}) included, and
   * refuses the key with other parameters; keyed by the lines alone, a draft whose organization
   * corrected its address at Checkout would keep failing for a day.
   */
  static String idempotencyKey(Request request) {
    String text = request.hash() + "|" + request.customer() + "|" + request.stripeCustomer();
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return "tax-%d-%s"
          .formatted(request.invoiceId(), HexFormat.of().formatHex(digest).substring(0, 32));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  private static TaxQuote quote(Calculation calculation, Request request) throws TaxFailure {
    Currency currency = request.currency();
    long tax =
        request.behavior() == TaxBehavior.INCLUSIVE
            ? calculation.getTaxAmountInclusive()
            : calculation.getTaxAmountExclusive();
    List<TaxLine> lines = new ArrayList<>();
    if (calculation.getLineItems() == null) {
      throw new TaxFailure("Stripe Tax answered without line_items");
    }
    for (CalculationLineItem item : calculation.getLineItems().getData()) {
      int lineNo = Integer.parseInt(item.getReference());
      for (CalculationLineItem.TaxBreakdown row :
          Optional.ofNullable(item.getTaxBreakdown()).orElse(List.of())) {
        var jurisdiction = row.getJurisdiction();
        var rate = row.getTaxRateDetails();
        lines.add(
            new TaxLine(
                lineNo,
                StripeAmounts.fromMinorUnits(row.getAmount(), currency),
                StripeAmounts.fromMinorUnits(row.getTaxableAmount(), currency),
                rate == null || rate.getPercentageDecimal() == null
                    ? null
                    : new BigDecimal(rate.getPercentageDecimal()),
                jurisdiction == null ? null : jurisdiction.getCountry(),
                jurisdiction == null ? null : jurisdiction.getState(),
                jurisdiction == null ? null : jurisdiction.getDisplayName(),
                jurisdiction == null ? null : jurisdiction.getLevel(),
                rate == null ? null : rate.getTaxType(),
                row.getTaxabilityReason(),
                TaxLine.REVERSE_CHARGE.equals(row.getTaxabilityReason())));
      }
    }
    return new TaxQuote(calculation.getId(), StripeAmounts.fromMinorUnits(tax, currency), lines);
  }

  private static CustomerDetails customerDetails(TaxDetails customer) {
    CustomerDetails.Builder details =
        CustomerDetails.builder()
            .setAddressSource(CustomerDetails.AddressSource.BILLING)
            .setAddress(
                CustomerDetails.Address.builder()
                    .setCountry(customer.country())
                    .setLine1(customer.line1())
                    .setLine2(customer.line2())
                    .setCity(customer.city())
                    .setState(customer.state())
                    .setPostalCode(customer.postalCode())
                    .build());
    switch (customer.taxExempt() == null ? "none" : customer.taxExempt()) {
      case "exempt" -> details.setTaxabilityOverride(TaxabilityOverride.CUSTOMER_EXEMPT);
      case "reverse" -> details.setTaxabilityOverride(TaxabilityOverride.REVERSE_CHARGE);
      default -> {}
    }
    for (TaxDetails.TaxId id : customer.taxIds()) {
      Arrays.stream(CustomerDetails.TaxId.Type.values())
          .filter(t -> t.getValue().equals(id.type()))
          .findFirst()
          .ifPresent(
              type ->
                  details.addTaxId(
                      CustomerDetails.TaxId.builder().setType(type).setValue(id.value()).build()));
    }
    return details.build();
  }
}
