/**
 * Tax computed by Stripe Tax, recorded by us (config {@code stripeTax}): the organization's
 * address and tax ids kept from Checkout ({@link io.streamspace.billing.tax.TaxDetails}), the port
 * that calculates a draft's tax ({@link io.streamspace.billing.tax.TaxCalculator}, Stripe's
 * adapter in {@code stripe}), what a calculation gave ({@link
 * io.streamspace.billing.tax.TaxQuote}, {@link io.streamspace.billing.tax.TaxLine}) and the hash
 * of the lines it was made for ({@link io.streamspace.billing.tax.LinesHash}). No Stripe type here.
 */
package io.streamspace.billing.tax;
