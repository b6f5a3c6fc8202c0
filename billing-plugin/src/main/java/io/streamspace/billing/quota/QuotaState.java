package io.streamspace.billing.quota;

import java.util.Locale;

/** Where an account's use of a meter stands against its limit. */
public enum QuotaState {
  /** Under the alert threshold, or unlimited. */
  OK,
  /** At or over the alert threshold, under the limit. */
  WARNING,
  /** At or over the limit. */
  EXCEEDED,
  /**
   * A soft period counter at or over its limit whose overage the account has not confirmed this
   * billing period: new sessions are refused until it is (see {@code admission.Admission}).
   */
  CONFIRMATION_REQUIRED;

  /**
   * The name as JSON and events write it: {@code ok}, {@code warning}, {@code exceeded}, {@code
   * confirmation_required}.
   */
  public String jsonName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether the use is at or over the limit, confirmed or not. */
  public boolean atOrOverLimit() {
    return this == EXCEEDED || this == CONFIRMATION_REQUIRED;
  }
}
