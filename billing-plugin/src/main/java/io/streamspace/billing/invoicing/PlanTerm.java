package io.streamspace.billing.invoicing;

import io.streamspace.billing.catalog.Meter;
import io.streamspace.billing.catalog.PlanLimits;
import io.streamspace.billing.catalog.SubscriptionPlan.MeterLimit;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.money.UsageUnit;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A stretch of time an account was on one plan, with the plan's terms as they were then (a row of
 * {@code billing_subscriptions}).
 *
 * @param price    the fee per interval, in the account's currency
 * @param interval {@code month} or {@code year}
 * @param from     when the account moved onto the plan
 * @param to       when it left it, or null while it is still on it
 * @param cpuLimit included CPU cores; null for unlimited (likewise memory GB and storage GB)
 * @param heldLimits what it includes of each held meter, by meter id; a meter absent is
 *     unlimited
 * @param version the version of its plan it was started on ({@code planversions/PlanVersion}); null
 *     for a term not stored yet whose version its store decides
 * @param trialEnd when its trial ends: a stored trial term costs nothing (its price is 0) until
 *     then, its last instant; null for a paid term. A term not stored yet offers its store a
 *     trial until then at {@code price} from its end, which the store grants only to an
 *     organization's first start of the plan ({@code plans/SubscriptionRepository})
 * @param versionLimits every limit of the version it is on, by meter id, as the version keeps
 *     them (a meter absent is unlimited): what {@link #limits} reads the seats and period
 *     counters it includes from, so that a later version of its plan changes neither. Null for
 *     a term whose version is the plan as configured (no version of it stored yet, or a what-if's
 *     plan): the config's plan then
 */
public record PlanTerm(
    String planId,
    String planName,
    BigDecimal price,
    String interval,
    BigDecimal cpuLimit,
    BigDecimal memoryLimit,
    BigDecimal storageLimit,
    Map<String, BigDecimal> heldLimits,
    Instant from,
    Instant to,
    Integer version,
    Instant trialEnd,
    Map<String, MeterLimit> versionLimits) {

  public PlanTerm {
    Objects.requireNonNull(planId, "planId");
    Objects.requireNonNull(price, "price");
    Objects.requireNonNull(interval, "interval");
    heldLimits = Map.copyOf(heldLimits);
    Objects.requireNonNull(from, "from");
    versionLimits = versionLimits == null ? null : Map.copyOf(versionLimits);
  }

  /** A term whose limits are its plan's as configured ({@code versionLimits} null). */
  public PlanTerm(
      String planId,
      String planName,
      BigDecimal price,
      String interval,
      BigDecimal cpuLimit,
      BigDecimal memoryLimit,
      BigDecimal storageLimit,
      Map<String, BigDecimal> heldLimits,
      Instant from,
      Instant to,
      Integer version,
      Instant trialEnd) {
    this(
        planId,
        planName,
        price,
        interval,
        cpuLimit,
        memoryLimit,
        storageLimit,
        heldLimits,
        from,
        to,
        version,
        trialEnd,
        null);
  }

  /** A paid term (no trial). */
  public PlanTerm(
      String planId,
      String planName,
      BigDecimal price,
      String interval,
      BigDecimal cpuLimit,
      BigDecimal memoryLimit,
      BigDecimal storageLimit,
      Map<String, BigDecimal> heldLimits,
      Instant from,
      Instant to,
      Integer version) {
    this(
        planId,
        planName,
        price,
        interval,
        cpuLimit,
        memoryLimit,
        storageLimit,
        heldLimits,
        from,
        to,
        version,
        null);
  }

  /** A term whose version its store decides (a change of plan, from the plan as configured). */
  public PlanTerm(
      String planId,
      String planName,
      BigDecimal price,
      String interval,
      BigDecimal cpuLimit,
      BigDecimal memoryLimit,
      BigDecimal storageLimit,
      Map<String, BigDecimal> heldLimits,
      Instant from,
      Instant to) {
    this(
        planId,
        planName,
        price,
        interval,
        cpuLimit,
        memoryLimit,
        storageLimit,
        heldLimits,
        from,
        to,
        null);
  }

  /** A term that leaves every held meter unlimited. */
  public PlanTerm(
      String planId,
      String planName,
      BigDecimal price,
      String interval,
      BigDecimal cpuLimit,
      BigDecimal memoryLimit,
      BigDecimal storageLimit,
      Instant from,
      Instant to) {
    this(
        planId, planName, price, interval, cpuLimit, memoryLimit, storageLimit, Map.of(), from, to);
  }

  /** The same term with a trial until {@code end} (null: none). */
  public PlanTerm withTrialEnd(Instant end) {
    return new PlanTerm(
        planId,
        planName,
        price,
        interval,
        cpuLimit,
        memoryLimit,
        storageLimit,
        heldLimits,
        from,
        to,
        version,
        end,
        versionLimits);
  }

  /**
   * The limit of every meter the term's version sets, a kind not given the billing mode's
   * default: what it includes of seats ({@link Meter#MEMBERS}) and of each period counter, which
   * invoices bill beyond. The config's plan when the term keeps none ({@code versionLimits} null).
   * What it includes of held resources is its own fields ({@link #limit}).
   */
  public PlanLimits limits(BillingConfig config) {
    return versionLimits == null ? config.limitsOf(planId) : config.limitsOf(versionLimits);
  }

  /** What the plan includes of a resource (cores, GB, GPUs), or null when it is unlimited. */
  public BigDecimal limit(UsageUnit unit) {
    if (unit.equals(UsageUnit.CPU)) {
      return cpuLimit;
    }
    if (unit.equals(UsageUnit.MEMORY)) {
      return memoryLimit;
    }
    if (unit.equals(UsageUnit.STORAGE)) {
      return storageLimit;
    }
    return heldLimits.get(unit.resourceType());
  }
}
