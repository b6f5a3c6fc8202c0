package io.streamspace.billing.invoicing;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.tax.TaxBehavior;
import io.streamspace.billing.tax.TaxCalculator;
import io.streamspace.billing.tax.TaxLine;
import io.streamspace.billing.tax.TaxQuote;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The drafts' tax calculations as stored ({@code billing_invoice_taxes}, their lines in {@code
 * billing_invoice_tax_lines}): written by {@link InvoiceTaxes}' pre-step, each with the hash of the
 * lines it was made for, and read (or, without stripeTax, forgotten) in the finalization's
 * transaction, one statement for a chunk.
 */
final class InvoiceTaxRows {

  /** Where finalization stands on a draft's tax: its stored calculation. */
  record Calculated(long invoiceId, String linesHash, BigDecimal tax, TaxBehavior behavior) {}

  /** A stored row: calculated or failed, for which lines, and why it failed. */
  record Stored(boolean calculated, String hash, String reason) {}

  private static final NamedSql STORED =
      NamedSql.of(
          """
          SELECT invoice_id, status, lines_hash, tax, tax_behavior, reason
          FROM billing_invoice_taxes WHERE invoice_id = ANY(:id::text[]::bigint[])""");

  // a draft's row only: the row of an invoice finalized meanwhile is what it was finalized with
  private static final NamedSql STORE =
      NamedSql.of(
          """
          INSERT INTO billing_invoice_taxes (invoice_id, status, lines_hash, tax_behavior,
              calculation_id, tax, reason, failures, calculated_at)
          SELECT :id, :status, :hash, :behavior, :calculation::text, :tax, :reason::text,
                 :failures, :now
          FROM billing_invoices WHERE id = :id AND status = 'draft'
          ON CONFLICT (invoice_id) DO UPDATE
          SET status = EXCLUDED.status, lines_hash = EXCLUDED.lines_hash,
              tax_behavior = EXCLUDED.tax_behavior, calculation_id = EXCLUDED.calculation_id,
              tax = EXCLUDED.tax, reason = EXCLUDED.reason,
              failures = CASE WHEN EXCLUDED.status = 'failed'
                              THEN billing_invoice_taxes.failures + 1 ELSE 0 END,
              calculated_at = EXCLUDED.calculated_at""");

  // the draft's row lock: a finalization of it goes first, or waits for this short write
  private static final NamedSql LOCK_DRAFT =
      NamedSql.of("SELECT 1 FROM billing_invoices WHERE id = :id AND status = 'draft' FOR UPDATE");

  private static final NamedSql FORGET_LINES =
      NamedSql.of(
          "DELETE FROM billing_invoice_tax_lines WHERE invoice_id = ANY(:id::text[]::bigint[])");

  // a chunk's rows in one statement: finalization's cost stays one statement a step
  private static final NamedSql FORGET =
      NamedSql.of(
          """
          WITH lines AS (
              DELETE FROM billing_invoice_tax_lines WHERE invoice_id = ANY(:id::text[]::bigint[]))
          DELETE FROM billing_invoice_taxes WHERE invoice_id = ANY(:id::text[]::bigint[])""");

  private static final NamedSql LINES =
      NamedSql.of(
          """
          INSERT INTO billing_invoice_tax_lines (invoice_id, n, line_no, amount, taxable_amount,
              percentage, country, state, jurisdiction, level, tax_type, taxability_reason,
              reverse_charge)
          SELECT :id, * FROM unnest(:n::text[]::int[], :line_no::text[]::int[],
              :amount::text[]::numeric[], :taxable::text[]::numeric[],
              :percentage::text[]::numeric[], :country::text[], :state::text[],
              :jurisdiction::text[], :level::text[], :tax_type::text[], :reason::text[],
              :reverse::text[]::boolean[])""");

  private InvoiceTaxRows() {}

