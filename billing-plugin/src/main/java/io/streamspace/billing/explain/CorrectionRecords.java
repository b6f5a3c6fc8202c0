package io.streamspace.billing.explain;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.invoicing.InvoiceView;
import io.streamspace.billing.invoicing.InvoiceView.Line;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.money.UsageUnit;
import io.streamspace.common.db.Sql;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;

/**
 * A correction line's records: what a usage correction made a line of an earlier, finalized
 * invoice cost more ({@code corrections}). The k-th correction line of the invoice bills the k-th
 * charge it claimed (a draft's, the organization's charges not billed yet); its records are the
 * correction's changes of that line's slices (each slice's usage under the corrected history less
 * what was rated, signed, at the line's price), each with the correction's entries of its session
 * and traced to the session's journaled events, or the correction's reports of that counter.
 */
final class CorrectionRecords {

  // the charges in the order invoicing writes their lines (by id)
  private static final NamedSql CHARGES =
      NamedSql.of(
          """
          SELECT c.correction_id, c.corrected_invoice_id, c.resource_type, c.unit_price,
                 c.activity, c.before_amount, c.after_amount, c.amount, i.invoice_number,
                 c.description, c.org_id, c.period_start, c.period_end
          FROM billing_correction_charges c
          JOIN billing_invoices i ON i.id = c.corrected_invoice_id
          WHERE c.invoice_id = :invoice_id
             OR c.invoice_id IS NULL AND c.org_id = :org_id AND :draft
          ORDER BY c.id""");

  private static final NamedSql SLICES =
      NamedSql.of(
          """
          SELECT u.session_id, u.slice_start, u.slice_end, u.unit_seconds, u.unit_price,
                 (SELECT string_agg(e.kind || ' ' || coalesce(e.event_id, e.session_id), ', '
                                    ORDER BY e.entry_no)
                  FROM billing_correction_entries e
                  WHERE e.correction_id = u.correction_id
                    AND (e.session_id = u.session_id OR e.event->'session'->>'session_id'
                         = u.session_id OR e.kind = 'cancel'))
          FROM billing_correction_usage u
          WHERE u.correction_id = :correction AND u.invoice_id = :corrected
            AND u.resource_type = :resource AND u.unit_price = :price
            AND u.activity = coalesce(:activity, 'active')
          ORDER BY u.slice_start, u.session_id""");

  private static final NamedSql REPORTS =
      NamedSql.of(
          """
          SELECT r.corrects_event_id, r.occurred_at, r.quantity
          FROM billing_usage_reports r
          WHERE r.correction_id = :correction AND r.org_id = :org_id AND r.meter = :resource
            AND r.occurred_at >= :from AND r.occurred_at < :to
          ORDER BY r.occurred_at, r.event_id""");

  private record Charge(
      long correctionId,
      long corrected,
      String resourceType,
      BigDecimal unitPrice,
      String activity,
      BigDecimal before,
      BigDecimal after,
      BigDecimal amount,
      String number,
      String orgId,
      java.time.Instant from,
      java.time.Instant to) {}

  private CorrectionRecords() {}

  static Records of(
      Connection connection, InvoiceView.WithLines document, Line line, Currency currency)
      throws SQLException {
    int k = Records.placeAmongItsKind(document, line);
    List<Charge> charges = charges(connection, document);
    if (k >= charges.size()) {
      throw new IllegalStateException("no correction charge billed at line " + line.lineNo());
    }
    Charge charge = charges.get(k);
    List<ExplainedRecord> records =
        new ArrayList<>(
            charge.resourceType() == null
                ? List.of()
                : UsageUnit.builtIn(charge.resourceType()) != null
                        || line.unit() != null && line.unit().endsWith("-hours")
                    ? slices(connection, charge, currency)
                    : reports(connection, charge, currency));
    records.add(difference(records, charge, line, currency));
    return new Records.Listed(
        """
            What correction %d made %s of %s cost more: that line priced again by the invoice's \
            own code from what %s billed and the correction's records below (%s), less the line \
            as billed (%s). Each record is a change the correction made of a slice (its usage \
            under the corrected history less what was rated) or of a counter, at its own \
            amount; the last one is what the line's own rule (one rounding per line, what a \
            plan includes) makes of them."""
            .formatted(
                charge.correctionId(),
                line.description(),
                charge.number(),
                charge.number(),
                charge.after().toPlainString(),
                charge.before().toPlainString()),
        records,
        charge.amount());
  }

