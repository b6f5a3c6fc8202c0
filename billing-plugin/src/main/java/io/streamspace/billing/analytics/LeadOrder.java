package io.streamspace.billing.analytics;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** What the sales leads are ordered by ({@code sort}); ties always go by organization id. */
public enum LeadOrder {
  ORG_ID("org_id"),
  PLAN("plan_id"),
  /** The most days near a limit of one meter (0 without near_limits). */
  DAYS_ABOVE("days_above"),
  /** The highest share of a limit among the meters near their limit (0 without near_limits). */
  HIGHEST_SHARE("highest_share"),
  /** The latest hard limit hit (none last). */
  HIT_AT("hit_at"),
  /** Members gained in the last 30 days (0 without members_grew). */
  MEMBERS_ADDED("members_added");

  private final String column;

  LeadOrder(String column) {
    this.column = column;
  }

  /** The column of the leads' statement it orders by. */
  String column() {
    return column;
  }

  /** The name as the {@code sort} parameter writes it: {@code days_above}... */
  public String jsonName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The order of that name, if there is one. */
  public static Optional<LeadOrder> named(String jsonName) {
    return Arrays.stream(values()).filter(o -> o.jsonName().equals(jsonName)).findFirst();
  }
}
