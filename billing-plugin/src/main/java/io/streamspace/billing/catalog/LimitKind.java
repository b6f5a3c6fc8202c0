package io.streamspace.billing.catalog;

import java.util.Locale;

/** What happens at a limit. */
public enum LimitKind {
  /** Refuse what would pass it. */
  HARD,
  /** Allow it and bill the overage. */
  SOFT;

  /** The name as config writes it: {@code hard}, {@code soft}. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
