package io.streamspace.billing.invoicing;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
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

  // the parts of a chunk's invoices, one row per element of the arrays
  private static final NamedSql PARTS_OF_CHUNK =
      NamedSql.of(
          """
          INSERT INTO billing_invoice_member_amounts (invoice_id, line_no, user_id, quantity,
                                                      amount)
          SELECT * FROM unnest(:invoice_id::text[]::bigint[], :line_no::text[]::int[],
                               :user_id::text[], :quantity::text[]::numeric[],
                               :amount::text[]::numeric[])""");

  // the organization's part (null) first in each line, then the members by id
  private static final NamedSql PARTS =
      NamedSql.of(
          """
          SELECT line_no, user_id, quantity, amount FROM billing_invoice_member_amounts
          WHERE invoice_id = :invoice_id ORDER BY line_no, user_id NULLS FIRST""");

  private InvoiceMemberAmounts() {}

  /** One invoice's parts, for {@link #store}. */
  record Parts(long invoiceId, List<Share> shares) {}

  /** Stores the parts of the invoices' lines, stored already, in one statement. */
  static void store(Connection connection, List<Parts> invoices) throws SQLException {
    record Row(long invoiceId, Share share) {}
    List<Row> rows = new ArrayList<>();
    invoices.forEach(i -> i.shares().forEach(share -> rows.add(new Row(i.invoiceId(), share))));
    if (rows.isEmpty()) {
      return;
    }
    PARTS_OF_CHUNK
        .bind("invoice_id", SqlArrays.array(connection, rows, Row::invoiceId))
        .bind("line_no", SqlArrays.array(connection, rows, r -> r.share().lineNo()))
        .bind("user_id", SqlArrays.array(connection, rows, r -> r.share().memberId()))
        .bind("quantity", SqlArrays.array(connection, rows, r -> r.share().quantity()))
        .bind("amount", SqlArrays.array(connection, rows, r -> r.share().amount()))
        .update(connection);
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
