package io.streamspace.billing.planversions;

import io.streamspace.billing.catalog.SubscriptionPlan;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.common.db.Transactions;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The versions of the plans ({@code billing_plan_versions}, V89): made as the config's changes are
 * saved, read by whoever starts a plan term (which names its version) and by the versions list.
 *
 * <p><b>Made with the config.</b> {@link #recordChange} runs in the host's transaction that saves
 * a config change, so a plan's terms never change without their version (nor a version appear for
 * a change rolled back). The first change since versions began keeps each plan as it was
 * configured until then as its version 1 (until then a plan's version 1 is the plan as
 * configured, not stored: {@link #listed}); then each plan whose terms differ from its latest
 * version gets the next. Saves are taken one at a time (a transaction-level advisory lock), so
 * two nodes saving at once never number two versions alike.
 */
public final class PlanVersions {

  /** How many organizations hold a version now in one currency, and their fees a month. */
  public record Holding(int version, Currency currency, long organizations, BigDecimal monthly) {}

  private static final String COLUMNS =
      "plan_id, version, name, terms::text, created_at," + " created_by, reason";

  private static final NamedSql OF_PLANS =
      NamedSql.of(
          "SELECT "
              + COLUMNS
              + " FROM billing_plan_versions WHERE plan_id = ANY (:plans::text[])"
              + " ORDER BY plan_id, version");

  private static final NamedSql STORE =
      NamedSql.of(
          """
          INSERT INTO billing_plan_versions
            (plan_id, version, name, terms, created_at, created_by, reason)
          VALUES (:plan_id, :version, :name, :terms::jsonb, :at, :by, :reason)""");

  // one save of plan versions at a time, across nodes: the key is "bplver" in ASCII, as the
  // plugin's other advisory locks are named (AccountTermsLock's "bterms")
  private static final String ONE_AT_A_TIME =
      "SELECT pg_advisory_xact_lock(" + 0x6270_6c76_6572L + ")";

  private static final String STORED_ANY = "SELECT EXISTS (SELECT 1 FROM billing_plan_versions)";

  private static final String TABLE_EXISTS =
      "SELECT to_regclass('billing_plan_versions') IS NOT NULL";

  // the organizations open now on each version of the plan, by currency, with Σ of their fees a
  // month (a yearly plan's a twelfth); the partial index of V91 holds the active terms
  private static final NamedSql HOLDINGS =
      NamedSql.of(
          """
          SELECT s.plan_version, s.currency, count(*),
                 sum(CASE s.billing_interval WHEN 'year' THEN s.price / 12 ELSE s.price END)
          FROM billing_subscriptions s
          JOIN billing_accounts a ON a.user_id = s.user_id
          WHERE s.plan_id = :plan_id AND s.ended_at IS NULL AND a.closed_at IS NULL
          GROUP BY 1, 2 ORDER BY 1, 2""");

  private PlanVersions() {}

  /** The plan's stored versions, oldest first. */
  public static List<PlanVersion> of(Connection connection, String planId) throws SQLException {
    return of(connection, List.of(planId)).getOrDefault(planId, List.of());
  }

  /** The stored versions of each of the plans, oldest first, by plan id. */
  public static Map<String, List<PlanVersion>> of(Connection connection, Collection<String> plans)
      throws SQLException {
    Map<String, List<PlanVersion>> versions = new LinkedHashMap<>();
    try (PreparedStatement statement =
            OF_PLANS
                .bind("plans", SqlArrays.array(connection, List.copyOf(plans), p -> p))
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        versions
            .computeIfAbsent(rs.getString(1), id -> new ArrayList<>())
            .add(
                new PlanVersion(
                    rs.getString(1),
                    rs.getInt(2),
                    rs.getString(3),
                    PlanVersionTerms.read(rs.getString(4)),
                    rs.getTimestamp(5).toInstant(),
                    rs.getString(6),
                    rs.getString(7)));
      }
    }
    return versions;
  }

  /**
   * The plan's versions to list: those stored, or, while none is, its version 1 as {@code config}
   * sets it (unstored: {@code created_at} null); empty for a plan neither stored nor configured.
   */
  public static List<PlanVersion> listed(DataSource dataSource, BillingConfig config, String plan)
      throws SQLException {
    List<PlanVersion> stored;
    try (Connection connection = dataSource.getConnection()) {
      stored = of(connection, plan);
    }
    if (!stored.isEmpty()) {
      return stored;
    }
    return config
        .plan(plan)
        .map(
            p ->
                List.of(
                    new PlanVersion(
                        plan, 1, p.name(), PlanVersionTerms.of(config, p), null, null, null)))
        .orElse(List.of());
  }

  /** Who holds each version of the plan now, by version and currency. */
  public static List<Holding> holdings(DataSource dataSource, String planId) throws SQLException {
    List<Holding> holdings = new ArrayList<>();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = HOLDINGS.bind("plan_id", planId).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        holdings.add(
            new Holding(
                rs.getInt(1),
                Currency.getInstance(rs.getString(2).trim()),
                rs.getLong(3),
                rs.getBigDecimal(4)));
      }
    }
    return holdings;
  }

  /**
   * The versions a config change makes, in the transaction saving it: for each plan of {@code
   * after}, its terms in {@code before} as version 1 when it has none stored yet (a plan it adds
   * has none there), then {@code after}'s as the next version when they differ from the latest.
   * Writes nothing before the plugin made its tables (a config saved before its first start).
   */
  public static void recordChange(
      Connection connection,
      BillingConfig before,
      BillingConfig after,
      Instant at,
      String by,
      String reason)
      throws SQLException {
    if (!exists(connection, TABLE_EXISTS)) {
      return;
    }
    try (PreparedStatement lock = connection.prepareStatement(ONE_AT_A_TIME)) {
      lock.execute();
    }
    Map<String, List<PlanVersion>> stored = of(connection, planIds(after));
    for (SubscriptionPlan plan : after.subscriptionPlans()) {
      List<PlanVersion> versions = stored.getOrDefault(plan.id(), List.of());
      PlanVersionTerms latest =
          versions.isEmpty() ? null : versions.get(versions.size() - 1).terms();
      int next = versions.size() + 1;
      if (latest == null) {
        Optional<SubscriptionPlan> was = before.plan(plan.id());
        if (was.isPresent()) {
          latest = PlanVersionTerms.of(before, was.get());
          store(connection, plan.id(), next++, was.get().name(), latest, at, null, null);
        }
      }
      PlanVersionTerms now = PlanVersionTerms.of(after, plan);
      if (latest == null || !latest.same(now)) {
        store(connection, plan.id(), next, plan.name(), now, at, by, reason);
      }
    }
  }

  /**
   * At the plugin's start, once versions began (any is stored): each configured plan whose terms
   * differ from its latest version (or that has none) gets the next, so the versions never lag
   * the config in effect. Writes nothing before versions began: each plan's version 1 is then the
   * plan as configured.
   */
  public static void catchUp(DataSource dataSource, BillingConfig config, Instant at)
      throws SQLException {
    Transactions.inTransaction(
        dataSource,
        connection -> {
          if (exists(connection, STORED_ANY)) {
            recordChange(connection, config, config, at, null, "the configuration at start");
          }
          return null;
        });
  }

  private static List<String> planIds(BillingConfig config) {
    return config.subscriptionPlans().stream().map(SubscriptionPlan::id).toList();
  }

  private static void store(
      Connection connection,
      String planId,
      int version,
      String name,
      PlanVersionTerms terms,
      Instant at,
      String by,
      String reason)
      throws SQLException {
    STORE
        .bind("plan_id", planId)
        .bind("version", version)
        .bind("name", name)
        .bind("terms", terms.json())
        .bind("at", at)
        .bind("by", by)
        .bind("reason", reason)
        .update(connection);
  }

  private static boolean exists(Connection connection, String query) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(query);
        ResultSet rs = statement.executeQuery()) {
      return rs.next() && rs.getBoolean(1);
    }
  }
}
