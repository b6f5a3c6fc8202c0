package io.streamspace.billing.admission;

import io.streamspace.billing.catalog.Limit;
import io.streamspace.billing.catalog.LimitKind;
import io.streamspace.billing.catalog.Meter;
import io.streamspace.billing.catalog.Meters;
import io.streamspace.billing.catalog.PlanLimits;
import io.streamspace.billing.quota.OverageCost;
import io.streamspace.billing.quota.QuotaState;
import io.streamspace.plugin.api.event.ResourceSize;
import io.streamspace.plugin.api.session.AdmissionDecision;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * Whether a new session may start: it may not take an account past a hard limit of its plan on
 * the concurrent meters (its size added to what is open now), nor start while the account's
 * storage is already past a hard limit, nor while a period counter (built-in or custom) is at or
 * over a hard limit of its plan this billing period. A denial's code is the meter's name
 * followed by {@code _limit} ({@code active_sessions_limit}, {@code gpu_minutes_limit}). Nor may
 * it start while a soft period counter is at or over its limit without the account's
 * confirmation of the overage this period ({@link QuotaState#CONFIRMATION_REQUIRED}): code
 * {@value #OVERAGE_CONFIRMATION_REQUIRED}, with the cost of going on. Other soft limits and
 * unlimited meters never refuse.
 */
final class AdmissionRules {

  /** How a reason names a meter and its units. */
  record Label(String name, String units) {}

  private static final Map<Meter, Label> LABELS =
      Map.of(
          Meter.CPU_CORES, new Label("CPU", "cores"),
          Meter.MEMORY_GB, new Label("Memory", "GB"),
          Meter.ACTIVE_SESSIONS, new Label("Active sessions", "sessions"),
          Meter.BANDWIDTH_GB, new Label("Bandwidth", "GB"),
          Meter.TRANSCODING_MINUTES, new Label("Transcoding", "minutes"),
          Meter.AI_QUERIES, new Label("AI queries", "queries"));

  private static final List<Meter> CONCURRENT =
      List.of(Meter.CPU_CORES, Meter.MEMORY_GB, Meter.ACTIVE_SESSIONS);

  /** The code of a denial while a soft counter's overage waits for confirmation. */
  static final String OVERAGE_CONFIRMATION_REQUIRED = "overage_confirmation_required";

  private AdmissionRules() {}

  static AdmissionDecision decide(
      ConcurrentUse use,
      ResourceSize requested,
      String planId,
      PlanLimits limits,
      Meters meters,
      OverageTerms overage) {
    for (Meter meter : CONCURRENT) {
      Limit limit = limits.of(meter);
      BigDecimal used = used(use, meter);
      BigDecimal needed = needed(requested, meter);
      if (isHard(limit) && used.add(needed).compareTo(limit.amount()) > 0) {
        Label label = label(meter);
        return AdmissionDecision.deny(
            code(meter),
            "%s limit reached: %s %s in use plus %s for this session would pass the hard limit of"
                    .formatted(label.name(), plain(used), label.units(), plain(needed))
                + " %s %s of %s."
                    .formatted(plain(limit.amount()), label.units(), plan(planId, use, meter)));
      }
    }
    Limit storage = limits.of(Meter.STORAGE_GB);
    if (isHard(storage) && use.storageGb().compareTo(storage.amount()) > 0) {
      return AdmissionDecision.deny(
          code(Meter.STORAGE_GB),
          "Storage limit exceeded: %s GB stored is over the hard limit of %s GB of %s."
              .formatted(
                  plain(use.storageGb()),
                  plain(storage.amount()),
                  plan(planId, use, Meter.STORAGE_GB)));
    }
    for (Meter meter : meters.periodCounters()) {
      Limit limit = limits.of(meter);
      BigDecimal used = use.counter(meter);
      if (isHard(limit) && overage.rule().state(used, limit) == QuotaState.EXCEEDED) {
        Label label = label(meter);
        return AdmissionDecision.deny(
            code(meter),
            "%s limit exceeded: %s %s used this period is at or over the hard limit of %s %s of %s."
                .formatted(
                    label.name(),
                    plain(used),
                    label.units(),
                    plain(limit.amount()),
                    label.units(),
                    plan(planId, use, meter)));
      }
    }
    for (Meter meter : meters.periodCounters()) {
      Limit limit = limits.of(meter);
      BigDecimal used = use.counter(meter);
      boolean confirmed = use.overageConfirmed().contains(meter);
      if (overage.rule().state(meter, used, limit, confirmed) == QuotaState.CONFIRMATION_REQUIRED) {
        return AdmissionDecision.deny(
            OVERAGE_CONFIRMATION_REQUIRED,
            overageReason(meter, used, limit, plan(planId, use, meter), overage));
      }
    }
    return AdmissionDecision.allow();
  }

  /**
   * What is used and included, what going on costs (per unit and so far, when the currency has
   * a rate) and how to confirm it.
   */
  private static String overageReason(
      Meter meter, BigDecimal used, Limit limit, String plan, OverageTerms overage) {
    Label label = label(meter);
    String code = overage.currency().getCurrencyCode();
    String cost =
        OverageCost.of(meter, used.subtract(limit.amount()), overage.currency(), overage.rates())
            .map(
                c ->
                    " at %s %s per %s (%s %s so far)"
                        .formatted(
                            plain(c.perUnit()),
                            code,
                            meter.unit(),
                            c.soFar().toPlainString(),
                            code))
            .orElse("");
    return ("%s over the included amount: %s %s used this period, %s included in %s."
            + " Going on is billed as overage%s. Confirm the overage (POST"
            + " /api/plugins/billing/overage/confirm) to start new sessions.")
        .formatted(label.name(), plain(used), label.units(), plain(limit.amount()), plan, cost);
  }

  /**
   * Whose limit it is: {@code plan free}, or {@code plan free with its packs} when the account's
   * active packs add to that meter's limit (the limit named is then the raised one).
   */
  private static String plan(String planId, ConcurrentUse use, Meter meter) {
    boolean raised = use.packAdds().getOrDefault(meter, BigDecimal.ZERO).signum() > 0;
    return raised ? "plan " + planId + " with its packs" : "plan " + planId;
  }

  /** The code of a denial at that meter's limit. */
  static String code(Meter meter) {
    return meter.configName() + "_limit";
  }

  private static boolean isHard(Limit limit) {
    return !limit.unlimited() && limit.kind() == LimitKind.HARD;
  }

  private static BigDecimal used(ConcurrentUse use, Meter meter) {
    if (meter.equals(Meter.CPU_CORES)) {
      return use.cpuCores();
    } else if (meter.equals(Meter.MEMORY_GB)) {
      return use.memoryGb();
    } else if (meter.equals(Meter.ACTIVE_SESSIONS)) {
      return BigDecimal.valueOf(use.activeSessions());
    }
    throw new IllegalArgumentException("not a concurrent meter: " + meter);
  }

  /** What a session of that size needs of a concurrent meter: one session, its cores... */
  static BigDecimal needed(ResourceSize requested, Meter meter) {
    if (meter.equals(Meter.CPU_CORES)) {
      return requested.cpuCores();
    } else if (meter.equals(Meter.MEMORY_GB)) {
      return requested.memoryGb();
    } else if (meter.equals(Meter.ACTIVE_SESSIONS)) {
      return BigDecimal.ONE;
    }
    throw new IllegalArgumentException("not a concurrent meter: " + meter);
  }

  /** How a reason names the meter and its units: a custom meter by its name and unit. */
  static Label label(Meter meter) {
    return LABELS.getOrDefault(meter, new Label(meter.name(), meter.unit()));
  }

  static String plain(BigDecimal value) {
    return value.stripTrailingZeros().toPlainString();
  }
}
