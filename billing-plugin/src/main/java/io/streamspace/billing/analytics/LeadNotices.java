package io.streamspace.billing.analytics;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.events.LeadDetected;
import io.streamspace.common.db.Transactions;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * Announces each sales lead once per organization, reason and 30-day window ({@code
 * billing.lead.detected}): the windows are fixed, 30 × n days after 1970-01-01 in the billing
 * zone. One transaction judges the leads ({@link SalesLeads#judge}) and claims (inserts, ON
 * CONFLICT DO NOTHING) the rows of their reasons not announced yet in the window, committed
 * before anything is published; only the rows its insert made are published. So a re-run, a
 * second node or a restart never sends one twice; a crash between the commit and the publish
 * loses those announcements rather than repeating them.
 */
public final class LeadNotices {

  private static final NamedSql CLAIM =
      NamedSql.of(
          """
          WITH reasons AS (
            SELECT l.*, r.reason FROM billing_lead_snapshot l
            CROSS JOIN LATERAL (VALUES ('near_limits', l.near_meters IS NOT NULL),
                                       ('hit_hard_limit', l.hit_meters IS NOT NULL),
                                       ('members_grew', l.members_from IS NOT NULL))
              AS r(reason, applies)
            WHERE r.applies),
          claimed AS (
            INSERT INTO billing_lead_notices (org_id, reason, window_start, sent_at)
            SELECT org_id, reason, CAST(:window_start AS date), :now FROM reasons
            ORDER BY org_id, reason
            ON CONFLICT DO NOTHING
            RETURNING org_id, reason)
          SELECT r.reason, %s
          FROM reasons r JOIN claimed c ON c.org_id = r.org_id AND c.reason = r.reason
          ORDER BY r.org_id, r.reason"""
              .formatted(prefixed()));

  private final DataSource dataSource;
  private final BillingEvents events;
  private final Supplier<BillingConfig> config;
  private final Clock clock;

  public LeadNotices(
      DataSource dataSource, BillingEvents events, Supplier<BillingConfig> config, Clock clock) {
    this.dataSource = dataSource;
    this.events = events;
    this.config = config;
    this.clock = clock;
  }

  /**
   * Publishes the leads' reasons not announced yet in this window, each with its evidence.
   *
   * @return how many were published
   */
  public int send() throws SQLException {
    BillingConfig current = config.get();
    Instant now = clock.instant();
    LocalDate window = windowOf(LocalDate.ofInstant(now, current.billingTimeZone()));
    // committed before any publishing
    List<LeadDetected> claimed =
        Transactions.<List<LeadDetected>, SQLException>inTransaction(
            dataSource,
            c -> {
              SalesLeads.judge(c, current, now);
              List<LeadDetected> found = new ArrayList<>();
              try (PreparedStatement statement =
                      CLAIM.bind("window_start", window.toString()).bind("now", now).prepare(c);
                  ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                  String reason = rs.getString("reason");
                  Lead lead = SalesLeads.lead(rs);
                  found.add(
                      new LeadDetected(
                          lead.orgId(),
                          lead.plan(),
                          reason,
                          Map.of(reason, lead.evidence().get(reason)),
                          window,
                          now));
                }
              }
              return found;
            });
    claimed.forEach(events::leadDetected);
    return claimed.size();
  }

  /** The first day of the 30-day window {@code day} is in. */
  static LocalDate windowOf(LocalDate day) {
    long days = SalesLeads.WINDOW_DAYS;
    return LocalDate.ofEpochDay(Math.floorDiv(day.toEpochDay(), days) * days);
  }

  private static String prefixed() {
    return String.join(
        ", ", List.of(SalesLeads.columns().split(", ")).stream().map(c -> "r." + c).toList());
  }
}
