package io.streamspace.billing.credits;

import io.streamspace.billing.audit.AuditEntry;
import io.streamspace.billing.audit.AuditKinds;
import io.streamspace.billing.audit.AuditTrail;
import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.credits.CreditStatement.History;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.money.Money;
import io.streamspace.common.db.Sql;
import io.streamspace.common.db.Transactions;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Stores granted credits and reads them back with their applications. (Invoice finalization
 * consumes them; that is the invoicing side's business, not this class's.)
 */
public final class CreditRepository {

  /** The columns {@link #credit} reads, in its order. */
  private static final String COLUMNS =
      "id, user_id, amount, remaining, currency, reason, granted_by, granted_at, expires_at,"
          + " kind";

  private static final NamedSql GRANT =
      NamedSql.of(
          """
          INSERT INTO billing_credits (user_id, amount, remaining, currency, reason, granted_by,
                                       granted_at, expires_at, kind)
          VALUES (:user_id, :amount, :amount, :currency, :reason, :granted_by, :granted_at,
                  :expires_at, :kind)
          RETURNING %s"""
              .formatted(COLUMNS));

  private static final NamedSql HISTORY =
      NamedSql.of(
          """
          SELECT %s, expired_amount FROM billing_credits WHERE user_id = :user_id
          ORDER BY granted_at DESC, id DESC"""
              .formatted(COLUMNS));

  private static final NamedSql APPLICATIONS =
      NamedSql.of(
          """
          SELECT a.credit_id, a.invoice_id, i.invoice_number, a.amount, a.applied_at, c.currency
          FROM billing_credit_applications a
          JOIN billing_credits c ON c.id = a.credit_id
          JOIN billing_invoices i ON i.id = a.invoice_id
          WHERE c.user_id = :user_id
          ORDER BY a.applied_at, a.id
          """);

  private final DataSource dataSource;

  public CreditRepository(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * Stores the credit, whole (remaining = amount), and its audit entry ({@code credit.granted}),
   * in one transaction.
   */
  public Credit grant(NewCredit credit, Cause cause) throws SQLException {
    return Transactions.inTransaction(dataSource, connection -> grant(connection, credit, cause));
  }

  /** {@link #grant(NewCredit, Cause)} in the caller's transaction (a refund's, say). */
  public static Credit grant(Connection connection, NewCredit credit, Cause cause)
      throws SQLException {
    return grant(connection, credit, Credit.ADMIN, cause);
  }

  /** {@link #grant(Connection, NewCredit, Cause)} of that kind ({@link Credit#CORRECTION}). */
  public static Credit grant(Connection connection, NewCredit credit, String kind, Cause cause)
      throws SQLException {
    Credit granted = insert(connection, credit, kind);
    AuditTrail.record(connection, granted(granted, credit.grantedAt(), cause));
    return granted;
  }

  /** The {@code credit.granted} audit entry of a credit just stored. */
  static AuditEntry granted(Credit granted, Instant at, Cause cause) {
    return new AuditEntry(
        at,
        cause,
        granted.userId(),
        AuditKinds.CREDIT_GRANTED,
        "credit:" + granted.id(),
        null,
        granted);
  }

  /** Stores the credit, whole, of that kind ({@link Credit#ADMIN}, {@link Credit#FAULT}). */
  static Credit insert(Connection connection, NewCredit credit, String kind) throws SQLException {
    try (PreparedStatement statement =
            GRANT
                .bind("user_id", credit.orgId())
                .bind("amount", credit.amount())
                .bind("currency", credit.currency().getCurrencyCode())
                .bind("reason", credit.reason())
                .bind("granted_by", credit.grantedBy())
                .bind("granted_at", credit.grantedAt())
                .bind("expires_at", credit.expiresAt())
                .bind("kind", kind)
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      rs.next();
      return credit(rs);
    }
  }

  /**
   * The account's credits, newest first, each with its applications (oldest first). Two
   * statements, not one per credit.
   */
  public List<History> history(String orgId) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      List<Credit> credits = new ArrayList<>();
      Map<Long, BigDecimal> expired = new HashMap<>();
      try (PreparedStatement statement = HISTORY.bind("user_id", orgId).prepare(connection);
          ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          Credit credit = credit(rs);
          credits.add(credit);
          BigDecimal left = rs.getBigDecimal("expired_amount");
          if (left != null) {
            expired.put(credit.id(), Money.shown(left, Currency.getInstance(credit.currency())));
          }
        }
      }
      Map<Long, List<CreditApplication>> applications = applications(connection, orgId);
      return credits.stream()
          .map(
              c ->
                  new History(c, expired.get(c.id()), applications.getOrDefault(c.id(), List.of())))
          .toList();
    }
  }

  private static Map<Long, List<CreditApplication>> applications(
      Connection connection, String orgId) throws SQLException {
    Map<Long, List<CreditApplication>> byCredit = new HashMap<>();
    try (PreparedStatement statement = APPLICATIONS.bind("user_id", orgId).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        Currency currency = Currency.getInstance(rs.getString(6));
        byCredit
            .computeIfAbsent(rs.getLong(1), id -> new ArrayList<>())
            .add(
                new CreditApplication(
                    rs.getLong(2),
                    rs.getString(3),
                    Money.shown(rs.getBigDecimal(4), currency),
                    rs.getTimestamp(5).toInstant()));
      }
    }
    return byCredit;
  }

  private static Credit credit(ResultSet rs) throws SQLException {
    Currency currency = Currency.getInstance(rs.getString(5));
    return new Credit(
        rs.getLong(1),
        rs.getString(2),
        Money.shown(rs.getBigDecimal(3), currency),
        Money.shown(rs.getBigDecimal(4), currency),
        currency.getCurrencyCode(),
        rs.getString(6),
        rs.getString(7),
        rs.getTimestamp(8).toInstant(),
        Sql.instant(rs.getTimestamp(9)),
        rs.getString(10));
  }
}
