package io.streamspace.billing.analytics;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.common.db.Sql;
import io.streamspace.common.db.Transactions;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The sales leads: organizations on one of leadPlans, not closed, that in the last 30 days ran
 * at or above leadLimitPercent of a limit on leadDays days or more ({@code near_limits}, from
 * the days check-quotas keeps in {@code billing_lead_days}), were found at or over a hard limit
 * ({@code hit_hard_limit}, the same days), or gained leadMemberGrowth members, or
 * leadMemberGrowthPercent of their members 30 days ago ({@code members_grew}, from the
 * membership events). One statement judges all organizations: the days of the window by their
 * index, the organizations whose members changed in it by the events' instant index, each of
 * those organizations' members at both ends by its members' index.
 *
 * <p>The leads are judged once per check-quotas run, into {@code billing_lead_snapshot} (V52),
 * from which that run announces the new ones ({@link LeadNotices}) and the route reads a page:
 * the days near the limits only change at those runs. A request that finds no judgement younger
 * than {@link #MAX_AGE}, or one made with other config keys, judges them itself.
 */
public final class SalesLeads {

  /** How far back leads look. */
  public static final int WINDOW_DAYS = 30;

  /** A judgement older than this is made again by the request that finds it. */
  static final Duration MAX_AGE = Duration.ofMinutes(10);

  /**
   * The leads with their evidence, one row each: every reason's evidence as parallel arrays
   * (null when the reason does not apply) and the columns {@link LeadOrder} sorts by.
   */
  static final String LEADS =
      """
      WITH near AS (
        SELECT org_id, meter, count(*) AS days_above, max(highest_share) AS highest_share
        FROM billing_lead_days
        WHERE day BETWEEN CAST(:from_day AS date) AND CAST(:to_day AS date)
          AND highest_share >= :share
        GROUP BY org_id, meter
        HAVING count(*) >= :days),
      near_org AS (
        SELECT org_id, array_agg(meter ORDER BY meter) AS near_meters,
               array_agg(days_above ORDER BY meter) AS near_days,
               array_agg(highest_share ORDER BY meter) AS near_shares,
               max(days_above) AS days_above, max(highest_share) AS highest_share
        FROM near GROUP BY org_id),
      hit_org AS (
        SELECT org_id, array_agg(meter ORDER BY meter) AS hit_meters,
               array_agg(at ORDER BY meter) AS hit_ats, max(at) AS hit_at
        FROM (SELECT org_id, meter, max(hard_limit_at) AS at
              FROM billing_lead_days
              WHERE day BETWEEN CAST(:from_day AS date) AND CAST(:to_day AS date)
                AND hard_limit_at IS NOT NULL
              GROUP BY org_id, meter) h
        GROUP BY org_id),
      -- only an organization with a membership event in the window can have grown
      changed AS (
        SELECT DISTINCT org_id FROM billing_org_events
        WHERE occurred_at > :since AND occurred_at <= :now AND user_id IS NOT NULL),
      grew AS (
        SELECT c.org_id, b.members AS members_from, n.members AS members_to
        FROM changed c
        CROSS JOIN LATERAL (%1$s) b
        CROSS JOIN LATERAL (%2$s) n
        WHERE n.members - b.members >= :growth
           OR (b.members > 0 AND (n.members - b.members) * 100 >= b.members * :growth_percent)),
      found AS (
        SELECT org_id FROM near_org UNION SELECT org_id FROM hit_org
        UNION SELECT org_id FROM grew),
      leads AS (
        SELECT f.org_id, s.plan_id,
               n.near_meters, n.near_days, n.near_shares,
               coalesce(n.days_above, 0) AS days_above,
               coalesce(n.highest_share, 0) AS highest_share,
               h.hit_meters, h.hit_ats, h.hit_at,
               g.members_from, g.members_to,
               coalesce(g.members_to - g.members_from, 0) AS members_added
        FROM found f
        JOIN billing_accounts a ON a.user_id = f.org_id AND a.closed_at IS NULL
        JOIN billing_subscriptions s ON s.user_id = f.org_id AND s.ended_at IS NULL
        LEFT JOIN near_org n ON n.org_id = f.org_id
        LEFT JOIN hit_org h ON h.org_id = f.org_id
        LEFT JOIN grew g ON g.org_id = f.org_id
        WHERE s.plan_id = ANY(CAST(:plans AS text[])))
      """
          .formatted(membersAt(":since"), membersAt(":now"));

  private static final String COLUMNS =
      "org_id, plan_id, near_meters, near_days, near_shares, hit_meters, hit_ats, members_from,"
          + " members_to";

  /** A team organization's members at an instant, as billing_memberships decides them now. */
  private static String membersAt(String instant) {
    return """
        SELECT count(*) AS members FROM (
          SELECT DISTINCT ON (e.user_id) e.role FROM billing_org_events e
          WHERE e.org_id = c.org_id AND e.user_id IS NOT NULL AND e.refused IS NULL
            AND e.occurred_at <= %s
          ORDER BY e.user_id, e.occurred_at DESC, e.event_id DESC) m
        WHERE m.role IS NOT NULL"""
        .formatted(instant);
  }

  // the judgement replaced whole, under a lock so that two runs (two nodes) take turns
  private static final String JUDGE =
      """
      SELECT pg_advisory_xact_lock(7085801245773653843);
      DELETE FROM billing_lead_snapshot;
      """;
  private static final NamedSql KEEP =
      NamedSql.of(
          LEADS
              + """
              INSERT INTO billing_lead_snapshot (org_id, plan_id, near_meters, near_days,
                  near_shares, days_above, highest_share, hit_meters, hit_ats, hit_at,
                  members_from, members_to, members_added)
              SELECT org_id, plan_id, near_meters, near_days, near_shares, days_above,
                     highest_share, hit_meters, hit_ats, hit_at, members_from, members_to,
                     members_added
              FROM leads""");
  private static final NamedSql TAKEN =
      NamedSql.of(
          """
          INSERT INTO billing_lead_snapshot_taken (taken_at, judged_by)
          VALUES (:taken_at, :judged_by)
          ON CONFLICT (only_row) DO UPDATE
              SET taken_at = excluded.taken_at, judged_by = excluded.judged_by""");
  private static final NamedSql LATEST =
      NamedSql.of("SELECT taken_at, judged_by FROM billing_lead_snapshot_taken");

  private final DataSource dataSource;

  public SalesLeads(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * Judges the leads at {@code now} in the caller's transaction, replacing the last judgement
   * when it commits.
   */
  static void judge(Connection c, BillingConfig config, Instant now) throws SQLException {
    try (Statement lock = c.createStatement()) {
      lock.execute(JUDGE);
    }
    try (PreparedStatement keep = bound(KEEP, config, now).prepare(c)) {
      keep.executeUpdate();
    }
    TAKEN.bind("taken_at", now).bind("judged_by", judgedBy(config)).update(c);
  }

  /**
   * The instant of the leads a page reads at {@code now}: the last judgement's when it is younger
   * than {@link #MAX_AGE} and was made with the config's keys; otherwise {@code now}, judged then.
   */
  public Instant asOf(BillingConfig config, Instant now) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement latest = LATEST.binding().prepare(c);
        ResultSet rs = latest.executeQuery()) {
      if (rs.next()) {
        Instant taken = rs.getTimestamp("taken_at").toInstant();
        if (rs.getString("judged_by").equals(judgedBy(config))
            && !taken.isAfter(now)
            && taken.isAfter(now.minus(MAX_AGE))) {
          return taken;
        }
      }
    }
    Transactions.<Void, SQLException>inTransaction(
        dataSource,
        c -> {
          judge(c, config, now);
          return null;
        });
    return now;
  }

  /**
   * A page of the leads last judged ({@link #asOf}), ordered by {@code order} (descending when
   * asked; ties by organization id).
   */
  public List<Lead> page(LeadOrder order, boolean descending, int limit, int offset)
      throws SQLException {
    String direction = descending ? "DESC" : "ASC";
    NamedSql sql =
        NamedSql.of(
            "SELECT "
                + COLUMNS
                + " FROM billing_lead_snapshot ORDER BY "
                + order.column()
                + " "
                + direction
                + " NULLS LAST, org_id LIMIT :limit OFFSET :offset");
    List<Lead> leads = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement statement = sql.bind("limit", limit).bind("offset", offset).prepare(c);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        leads.add(lead(rs));
      }
    }
    return leads;
  }

  /** The zone and the config keys the leads are judged with, as one text. */
  private static String judgedBy(BillingConfig config) {
    return String.join(
        " ",
        config.billingTimeZone().getId(),
        String.valueOf(config.leadLimitPercent()),
        String.valueOf(config.leadDays()),
        String.valueOf(config.leadMemberGrowth()),
        String.valueOf(config.leadMemberGrowthPercent()),
        String.join(",", config.leadPlans()));
  }

  /** The statement's parameters but the page's, from the config and {@code now}. */
  static NamedSql.Binding bound(NamedSql sql, BillingConfig config, Instant now) {
    LocalDate today = LocalDate.ofInstant(now, config.billingTimeZone());
    return sql.bind("from_day", today.minusDays(WINDOW_DAYS - 1).toString())
        .bind("to_day", today.toString())
        .bind("share", BigDecimal.valueOf(config.leadLimitPercent()).movePointLeft(2))
        .bind("days", config.leadDays())
        .bind("since", now.minus(Duration.ofDays(WINDOW_DAYS)))
        .bind("now", now)
        .bind("growth", config.leadMemberGrowth())
        .bind("growth_percent", config.leadMemberGrowthPercent())
        .bind("plans", config.leadPlans().toArray(String[]::new));
  }

  /** The lead of a row of {@link #COLUMNS}, first. */
  static Lead lead(ResultSet rs) throws SQLException {
    List<String> reasons = new ArrayList<>();
    Map<String, Object> evidence = new LinkedHashMap<>();
    Object[] nearMeters = array(rs.getArray("near_meters"));
    if (nearMeters != null) {
      Object[] days = array(rs.getArray("near_days"));
      Object[] shares = array(rs.getArray("near_shares"));
      List<Lead.NearLimit> near = new ArrayList<>();
      for (int i = 0; i < nearMeters.length; i++) {
        near.add(
            new Lead.NearLimit(
                (String) nearMeters[i],
                ((Number) days[i]).longValue(),
                ((BigDecimal) shares[i]).setScale(4, RoundingMode.HALF_UP)));
      }
      reasons.add(Lead.NEAR_LIMITS);
      evidence.put(Lead.NEAR_LIMITS, near);
    }
    Object[] hitMeters = array(rs.getArray("hit_meters"));
    if (hitMeters != null) {
      Object[] ats = array(rs.getArray("hit_ats"));
      List<Lead.HardLimitHit> hits = new ArrayList<>();
      for (int i = 0; i < hitMeters.length; i++) {
        hits.add(new Lead.HardLimitHit((String) hitMeters[i], Sql.instant((Timestamp) ats[i])));
      }
      reasons.add(Lead.HIT_HARD_LIMIT);
      evidence.put(Lead.HIT_HARD_LIMIT, hits);
    }
    long from = rs.getLong("members_from");
    if (!rs.wasNull()) {
      reasons.add(Lead.MEMBERS_GREW);
      evidence.put(Lead.MEMBERS_GREW, new Lead.MemberGrowth(from, rs.getLong("members_to")));
    }
    return new Lead(rs.getString("org_id"), rs.getString("plan_id"), reasons, evidence);
  }

  private static Object[] array(Array array) throws SQLException {
    return array == null ? null : (Object[]) array.getArray();
  }

  /** The columns {@link #lead} reads, for a statement over {@code leads}. */
  static String columns() {
    return COLUMNS;
  }
}
