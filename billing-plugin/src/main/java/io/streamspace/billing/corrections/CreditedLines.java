package io.streamspace.billing.corrections;

import io.streamspace.billing.corrections.Effect.Change;
import io.streamspace.billing.db.NamedSql;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Where a correction's credit of a finalized invoice goes, by the invoice's line ({@code
 * billing_correction_credits.lines}, V87): each line that costs less is credited on the line it
 * is of, up to what the line still holds (its amount less what a coupon's discount lines took
 * off it, what credit notes took off it and what corrections' credits not issued yet will), as
 * the credit notes count it ({@code creditnotes.Creditable}). What it costs less beyond that, up
 * to what earlier corrections charged for it (they billed its increases as correction lines on
 * later invoices, which its credit note cannot reach), goes on line 0: one amount spread over the
 * invoice's lines, so that the period as finally charged is what its corrected history costs.
 * Whatever is left stays on the line, for the credit notes to refuse and the credit to wait,
 * pending (a line an admin's credit note credited meanwhile). A change of a line the invoice does
 * not have goes on line 0 whole. Read in the caller's transaction.
 */
final class CreditedLines {

  private static final NamedSql LINES =
      NamedSql.of(
          """
          SELECT l.line_no, l.kind, l.resource_type, l.unit_price, l.activity,
                 l.amount
                 + coalesce((SELECT sum(d.amount) FROM billing_invoice_lines d
                             WHERE d.invoice_id = l.invoice_id AND d.kind = 'discount'
                               AND d.discounts_line = l.line_no), 0)
                 - coalesce((SELECT sum(n.amount) FROM billing_credit_note_lines n
                             WHERE n.invoice_id = l.invoice_id AND n.line_no = l.line_no), 0)
                 - coalesce((SELECT sum((c.lines ->> l.line_no::text)::numeric)
                             FROM billing_correction_credits c
                             WHERE c.invoice_id = l.invoice_id AND c.issued_at IS NULL), 0)
          FROM billing_invoice_lines l WHERE l.invoice_id = :invoice ORDER BY l.line_no""");

  // what earlier corrections charged for the invoice's lines, by line as they keyed it
  private static final NamedSql CHARGED =
      NamedSql.of(
          """
          SELECT line_kind, resource_type, unit_price, activity, sum(amount)
          FROM billing_correction_charges WHERE corrected_invoice_id = :invoice
          GROUP BY 1, 2, 3, 4""");

  /** A line of the invoice (or what was charged for one), as a change is matched to it. */
  private record Line(
      int no,
      String kind,
      String resourceType,
      BigDecimal unitPrice,
      String activity,
      BigDecimal amount) {

    boolean of(Change change) {
      return kind.equals(change.kind())
          && Objects.equals(resourceType, change.resourceType())
          && Objects.equals(activity, change.activity())
          && (unitPrice == null
              ? change.unitPrice() == null
              : change.unitPrice() != null && unitPrice.compareTo(change.unitPrice()) == 0);
    }
  }

  private final List<Line> holding;
  private final List<Line> charged;
  private final Map<String, BigDecimal> credited = new TreeMap<>();

  private CreditedLines(List<Line> holding, List<Line> charged) {
    this.holding = holding;
    this.charged = charged;
  }

  /** The finalized invoice's lines, what each still holds and what corrections charged for it. */
  static CreditedLines of(Connection connection, long invoiceId) throws SQLException {
    return new CreditedLines(
        read(connection, LINES.bind("invoice", invoiceId), true),
        read(connection, CHARGED.bind("invoice", invoiceId), false));
  }

  /** Credits what {@code change} made its line cost less ({@code amount}, above zero). */
  void credit(Change change, BigDecimal amount) {
    Line line = holding.stream().filter(l -> l.of(change)).findFirst().orElse(null);
    if (line == null) {
      add(0, amount);
      return;
    }
    BigDecimal onLine = amount.min(line.amount().max(BigDecimal.ZERO));
    BigDecimal chargedElsewhere =
        charged.stream()
            .filter(c -> c.of(change))
            .map(Line::amount)
            .reduce(BigDecimal.ZERO, BigDecimal::add);
    BigDecimal spread = amount.subtract(onLine).min(chargedElsewhere);
    add(line.no(), amount.subtract(spread));
    add(0, spread);
  }

  /** What is credited, by line number (0: the invoice as a whole). */
  Map<String, BigDecimal> byLine() {
    return credited;
  }

  private void add(int line, BigDecimal amount) {
    if (amount.signum() > 0) {
      credited.merge(Integer.toString(line), amount, BigDecimal::add);
    }
  }

  private static List<Line> read(Connection connection, NamedSql.Binding query, boolean numbered)
      throws SQLException {
    List<Line> lines = new ArrayList<>();
    try (PreparedStatement statement = query.prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      int column = numbered ? 2 : 1;
      while (rs.next()) {
        lines.add(
            new Line(
                numbered ? rs.getInt(1) : 0,
                rs.getString(column),
                rs.getString(column + 1),
                rs.getBigDecimal(column + 2),
                rs.getString(column + 3),
                rs.getBigDecimal(column + 4)));
      }
    }
    return lines;
  }
}
