package io.streamspace.billing.payments;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.common.db.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/** The payments as the routes list them: newest first, with their invoice's number. */
public final class PaymentQueries {

  static final String COLUMNS =
      """
      p.id, p.invoice_id, i.invoice_number, p.user_id, p.amount, p.currency, p.status,
      p.amount_refunded, p.payment_intent_id, p.charge_id, p.failure_code, p.failure_reason,
      p.created_at, p.updated_at""";

  private static final String FROM =
      "FROM billing_payments p JOIN billing_invoices i ON i.id = p.invoice_id";

  private static final NamedSql OF_ORG =
      NamedSql.of(
          """
          SELECT %s %s WHERE p.user_id = :user_id
          ORDER BY p.created_at DESC, p.id DESC LIMIT :limit OFFSET :offset"""
              .formatted(COLUMNS, FROM));

  private static final NamedSql ALL =
      NamedSql.of(
          """
          SELECT %s %s WHERE (CAST(:status AS text) IS NULL OR p.status = :status)
          ORDER BY p.created_at DESC, p.id DESC LIMIT :limit OFFSET :offset"""
              .formatted(COLUMNS, FROM));

  private static final NamedSql BY_ID =
      NamedSql.of("SELECT %s %s WHERE p.id = :id".formatted(COLUMNS, FROM));

  private final DataSource dataSource;

  public PaymentQueries(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** A page of the user's payments. */
  public List<Payment> ofOrg(String orgId, int limit, int offset) throws SQLException {
    return list(OF_ORG.bind("user_id", orgId).bind("limit", limit).bind("offset", offset));
  }

  /** A page of every account's payments, of that status only unless it is null. */
  public List<Payment> all(String status, int limit, int offset) throws SQLException {
    return list(ALL.bind("status", status).bind("limit", limit).bind("offset", offset));
  }

  public static Optional<Payment> find(Connection c, long id) throws SQLException {
    try (PreparedStatement s = BY_ID.bind("id", id).prepare(c);
        ResultSet rs = s.executeQuery()) {
      return rs.next() ? Optional.of(read(rs)) : Optional.empty();
    }
  }

  private List<Payment> list(NamedSql.Binding query) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = query.prepare(c);
        ResultSet rs = s.executeQuery()) {
      List<Payment> payments = new ArrayList<>();
      while (rs.next()) {
        payments.add(read(rs));
      }
      return payments;
    }
  }

  private static Payment read(ResultSet rs) throws SQLException {
    return new Payment(
        rs.getLong(1),
        rs.getLong(2),
        rs.getString(3),
        rs.getString(4),
        rs.getBigDecimal(5),
        rs.getString(6),
        rs.getString(7),
        rs.getBigDecimal(8),
        rs.getString(9),
        rs.getString(10),
        rs.getString(11),
        rs.getString(12),
        Sql.instant(rs.getTimestamp(13)),
        Sql.instant(rs.getTimestamp(14)));
  }
}
