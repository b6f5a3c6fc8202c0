package io.streamspace.billing.quota;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.events.QuotaAlert;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Sends each quota alert once per account, meter, threshold and billing period: the alert's row
 * is claimed (committed) before it is published, and only the claim that made the row publishes.
 * So a re-run, a second node or a restart never sends it twice; a crash between the claims and
 * the publishing loses those alerts rather than repeating them.
 *
 * <p>A page of accounts is claimed in one statement and its alerts published in one call ({@link
 * BillingEvents#publishAll}: one write in the host), not a commit of each and a write of each:
 * a period's first run on a platform whose accounts are over their quotas (the benchmark's
 * 10,000, three meters each) sent 60,000 alerts one by one in 84–86 s.
 */
public final class QuotaAlerts {

  // The page's alerts as rows; RETURNING gives those whose row this statement made (an alert
  // claimed before, by a run or another node, returns nothing). Inserted in key order, so that
  // two nodes' runs claiming the same alerts at once wait for each other rather than deadlock.
  private static final NamedSql CLAIM =
      NamedSql.of(
          """
          INSERT INTO billing_quota_alerts
            (user_id, meter, threshold, period_start, used, quota_limit, percent, sent_at)
          SELECT a.user_id, a.meter, a.threshold, a.period_start, a.used, a.quota_limit,
                 a.percent, :now
          FROM unnest(:user_id::text[], :meter::text[], :threshold::text[],
                      :period_start::text[]::timestamptz[], :used::text[]::numeric[],
                      :quota_limit::text[]::numeric[], :percent::text[]::numeric[])
            AS a(user_id, meter, threshold, period_start, used, quota_limit, percent)
          ORDER BY a.user_id, a.meter, a.threshold
          ON CONFLICT DO NOTHING
          RETURNING user_id, meter, threshold
          """);

  private final DataSource dataSource;
  private final BillingEvents events;
  private final Clock clock;

  public QuotaAlerts(DataSource dataSource, BillingEvents events, Clock clock) {
    this.dataSource = dataSource;
    this.events = events;
    this.clock = clock;
  }

  /**
   * An alert a page's quotas call for: a meter of an account at a threshold ({@code warning} or
   * {@code exceeded}, as its row stores it), told as {@code event}.
   */
  private record Due(String threshold, String event, QuotaAlert alert) {
    String key() {
      return Due.key(alert.userId(), alert.meter(), threshold);
    }

    /** Which alert of a page a row is: an account is once in a page, so its period is implied. */
    static String key(String orgId, String meter, String threshold) {
      return orgId + '\n' + meter + '\n' + threshold;
    }
  }

  /**
   * Publishes the alerts of every threshold the quotas have reached that were not sent yet this
   * period: {@code billing.quota.warning} at the alert threshold, {@code billing.quota.exceeded}
   * at the limit (a meter found over its limit at once gets both, warning first).
   *
   * @return how many alerts were published
   */
  public int send(List<AccountQuota> quotas) throws SQLException {
    List<Due> due = new ArrayList<>();
    for (AccountQuota account : quotas) {
      for (MeterQuota meter : account.meters()) {
        if (meter.state() != QuotaState.OK) {
          due.add(new Due("warning", BillingEvents.QUOTA_WARNING, alert(account, meter)));
        }
        if (meter.state().atOrOverLimit()) {
          due.add(new Due("exceeded", BillingEvents.QUOTA_EXCEEDED, alert(account, meter)));
        }
      }
    }
    if (due.isEmpty()) {
      return 0;
    }
    Set<String> claimed = claim(due);
    List<BillingEvents.Told> told = new ArrayList<>();
    for (Due alert : due) {
      if (claimed.contains(alert.key())) {
        told.add(new BillingEvents.Told(alert.event(), alert.alert()));
      }
    }
    events.publishAll(told);
    return told.size();
  }

  /** The keys of the alerts whose rows this call made, committed (so it is the one to publish). */
  private Set<String> claim(List<Due> due) throws SQLException {
    Set<String> claimed = new HashSet<>();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            CLAIM
                .bind("user_id", SqlArrays.array(connection, due, d -> d.alert().userId()))
                .bind("meter", SqlArrays.array(connection, due, d -> d.alert().meter()))
                .bind("threshold", SqlArrays.array(connection, due, Due::threshold))
                .bind(
                    "period_start", SqlArrays.array(connection, due, d -> d.alert().periodStart()))
                .bind("used", SqlArrays.array(connection, due, d -> d.alert().used()))
                .bind("quota_limit", SqlArrays.array(connection, due, d -> d.alert().limit()))
                .bind("percent", SqlArrays.array(connection, due, d -> d.alert().percent()))
                .bind("now", clock.instant())
                .prepare(connection);
        ResultSet rows = statement.executeQuery()) {
      while (rows.next()) {
        claimed.add(Due.key(rows.getString(1), rows.getString(2), rows.getString(3)));
      }
    }
    return claimed;
  }

  private static QuotaAlert alert(AccountQuota account, MeterQuota meter) {
    return new QuotaAlert(
        account.orgId(),
        meter.meter().configName(),
        meter.used(),
        meter.limit(),
        meter.percent(),
        meter.kind().configName(),
        account.periodStart());
  }
}