  /** Stores a calculation or its failure for a draft; false when it is no longer a draft. */
  static boolean store(
      Connection c, TaxCalculator.Request request, TaxQuote quote, String reason, Instant now)
      throws SQLException {
    long id = request.invoiceId();
    try (PreparedStatement lock = LOCK_DRAFT.bind("id", id).prepare(c);
        ResultSet rs = lock.executeQuery()) {
      if (!rs.next()) {
        return false;
      }
    }
    List<Long> one = List.of(id);
    FORGET_LINES.bind("id", SqlArrays.array(c, one, i -> i)).update(c);
    STORE
        .bind("id", id)
        .bind("status", quote == null ? "failed" : "calculated")
        .bind("hash", request.hash())
        .bind("behavior", request.behavior().configName())
        .bind("calculation", quote == null ? null : quote.calculationId())
        .bind("tax", quote == null ? Money.zero(request.currency()) : quote.tax())
        .bind("reason", reason)
        .bind("failures", quote == null ? 1 : 0)
        .bind("now", now)
        .update(c);
    if (quote != null && !quote.lines().isEmpty()) {
      List<TaxLine> lines = quote.lines();
      List<Integer> ns = new ArrayList<>();
      for (int n = 1; n <= lines.size(); n++) {
        ns.add(n);
      }
      LINES
          .bind("id", id)
          .bind("n", SqlArrays.array(c, ns, n -> n))
          .bind("line_no", SqlArrays.array(c, lines, TaxLine::lineNo))
          .bind("amount", SqlArrays.array(c, lines, TaxLine::amount))
          .bind("taxable", SqlArrays.array(c, lines, TaxLine::taxableAmount))
          .bind("percentage", SqlArrays.array(c, lines, TaxLine::percentage))
          .bind("country", SqlArrays.array(c, lines, TaxLine::country))
          .bind("state", SqlArrays.array(c, lines, TaxLine::state))
          .bind("jurisdiction", SqlArrays.array(c, lines, TaxLine::jurisdiction))
          .bind("level", SqlArrays.array(c, lines, TaxLine::level))
          .bind("tax_type", SqlArrays.array(c, lines, TaxLine::taxType))
          .bind("reason", SqlArrays.array(c, lines, TaxLine::taxabilityReason))
          .bind("reverse", SqlArrays.array(c, lines, TaxLine::reverseCharge))
          .update(c);
    }
    return true;
  }

  /** The stored rows of the drafts of {@code ids}, by draft. */
  static Map<Long, Stored> stored(Connection connection, List<Long> ids) throws SQLException {
    Map<Long, Stored> stored = new HashMap<>();
    try (PreparedStatement statement =
            STORED.bind("id", SqlArrays.array(connection, ids, id -> id)).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        stored.put(
            rs.getLong(1),
            new Stored("calculated".equals(rs.getString(2)), rs.getString(3), rs.getString(6)));
      }
    }
    return stored;
  }

  /**
   * The stored calculations of the drafts of {@code ids} (failed ones left out), in the
   * finalization's transaction: one statement for the chunk.
   */
  static Map<Long, Calculated> calculated(Connection connection, List<Long> ids)
      throws SQLException {
    Map<Long, Calculated> calculated = new HashMap<>();
    try (PreparedStatement statement =
            STORED.bind("id", SqlArrays.array(connection, ids, id -> id)).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        if ("calculated".equals(rs.getString(2))) {
          calculated.put(
              rs.getLong(1),
              new Calculated(
                  rs.getLong(1),
                  rs.getString(3),
                  rs.getBigDecimal(4),
                  TaxBehavior.valueOf(rs.getString(5).toUpperCase(Locale.ROOT))));
        }
      }
    }
    return calculated;
  }

  /**
   * Forgets the tax rows of drafts finalized without tax (stripeTax turned off since they were
   * calculated), in the finalization's transaction, so that they read as not calculated.
   */
  static void forget(Connection connection, List<Long> ids) throws SQLException {
    FORGET.bind("id", SqlArrays.array(connection, ids, id -> id)).update(connection);
  }
}
