package io.streamspace.billing.tax;

import java.math.BigDecimal;
import java.util.Currency;
import java.util.List;

/**
 * Calculates the tax of a draft's lines for an organization (Stripe Tax's Calculations API, in
 * {@code stripe}). Called outside any transaction: it waits on the network.
 */
public interface TaxCalculator {

  /** An invoice line to tax: its number (the reference) and its amount. */
  record Item(int lineNo, BigDecimal amount) {}

  /**
   * The draft's lines to tax.
   *
   * @param hash       {@link LinesHash} of the items, currency and behaviour (the idempotency)
   * @param customer   what Checkout collected of the organization; null if nothing
   * @param stripeCustomer the organization's Stripe customer, whose own address Stripe Tax reads
   *     when Checkout collected none; null if it has none
   */
  record Request(
      long invoiceId,
      String orgId,
      Currency currency,
      TaxBehavior behavior,
      List<Item> items,
      String hash,
      TaxDetails customer,
      String stripeCustomer) {

    public Request {
      items = List.copyOf(items);
    }
  }

  /**
   * The tax of the request's items.
   *
   * @throws TaxFailure naming why it could not be calculated: no address, no Stripe key, an
   *     error from Stripe
   */
  TaxQuote calculate(Request request) throws TaxFailure;

  /** Why a calculation failed, in words an admin can act on. */
  final class TaxFailure extends Exception {

    public TaxFailure(String reason) {
      super(reason);
    }

    public TaxFailure(String reason, Throwable cause) {
      super(reason, cause);
    }
  }
}
