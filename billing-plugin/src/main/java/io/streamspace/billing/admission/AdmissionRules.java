package io.streamspace.billing.admission;

import io.streamspace.billing.quota.Limit;
import io.streamspace.billing.quota.LimitKind;
import io.streamspace.billing.quota.Meter;
import io.streamspace.billing.quota.PlanLimits;
import io.streamspace.plugin.api.event.ResourceSize;
import io.streamspace.plugin.api.session.AdmissionDecision;
import java.math.BigDecimal;
import java.util.List;

/**
 * Whether a new session may start: it may not take an account past a hard limit of its plan on
 * the concurrent meters (its size added to what is open now), nor start while the account's
 * storage is already past a hard limit. Soft limits and unlimited meters never refuse. A denial's
 * code is the meter's name followed by {@code _limit} ({@code active_sessions_limit}).
 */
final class AdmissionRules {

  private record Label(String name, String units) {}

  private static final List<Meter> CONCURRENT =
      List.of(Meter.CPU_CORES, Meter.MEMORY_GB, Meter.ACTIVE_SESSIONS);

  private AdmissionRules() {}

  static AdmissionDecision decide(
      ConcurrentUse use, ResourceSize requested, String planId, PlanLimits limits) {
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
                + " %s %s of plan %s.".formatted(plain(limit.amount()), label.units(), planId));
      }
    }
    Limit storage = limits.of(Meter.STORAGE_GB);
    if (isHard(storage) && use.storageGb().compareTo(storage.amount()) > 0) {
      return AdmissionDecision.deny(
          code(Meter.STORAGE_GB),
          "Storage limit exceeded: %s GB stored is over the hard limit of %s GB of plan %s."
              .formatted(plain(use.storageGb()), plain(storage.amount()), planId));
    }
    return AdmissionDecision.allow();
  }

  /** The code of a denial at that meter's limit. */
  static String code(Meter meter) {
    return meter.configName() + "_limit";
  }

  private static boolean isHard(Limit limit) {
    return !limit.unlimited() && limit.kind() == LimitKind.HARD;
  }

  private static BigDecimal used(ConcurrentUse use, Meter meter) {
    return switch (meter) {
      case CPU_CORES -> use.cpuCores();
      case MEMORY_GB -> use.memoryGb();
      case ACTIVE_SESSIONS -> BigDecimal.valueOf(use.activeSessions());
      default -> throw new IllegalArgumentException("not a concurrent meter: " + meter);
    };
  }

  private static BigDecimal needed(ResourceSize requested, Meter meter) {
    return switch (meter) {
      case CPU_CORES -> requested.cpuCores();
      case MEMORY_GB -> requested.memoryGb();
      case ACTIVE_SESSIONS -> BigDecimal.ONE;
      default -> throw new IllegalArgumentException("not a concurrent meter: " + meter);
    };
  }

  private static Label label(Meter meter) {
    return switch (meter) {
      case CPU_CORES -> new Label("CPU", "cores");
      case MEMORY_GB -> new Label("Memory", "GB");
      case ACTIVE_SESSIONS -> new Label("Active sessions", "sessions");
      default -> new Label(meter.configName(), meter.unit());
    };
  }

  private static String plain(BigDecimal value) {
    return value.stripTrailingZeros().toPlainString();
  }
}
