package io.streamspace.billing.tax;

import java.util.Locale;

/**
 * Whether the amounts of prices and invoice lines exclude the tax (it is added on top) or include
 * it, as Stripe's {@code tax_behavior} says.
 */
public enum TaxBehavior {
  EXCLUSIVE,
  INCLUSIVE;

  /** The name as written in config and sent to Stripe ({@code exclusive}, {@code inclusive}). */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
