package io.streamspace.billing.quota;

import java.util.Locale;

/** Where an account's use of a meter stands against its limit. */
public enum QuotaState {
  /** Under the alert threshold, or unlimited. */
  OK,
  /** At or over the alert threshold, under the limit. */
  WARNING,
  /** At or over the limit. */
  EXCEEDED;

  /** The name as JSON and events write it: {@code ok}, {@code warning}, {@code exceeded}. */
  public String jsonName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
