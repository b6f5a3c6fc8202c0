package io.streamspace.billing.forecast;

import io.streamspace.billing.audit.AuditEntry;
import io.streamspace.billing.audit.AuditKinds;
import io.streamspace.billing.audit.AuditTrail;
import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.common.db.Sql;
import io.streamspace.common.db.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Budgets as stored ({@code billing_budgets}, V66), each change with its audit entry in the same
 * transaction ({@code budget.set}, {@code budget.removed}). Setting the budget a subject already
 * has (the same amount and period) changes nothing and writes no entry, so a retried {@code PUT}
 * acts once.
 */
public final class Budgets {

  private static final String COLUMNS = "org_id, member_id, amount, period, set_by, set_at";

  private static final NamedSql PUT =
      NamedSql.of(
          """
          INSERT INTO billing_budgets (org_id, member_id, amount, period, set_by, set_at)
          VALUES (:org_id, :member_id, :amount, :period, :set_by, :set_at)
          ON CONFLICT (org_id, member_id) DO UPDATE SET amount = excluded.amount,
            period = excluded.period, set_by = excluded.set_by, set_at = excluded.set_at""");

  private static final NamedSql DELETE =
      NamedSql.of(
          """
          DELETE FROM billing_budgets
          WHERE org_id = :org_id AND member_id IS NOT DISTINCT FROM CAST(:member_id AS text)""");

  // the subject's, locked so that two changes of it take turns (each entry's before is exact)
  private static final NamedSql ONE =
      NamedSql.of(
          """
          SELECT %s FROM billing_budgets
          WHERE org_id = :org_id AND member_id IS NOT DISTINCT FROM CAST(:member_id AS text)
          FOR UPDATE"""
              .formatted(COLUMNS));

  // an organization's, its own first, then its members' by id
  private static final NamedSql OF_ORGANIZATION =
      NamedSql.of(
          """
          SELECT %s FROM billing_budgets WHERE org_id = :org_id
          ORDER BY member_id NULLS FIRST"""
              .formatted(COLUMNS));

  // every open organization's (check-budgets), an organization's together
  private static final NamedSql ALL =
      NamedSql.of(
          """
          SELECT %s FROM billing_budgets b
          WHERE NOT EXISTS (SELECT 1 FROM billing_accounts a
                            WHERE a.user_id = b.org_id AND a.closed_at IS NOT NULL)
          ORDER BY org_id, member_id NULLS FIRST"""
              .formatted(COLUMNS.replace("org_id,", "b.org_id,")));

  private final DataSource dataSource;

  public Budgets(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * Stores the budget, replacing its subject's, with its {@code budget.set} entry; the same
   * amount and period again change nothing.
   *
   * @return the budget as stored: the one already there when it was the same
   */
  public Budget set(Budget budget, Cause cause) throws SQLException {
    return Transactions.inTransaction(
        dataSource,
        connection -> {
          Optional<Budget> before = read(connection, budget.orgId(), budget.memberId());
          if (before.isPresent()
              && before.get().amount().compareTo(budget.amount()) == 0
              && before.get().period().equals(budget.period())) {
            return before.get();
          }
          PUT.bind("org_id", budget.orgId())
              .bind("member_id", budget.memberId())
              .bind("amount", budget.amount())
              .bind("period", budget.period())
              .bind("set_by", budget.setBy())
              .bind("set_at", budget.setAt())
              .update(connection);
          audit(
              connection,
              AuditKinds.BUDGET_SET,
              before.orElse(null),
              budget,
              budget.setAt(),
              cause);
          return budget;
        });
  }

  /**
   * Removes the subject's budget with its {@code budget.removed} entry.
   *
   * @param memberId null for the organization's own
   * @return whether there was one
   */
  public boolean remove(String orgId, String memberId, Instant now, Cause cause)
      throws SQLException {
    return Transactions.inTransaction(
        dataSource,
        connection -> {
          Optional<Budget> before = read(connection, orgId, memberId);
          if (before.isEmpty()) {
            return false;
          }
          DELETE.bind("org_id", orgId).bind("member_id", memberId).update(connection);
          audit(connection, AuditKinds.BUDGET_REMOVED, before.get(), null, now, cause);
          return true;
        });
  }

  /** The organization's budgets: its own first, then its members' by id. */
  public List<Budget> of(String orgId) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = OF_ORGANIZATION.bind("org_id", orgId).prepare(connection)) {
      return read(statement);
    }
  }

  /** Every open organization's budgets, an organization's together. */
  List<Budget> all() throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = ALL.binding().prepare(connection)) {
      return read(statement);
    }
  }

  private static Optional<Budget> read(Connection connection, String orgId, String memberId)
      throws SQLException {
    try (PreparedStatement statement =
        ONE.bind("org_id", orgId).bind("member_id", memberId).prepare(connection)) {
      return read(statement).stream().findFirst();
    }
  }

  private static List<Budget> read(PreparedStatement statement) throws SQLException {
    List<Budget> budgets = new ArrayList<>();
    try (ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        budgets.add(
            new Budget(
                rs.getString(1),
                rs.getString(2),
                rs.getBigDecimal(3),
                rs.getString(4),
                rs.getString(5),
                Sql.instant(rs.getTimestamp(6))));
      }
    }
    return budgets;
  }

  private static void audit(
      Connection connection, String kind, Budget before, Budget after, Instant now, Cause cause)
      throws SQLException {
    Budget subject = after != null ? after : before;
    String name =
        "budget:" + subject.orgId() + (subject.organizations() ? "" : ":" + subject.memberId());
    AuditTrail.record(
        connection, new AuditEntry(now, cause, subject.orgId(), kind, name, before, after));
  }
}
