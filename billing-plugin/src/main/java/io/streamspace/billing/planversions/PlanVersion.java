package io.streamspace.billing.planversions;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Currency;
import java.util.List;
import java.util.Map;

/**
 * A version of a plan, as stored ({@code billing_plan_versions}).
 *
 * @param name the plan's display name when the version was made
 * @param createdAt when it was made; null for a plan's version 1 not stored yet (the plan as
 *     configured, before the config's first change since versions began)
 * @param createdBy the admin whose config change made it; null when made otherwise
 * @param reason why, as that change said
 */
public record PlanVersion(
    String planId,
    int version,
    String name,
    PlanVersionTerms terms,
    Instant createdAt,
    String createdBy,
    String reason) {

  /** What a plan term keeps of its plan, in its currency (a row of billing_subscriptions). */
  public record TermFields(
      Currency currency,
      BigDecimal price,
      String interval,
      BigDecimal cpu,
      BigDecimal memory,
      BigDecimal storage,
      Map<String, BigDecimal> held) {}

  /**
   * The version a plan term with these fields is on, of a plan's versions (oldest first): the
   * latest that has them ({@link PlanVersionTerms#keptAs}), so a term started from the plan as a
   * node configures it names that configuration's version even while a newer one is being saved
   * elsewhere; else the latest (terms grandfathered before versions began); 1 when the plan has
   * none stored yet (its version 1 is the plan as configured).
   */
  public static int versionOf(List<PlanVersion> versions, TermFields term) {
    for (int i = versions.size() - 1; i >= 0; i--) {
      if (versions.get(i).terms().keptAs(term)) {
        return versions.get(i).version();
      }
    }
    return versions.isEmpty() ? 1 : versions.get(versions.size() - 1).version();
  }
}
