package io.streamspace.billing.analytics;

import io.streamspace.billing.catalog.LimitKind;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.quota.AccountQuota;
import io.streamspace.billing.quota.MeterQuota;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * Keeps the days organizations ran near their limits, for the sales leads ({@link SalesLeads}):
 * check-quotas hands it each page of quotas it judged, and it keeps, per organization on one of
 * leadPlans, meter and day in the billing zone, the highest share of a limit (used ÷ limit) at or
 * above leadLimitPercent seen that day, and the first instant it was at or over a hard limit. One
 * statement a page. A meter unlimited or limited to zero has no share and is never kept.
 */
public final class LeadDays {

  private static final NamedSql KEEP =
      NamedSql.of(
          """
          INSERT INTO billing_lead_days AS d (org_id, meter, day, highest_share, hard_limit_at)
          SELECT u.org_id, u.meter, CAST(:day AS date), CAST(u.share AS numeric),
                 CAST(u.hard_at AS timestamptz)
          FROM unnest(CAST(:orgs AS text[]), CAST(:meters AS text[]), CAST(:shares AS text[]),
                      CAST(:hard_ats AS text[])) AS u(org_id, meter, share, hard_at)
          JOIN billing_subscriptions s ON s.user_id = u.org_id AND s.ended_at IS NULL
          WHERE s.plan_id = ANY(CAST(:plans AS text[]))
          ORDER BY 1, 2
          ON CONFLICT (org_id, meter, day) DO UPDATE
            SET highest_share = greatest(d.highest_share, excluded.highest_share),
                hard_limit_at = least(d.hard_limit_at, excluded.hard_limit_at)""");

  private static final NamedSql FORGET =
      NamedSql.of("DELETE FROM billing_lead_days WHERE day < CAST(:oldest AS date)");

  /** The share kept: finer than any threshold (a whole percent) needs to tell apart. */
  private static final int SHARE_DECIMALS = 10;

  private final DataSource dataSource;
  private final Supplier<BillingConfig> config;
  private final Clock clock;

  public LeadDays(DataSource dataSource, Supplier<BillingConfig> config, Clock clock) {
    this.dataSource = dataSource;
    this.config = config;
    this.clock = clock;
  }

  /**
   * Keeps today's shares of the page's meters at or above leadLimitPercent of their limit.
   *
   * @return how many (organization, meter) pairs were near a limit (before the plan filter)
   */
  public int keep(List<AccountQuota> page) throws SQLException {
    BillingConfig current = config.get();
    BigDecimal percent = BigDecimal.valueOf(current.leadLimitPercent());
    Instant now = clock.instant();
    List<String> orgs = new ArrayList<>();
    List<String> meters = new ArrayList<>();
    List<String> shares = new ArrayList<>();
    List<String> hardAts = new ArrayList<>();
    for (AccountQuota account : page) {
      for (MeterQuota meter : account.meters()) {
        BigDecimal limit = meter.limit();
        // decided on exact figures, as the quota states are: used × 100 ≥ limit × percent
        if (limit == null
            || limit.signum() <= 0
            || meter.used().movePointRight(2).compareTo(limit.multiply(percent)) < 0) {
          continue;
        }
        orgs.add(account.orgId());
        meters.add(meter.meter().configName());
        shares.add(
            meter.used().divide(limit, SHARE_DECIMALS, RoundingMode.HALF_UP).toPlainString());
        boolean atHardLimit = meter.kind() == LimitKind.HARD && meter.used().compareTo(limit) >= 0;
        hardAts.add(atHardLimit ? now.toString() : null);
      }
    }
    if (orgs.isEmpty()) {
      return 0;
    }
    try (Connection c = dataSource.getConnection()) {
      KEEP.bind("day", LocalDate.ofInstant(now, current.billingTimeZone()).toString())
          .bind("orgs", orgs.toArray(String[]::new))
          .bind("meters", meters.toArray(String[]::new))
          .bind("shares", shares.toArray(String[]::new))
          .bind("hard_ats", hardAts.toArray(String[]::new))
          .bind("plans", current.leadPlans().toArray(String[]::new))
          .update(c);
    }
    return orgs.size();
  }

  /** Deletes the days before the leads' window: they no longer count. */
  public int forgetOld() throws SQLException {
    LocalDate today = LocalDate.ofInstant(clock.instant(), config.get().billingTimeZone());
    try (Connection c = dataSource.getConnection()) {
      return FORGET
          .bind("oldest", today.minusDays(SalesLeads.WINDOW_DAYS - 1).toString())
          .update(c);
    }
  }
}