  /**
   * The last record: the corrected line as billed and as corrected, at what the line's rule makes
   * of the records beyond their own amounts, so that the records add up to the line.
   */
  private static ExplainedRecord difference(
      List<ExplainedRecord> records, Charge charge, Line line, Currency currency) {
    BigDecimal own =
        records.stream().map(ExplainedRecord::amount).reduce(Money.zero(currency), BigDecimal::add);
    return new ExplainedRecord(
        records.size() + 1,
        "corrected_line",
        null,
        null,
        charge.from(),
        charge.to(),
        null,
        null,
        null,
        null,
        charge.amount().subtract(own),
        Figures.step(currency),
        charge.amount(),
        "%s's line as billed %s, as corrected %s: %s more"
            .formatted(
                charge.number(),
                charge.before().toPlainString(),
                charge.after().toPlainString(),
                charge.amount().toPlainString()),
        null,
        List.of());
  }

  private static List<Charge> charges(Connection connection, InvoiceView.WithLines document)
      throws SQLException {
    List<Charge> charges = new ArrayList<>();
    try (PreparedStatement statement =
            CHARGES
                .bind("invoice_id", document.invoice().id())
                .bind("org_id", document.invoice().userId())
                .bind("draft", "draft".equals(document.invoice().status()))
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        charges.add(
            new Charge(
                rs.getLong(1),
                rs.getLong(2),
                rs.getString(3),
                rs.getBigDecimal(4),
                rs.getString(5),
                rs.getBigDecimal(6),
                rs.getBigDecimal(7),
                rs.getBigDecimal(8),
                rs.getString(9),
                rs.getString(11),
                Sql.instant(rs.getTimestamp(12)),
                Sql.instant(rs.getTimestamp(13))));
      }
    }
    return charges;
  }

  private static List<ExplainedRecord> slices(
      Connection connection, Charge charge, Currency currency) throws SQLException {
    UsageUnit unit = UsageUnit.ofResourceType(charge.resourceType());
    List<ExplainedRecord> records = new ArrayList<>();
    BigDecimal running = BigDecimal.ZERO;
    try (PreparedStatement statement =
            SLICES
                .bind("correction", charge.correctionId())
                .bind("corrected", charge.corrected())
                .bind("resource", charge.resourceType())
                .bind("price", charge.unitPrice())
                .bind("activity", charge.activity())
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        BigDecimal unitSeconds = rs.getBigDecimal(4);
        BigDecimal price = rs.getBigDecimal(5);
        running = running.add(unitSeconds.multiply(price));
        records.add(
            new ExplainedRecord(
                records.size() + 1,
                "correction_record",
                rs.getString(1),
                null,
                Sql.instant(rs.getTimestamp(2)),
                Sql.instant(rs.getTimestamp(3)),
                unitSeconds,
                unit.quantity(unitSeconds),
                unit.label(),
                Figures.plain(price),
                Money.lineTotal(unitSeconds.multiply(price), unit.unitSecondsPerUnit(), currency),
                Figures.step(currency),
                Money.lineTotal(running, unit.unitSecondsPerUnit(), currency),
                "correction " + charge.correctionId() + ": " + rs.getString(6),
                null,
                List.of()));
      }
    }
    return records;
  }

  private static List<ExplainedRecord> reports(
      Connection connection, Charge charge, Currency currency) throws SQLException {
    List<ExplainedRecord> records = new ArrayList<>();
    try (PreparedStatement statement =
            REPORTS
                .bind("correction", charge.correctionId())
                .bind("org_id", charge.orgId())
                .bind("resource", charge.resourceType())
                .bind("from", charge.from())
                .bind("to", charge.to())
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        records.add(
            new ExplainedRecord(
                records.size() + 1,
                "correction_record",
                null,
                null,
                Sql.instant(rs.getTimestamp(2)),
                Sql.instant(rs.getTimestamp(2)),
                null,
                rs.getBigDecimal(3),
                charge.resourceType(),
                null,
                Money.zero(currency),
                Figures.step(currency),
                Money.zero(currency),
                "correction " + charge.correctionId() + " of usage report " + rs.getString(1),
                null,
                List.of()));
      }
    }
    return records;
  }
}
