package io.streamspace.billing.admission;

import io.streamspace.billing.catalog.PlanLimits;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.planversions.VersionLimits;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * The limits of the plans' versions as admission enforces them ({@link VersionLimits}): read at
 * each reload of the view, with the rest of it, so that a decision reads nothing. An account is
 * held to the limits of the version its plan term is on; a version saved since the last reload
 * (the latest) is held to the plan as this node configures it, until the next.
 */
final class VersionsHeld {

  private final DataSource dataSource;
  // none until the first reload: every plan as configured
  private volatile VersionLimits read = VersionLimits.NONE;

  VersionsHeld(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** Reads every version's limits anew ({@code config}'s plans with none stored: as it sets). */
  void reload(BillingConfig config) throws SQLException {
    read = VersionLimits.read(dataSource, config);
  }

  /** The limits of the plan's {@code version} (null: not known, the plan as configured). */
  PlanLimits limitsOf(BillingConfig config, String planId, Integer version) {
    return read.of(config, planId, version);
  }

  /**
   * The plan as a refusal names it: with its version when the account is on an older one than
   * the latest, whose limits are not the plan's as configured now.
   */
  NamedPlan named(BillingConfig config, String planId, Integer version) {
    NamedPlan plan = NamedPlan.of(config, planId);
    return read.older(planId, version) ? plan.onVersion(version) : plan;
  }
}
