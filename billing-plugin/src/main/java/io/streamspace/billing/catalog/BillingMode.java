package io.streamspace.billing.catalog;

import java.util.Locale;

/** How accounts are charged: pure usage, a plan fee, or a plan fee plus usage overage. */
public enum BillingMode {
  USAGE,
  SUBSCRIPTION,
  HYBRID;

  /** The name as written in config ({@code usage}, {@code subscription}, {@code hybrid}). */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
