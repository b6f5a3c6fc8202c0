package io.streamspace.billing.quota;

import io.streamspace.billing.audit.AuditEntry;
import io.streamspace.billing.audit.AuditKinds;
import io.streamspace.billing.audit.AuditTrail;
import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.common.db.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Stores overage confirmations, one per account, meter and billing period: the first one of a
 * period is kept, so confirming again changes nothing.
 */
public final class OverageConfirmations {

  /** The confirmation made now, or the one kept; {@code created} tells which. */
  public record Recorded(OverageConfirmation confirmation, boolean created) {}

  // The insert's row, or (when the period's confirmation exists) the stored one. A confirmation
  // committed by a concurrent request after this statement's snapshot is in neither: asked again.
  private static final NamedSql CONFIRM =
      NamedSql.of(
          """
          WITH made AS (
            INSERT INTO billing_overage_confirmations
              (user_id, meter, period_start, confirmed_by, confirmed_at)
            VALUES (:user_id, :meter, :period_start, :confirmed_by, :confirmed_at)
            ON CONFLICT DO NOTHING
            RETURNING confirmed_by, confirmed_at)
          SELECT confirmed_by, confirmed_at, true AS created FROM made
          UNION ALL
          SELECT confirmed_by, confirmed_at, false FROM billing_overage_confirmations
          WHERE user_id = :user_id AND meter = :meter AND period_start = :period_start
            AND NOT EXISTS (SELECT FROM made)
          """);

  private final DataSource dataSource;

  public OverageConfirmations(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * Records {@code asked} unless its account confirmed that meter for that period already; one
   * recorded now writes its {@code overage.confirmed} entry with it.
   */
  public Recorded confirm(OverageConfirmation asked, Cause cause) throws SQLException {
    return Transactions.inTransaction(
        dataSource,
        connection -> {
          while (true) {
            Optional<Recorded> recorded = tryConfirm(connection, asked);
            if (recorded.isPresent()) {
              if (recorded.get().created()) {
                OverageConfirmation made = recorded.get().confirmation();
                Map<String, Object> after = new LinkedHashMap<>();
                after.put("meter", made.meter().configName());
                after.put("period_start", made.periodStart());
                after.put("confirmed_by", made.confirmedBy());
                after.put("confirmed_at", made.confirmedAt());
                AuditTrail.record(
                    connection,
                    new AuditEntry(
                        made.confirmedAt(),
                        cause,
                        made.orgId(),
                        AuditKinds.OVERAGE_CONFIRMED,
                        "overage:" + made.meter().configName(),
                        null,
                        after));
              }
              return recorded.get();
            }
          }
        });
  }

  private static Optional<Recorded> tryConfirm(Connection connection, OverageConfirmation asked)
      throws SQLException {
    try (PreparedStatement statement =
            CONFIRM
                .bind("user_id", asked.orgId())
                .bind("meter", asked.meter().configName())
                .bind("period_start", asked.periodStart())
                .bind("confirmed_by", asked.confirmedBy())
                .bind("confirmed_at", asked.confirmedAt())
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      if (!rs.next()) {
        return Optional.empty();
      }
      return Optional.of(
          new Recorded(
              new OverageConfirmation(
                  asked.orgId(),
                  asked.meter(),
                  asked.periodStart(),
                  rs.getString("confirmed_by"),
                  rs.getTimestamp("confirmed_at").toInstant()),
              rs.getBoolean("created")));
    }
  }
}
