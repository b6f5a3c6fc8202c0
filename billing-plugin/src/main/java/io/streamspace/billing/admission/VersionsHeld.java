package io.streamspace.billing.admission;

import io.streamspace.billing.catalog.PlanLimits;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.planversions.VersionLimits;
import io.streamspace.common.db.Sql;
import java.sql.SQLException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * The limits of the plans' versions as admission enforces them ({@link VersionLimits}): read at
 * each reload of the view, with the rest of it, so that a decision reads nothing. An account is
 * held to the limits of the version its plan term is on. A version saved since the last reload
 * is read when a decision first needs it, once: taking it for the plan as configured here would
 * be wrong as soon as a later save (on any node) passes it.
 */
final class VersionsHeld {

  private final DataSource dataSource;
  // none until the first reload: every plan as configured
  private volatile VersionLimits read = VersionLimits.NONE;
  // "plan@version" asked since the last reload and not known by it: read once, not at each ask
  private final Set<String> unknown = ConcurrentHashMap.newKeySet();

  VersionsHeld(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** Reads every version's limits anew ({@code config}'s plans with none stored: as it sets). */
  void reload(BillingConfig config) throws SQLException {
    read = VersionLimits.read(dataSource, config);
    unknown.clear();
  }

  /** The limits of the plan's {@code version} (null: not known, the plan as configured). */
  PlanLimits limitsOf(BillingConfig config, String planId, Integer version) {
    return knowing(config, planId, version).of(config, planId, version);
  }

  /**
   * The plan as a refusal names it: with its version when the account is on an older one than
   * the latest, whose limits are not the plan's as configured now.
   */
  NamedPlan named(BillingConfig config, String planId, Integer version) {
    NamedPlan plan = NamedPlan.of(config, planId);
    return knowing(config, planId, version).older(planId, version) ? plan.onVersion(version) : plan;
  }

  /**
   * The versions read, read again first when they lack the plan's {@code version} (one saved
   * since): a database read only in the moments after a save. A version still unknown then (a
   * plan neither stored nor configured) is the plan as configured, and not asked again until the
   * next reload.
   */
  private VersionLimits knowing(BillingConfig config, String planId, Integer version) {
    VersionLimits held = read;
    String asked = planId + "@" + version;
    if (version == null || held.knows(planId, version) || unknown.contains(asked)) {
      return held;
    }
    try {
      reload(config);
    } catch (SQLException e) {
      throw Sql.failure("reading the plans' versions for admission", e);
    }
    VersionLimits now = read;
    if (!now.knows(planId, version)) {
      unknown.add(asked);
    }
    return now;
  }
}
