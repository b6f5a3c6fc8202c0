package io.streamspace.billing.invoicing;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.invoicing.MemberShares.Share;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * A finalized team invoice's breakdown by member, stored with its lines ({@code
 * billing_invoice_member_amounts}): computed once at finalization from the records the invoice
 * claimed, then only read, so that nothing after (a member leaving, a session's row changing)
 * rewrites what the invoice said. The schema checks that a line's parts add up to it.
 */
final class InvoiceMemberAmounts {

  private static final NamedSql PART =
      NamedSql.of(
          """
          INSERT INTO billing_invoice_member_amounts (invoice_id, line_no, user_id, quantity,
                                                      amount)
          VALUES (:invoice_id, :line_no, :user_id, :quantity, :amount)""");

  // the organization's part (null) first in each line, then the members by id
  private static final NamedSql PARTS =
      NamedSql.of(
          """
          SELECT line_no, user_id, quantity, amount FROM billing_invoice_member_amounts
          WHERE invoice_id = :invoice_id ORDER BY line_no, user_id NULLS FIRST""");

  private InvoiceMemberAmounts() {}

  /** Stores the parts of the invoice's lines, stored already, in one batch. */
  static void store(Connection connection, long invoiceId, List<Share> shares) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(PART.jdbcSql())) {
      for (Share share : shares) {
        PART.bind("invoice_id", invoiceId)
            .bind("line_no", share.lineNo())
            .bind("user_id", share.memberId())
            .bind("quantity", share.quantity())
            .bind("amount", share.amount())
            .addBatch(statement);
      }
      statement.executeBatch();
    }
  }

  /** The stored parts of the invoice's lines; empty for an invoice that has none. */
  static List<Share> read(Connection connection, long invoiceId) throws SQLException {
    try (PreparedStatement statement = PARTS.bind("invoice_id", invoiceId).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      List<Share> shares = new ArrayList<>();
      while (rs.next()) {
        shares.add(
            new Share(
                rs.getInt("line_no"),
                rs.getString("user_id"),
                rs.getBigDecimal("quantity"),
                rs.getBigDecimal("amount")));
      }
      return shares;
    }
  }
}
