package io.streamspace.billing.tax;

import java.util.List;

/**
 * What Checkout collected of an organization for its tax (a completed session's {@code
 * customer_details}), the newest by the event's time.
 *
 * @param country   ISO 3166-1 alpha-2; null when no address was collected
 * @param taxExempt Stripe's {@code none}, {@code exempt} or {@code reverse}
 */
public record TaxDetails(
    String name,
    String line1,
    String line2,
    String city,
    String state,
    String postalCode,
    String country,
    String taxExempt,
    List<TaxId> taxIds) {

  /** A customer tax id as Stripe names it: {@code eu_vat} {@code DE123456789}. */
  public record TaxId(String type, String value) {}

  public TaxDetails {
    taxIds = List.copyOf(taxIds);
  }

  /** Whether it has the address a tax is calculated at (at least its country). */
  public boolean hasAddress() {
    return country != null && !country.isBlank();
  }
}
