package io.streamspace.billing.tax;

import java.math.BigDecimal;

/**
 * One row of a calculation's tax: a line item's tax in one jurisdiction, as Stripe gave it.
 *
 * @param lineNo           the invoice line taxed (the line item's reference)
 * @param amount           the tax, at the currency's scale
 * @param taxableAmount    what it was computed on
 * @param percentage       the rate as Stripe writes it ({@code 7.25} for 7.25 %); null if none
 * @param jurisdiction     the jurisdiction's display name ({@code California})
 * @param level            {@code country}, {@code state}, {@code county}, {@code city}...
 * @param taxType          {@code sales_tax}, {@code vat}, {@code gst}...
 * @param taxabilityReason {@code standard_rated}, {@code reverse_charge}...
 * @param reverseCharge    the customer accounts for the tax ({@code reverse_charge})
 */
public record TaxLine(
    int lineNo,
    BigDecimal amount,
    BigDecimal taxableAmount,
    BigDecimal percentage,
    String country,
    String state,
    String jurisdiction,
    String level,
    String taxType,
    String taxabilityReason,
    boolean reverseCharge) {

  /** Stripe's taxability reason of a reverse charge. */
  public static final String REVERSE_CHARGE = "reverse_charge";
}
