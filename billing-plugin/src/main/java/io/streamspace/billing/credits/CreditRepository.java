package io.streamspace.billing.credits;

import io.streamspace.billing.credits.CreditStatement.History;
import io.streamspace.billing.money.Money;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
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

  private static final String COLUMNS =
      "id, user_id, amount, remaining, currency, reason, granted_by, granted_at, expires_at";

  private final DataSource dataSource;

  public CreditRepository(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** Stores the credit, whole (remaining = amount), in one statement. */
  public Credit grant(NewCredit credit) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            connection.prepareStatement(
                "INSERT INTO billing_credits (user_id, amount, remaining, currency, reason,"
                    + " granted_by, granted_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                    + " RETURNING "
                    + COLUMNS)) {
      statement.setString(1, credit.userId());
      statement.setBigDecimal(2, credit.amount());
      statement.setBigDecimal(3, credit.amount());
      statement.setString(4, credit.currency().getCurrencyCode());
      statement.setString(5, credit.reason());
      statement.setString(6, credit.grantedBy());
      statement.setTimestamp(7, Timestamp.from(credit.grantedAt()));
      statement.setTimestamp(8, timestamp(credit.expiresAt()));
      try (ResultSet rs = statement.executeQuery()) {
        rs.next();
        return credit(rs);
      }
    }
  }

  /**
   * The account's credits, newest first, each with its applications (oldest first). Two
   * statements, not one per credit.
   */
  public List<History> history(String userId) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      List<Credit> credits = new ArrayList<>();
      try (PreparedStatement statement =
          connection.prepareStatement(
              "SELECT "
                  + COLUMNS
                  + " FROM billing_credits WHERE user_id = ?"
                  + " ORDER BY granted_at DESC, id DESC")) {
        statement.setString(1, userId);
        try (ResultSet rs = statement.executeQuery()) {
          while (rs.next()) {
            credits.add(credit(rs));
          }
        }
      }
      Map<Long, List<CreditApplication>> applications = applications(connection, userId);
      return credits.stream()
          .map(c -> new History(c, applications.getOrDefault(c.id(), List.of())))
          .toList();
    }
  }

  private static Map<Long, List<CreditApplication>> applications(
      Connection connection, String userId) throws SQLException {
    Map<Long, List<CreditApplication>> byCredit = new HashMap<>();
    try (PreparedStatement statement =
        connection.prepareStatement(
            """
        SELECT a.credit_id, a.invoice_id, i.invoice_number, a.amount, a.applied_at, c.currency
        FROM billing_credit_applications a
        JOIN billing_credits c ON c.id = a.credit_id
        JOIN billing_invoices i ON i.id = a.invoice_id
        WHERE c.user_id = ?
        ORDER BY a.applied_at, a.id
        """)) {
      statement.setString(1, userId);
      try (ResultSet rs = statement.executeQuery()) {
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
    }
    return byCredit;
  }

  private static Credit credit(ResultSet rs) throws SQLException {
    Currency currency = Currency.getInstance(rs.getString(5));
    Timestamp expiresAt = rs.getTimestamp(9);
    return new Credit(
        rs.getLong(1),
        rs.getString(2),
        Money.shown(rs.getBigDecimal(3), currency),
        Money.shown(rs.getBigDecimal(4), currency),
        currency.getCurrencyCode(),
        rs.getString(6),
        rs.getString(7),
        rs.getTimestamp(8).toInstant(),
        expiresAt == null ? null : expiresAt.toInstant());
  }

  private static Timestamp timestamp(Instant instant) {
    return instant == null ? null : Timestamp.from(instant);
  }
}
