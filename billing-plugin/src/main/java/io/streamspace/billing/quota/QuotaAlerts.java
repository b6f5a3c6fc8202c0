package io.streamspace.billing.quota;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.events.QuotaAlert;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import javax.sql.DataSource;

/**
 * Sends each quota alert once per account, meter, threshold and billing period: the alert's row
 * is claimed (committed) before it is published, and only the claim that made the row publishes.
 * So a re-run, a second node or a restart never sends it twice; a crash between the claim and the
 * publish loses that one alert rather than repeating it.
 */
public final class QuotaAlerts {

  private static final NamedSql CLAIM =
      NamedSql.of(
          """
          INSERT INTO billing_quota_alerts
            (user_id, meter, threshold, period_start, used, quota_limit, percent, sent_at)
          VALUES (:user_id, :meter, :threshold, :period_start, :used, :limit, :percent, :now)
          ON CONFLICT DO NOTHING
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
   * Publishes the alerts of every threshold the quotas have reached that were not sent yet this
   * period: {@code billing.quota.warning} at the alert threshold, {@code billing.quota.exceeded}
   * at the limit (a meter found over its limit at once gets both, warning first).
   *
   * @return how many alerts were published
   */
  public int send(List<AccountQuota> quotas) throws SQLException {
    int sent = 0;
    try (Connection connection = dataSource.getConnection()) {
      for (AccountQuota account : quotas) {
        for (MeterQuota meter : account.meters()) {
          if (meter.state() != QuotaState.OK && claim(connection, account, meter, "warning")) {
            events.quotaWarning(alert(account, meter));
            sent++;
          }
          if (meter.state().atOrOverLimit() && claim(connection, account, meter, "exceeded")) {
            events.quotaExceeded(alert(account, meter));
            sent++;
          }
        }
      }
    }
    return sent;
  }

  /** Whether this call made the alert's row (so it is the one to publish it). */
  private boolean claim(
      Connection connection, AccountQuota account, MeterQuota meter, String threshold)
      throws SQLException {
    return CLAIM
            .bind("user_id", account.orgId())
            .bind("meter", meter.meter().configName())
            .bind("threshold", threshold)
            .bind("period_start", account.periodStart())
            .bind("used", meter.used())
            .bind("limit", meter.limit())
            .bind("percent", meter.percent())
            .bind("now", clock.instant())
            .update(connection)
        == 1;
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
