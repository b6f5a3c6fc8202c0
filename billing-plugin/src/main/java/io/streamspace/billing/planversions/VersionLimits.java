package io.streamspace.billing.planversions;

import io.streamspace.billing.catalog.PlanLimits;
import io.streamspace.billing.catalog.SubscriptionPlan;
import io.streamspace.billing.catalog.SubscriptionPlan.MeterLimit;
import io.streamspace.billing.config.BillingConfig;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import javax.sql.DataSource;

/**
 * The limits each version of each plan sets, read at once: what admission and quotas enforce for
 * an organization is the limits of the version its plan term is on, not the plan as configured
 * now. The stored versions ({@code billing_plan_versions}) in one statement, and, of each plan
 * with none stored yet, its version 1 as the config read with them sets it (the terms on such a
 * plan are all on version 1, which later saves keep as it was: {@link PlanVersions#recordChange}).
 * Admission reads them once per reload of its view, quotas once per reading. Immutable.
 */
public final class VersionLimits {

  /** None read (yet): every plan's limits are the config's. */
  public static final VersionLimits NONE = new VersionLimits(Map.of());

  private static final String ALL =
      "SELECT plan_id, version, terms::text FROM billing_plan_versions";

  // by plan id, then version: the limits as the version sets them (a kind null: the mode's default)
  private final Map<String, NavigableMap<Integer, Map<String, MeterLimit>>> byPlan;

  private VersionLimits(Map<String, NavigableMap<Integer, Map<String, MeterLimit>>> byPlan) {
    this.byPlan = byPlan;
  }

  /**
   * Every stored version's limits, as the database holds them now, and version 1 of each plan of
   * {@code config} with none stored.
   */
  public static VersionLimits read(DataSource dataSource, BillingConfig config)
      throws SQLException {
    Map<String, NavigableMap<Integer, Map<String, MeterLimit>>> byPlan = new HashMap<>();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(ALL);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        byPlan
            .computeIfAbsent(rs.getString(1), plan -> new TreeMap<>())
            .put(rs.getInt(2), PlanVersionTerms.read(rs.getString(3)).meterLimits());
      }
    }
    for (SubscriptionPlan plan : config.subscriptionPlans()) {
      byPlan.computeIfAbsent(
          plan.id(),
          id -> new TreeMap<>(Map.of(1, PlanVersionTerms.of(config, plan).meterLimits())));
    }
    return new VersionLimits(byPlan);
  }

  /**
   * The limits of the plan's {@code version} (null: not known), resolved by {@code config} as a
   * plan's are ({@link BillingConfig#limitsOf(Map)}); the plan as {@code config} sets it for a
   * version not known or not read (a reader holding these reads again first: {@link #knows}).
   */
  public PlanLimits of(BillingConfig config, String planId, Integer version) {
    Map<String, MeterLimit> set = version == null ? null : versions(planId).get(version);
    return set == null ? config.limitsOf(planId) : config.limitsOf(set);
  }

  /** Whether the plan's {@code version} was read: stored then, or a plan's version 1 then. */
  public boolean knows(String planId, Integer version) {
    return version != null && versions(planId).containsKey(version);
  }

  /**
   * Whether {@code version} of the plan is older than its latest: an organization on it keeps
   * limits the plan as configured no longer has. False for a version not known or not read.
   */
  public boolean older(String planId, Integer version) {
    NavigableMap<Integer, Map<String, MeterLimit>> versions = versions(planId);
    return version != null && versions.containsKey(version) && version < versions.lastKey();
  }

  /** The limits of every version read, resolved by {@code config}: by plan id, then version. */
  public Map<String, Map<Integer, PlanLimits>> all(BillingConfig config) {
    Map<String, Map<Integer, PlanLimits>> all = new TreeMap<>();
    byPlan.forEach(
        (plan, versions) -> {
          Map<Integer, PlanLimits> resolved = new TreeMap<>();
          versions.forEach((version, set) -> resolved.put(version, config.limitsOf(set)));
          all.put(plan, resolved);
        });
    return all;
  }

  private NavigableMap<Integer, Map<String, MeterLimit>> versions(String planId) {
    return byPlan.getOrDefault(planId, Collections.emptyNavigableMap());
  }
}
