package io.streamspace.billing.invoicing;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.money.Money;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads credit notes ({@code billing_credit_notes}, V82) with their lines, in the caller's
 * connection: an invoice's, or one by id. Two statements each, by the notes' invoice.
 */
public final class CreditNoteRows {

  private static final String COLUMNS =
      """
      SELECT n.id, n.credit_note_number, n.invoice_id, i.invoice_number, n.org_id, n.currency,
             n.amount, n.tax, n.total, n.due_lowered, n.refund, n.reason, n.created_at,
             n.stripe_status, n.stripe_error
      FROM billing_credit_notes n JOIN billing_invoices i ON i.id = n.invoice_id
      """;

  private static final NamedSql OF_INVOICE =
      NamedSql.of(COLUMNS + "WHERE n.invoice_id = :invoice_id ORDER BY n.id");

  private static final NamedSql BY_ID = NamedSql.of(COLUMNS + "WHERE n.id = :id");

  private static final NamedSql BY_KEY = NamedSql.of(COLUMNS + "WHERE n.request_key = :key");

  private static final NamedSql LINES =
      NamedSql.of(
          """
          SELECT c.credit_note_id, c.line_no, l.description, c.amount, c.tax
          FROM billing_credit_note_lines c
          JOIN billing_invoice_lines l ON l.invoice_id = c.invoice_id AND l.line_no = c.line_no
          WHERE c.invoice_id = :invoice_id ORDER BY c.credit_note_id, c.line_no""");

  private CreditNoteRows() {}

  /** The invoice's credit notes, oldest first. */
  public static List<CreditNote> ofInvoice(Connection c, long invoiceId) throws SQLException {
    return read(c, OF_INVOICE.bind("invoice_id", invoiceId), invoiceId);
  }

  /** The credit note of that id. */
  public static Optional<CreditNote> find(Connection c, long id) throws SQLException {
    Optional<Long> invoice = invoiceOf(c, BY_ID.bind("id", id));
    return invoice.isEmpty()
        ? Optional.empty()
        : read(c, BY_ID.bind("id", id), invoice.get()).stream().findFirst();
  }

  /** The credit note issued under that request key, if one was. */
  public static Optional<CreditNote> byKey(Connection c, String key) throws SQLException {
    Optional<Long> invoice = invoiceOf(c, BY_KEY.bind("key", key));
    return invoice.isEmpty()
        ? Optional.empty()
        : read(c, BY_KEY.bind("key", key), invoice.get()).stream().findFirst();
  }

  private static Optional<Long> invoiceOf(Connection c, NamedSql.Binding note) throws SQLException {
    try (PreparedStatement statement = note.prepare(c);
        ResultSet rs = statement.executeQuery()) {
      return rs.next() ? Optional.of(rs.getLong("invoice_id")) : Optional.empty();
    }
  }

  private static List<CreditNote> read(Connection c, NamedSql.Binding notes, long invoiceId)
      throws SQLException {
    List<CreditNote> heads = new ArrayList<>();
    try (PreparedStatement statement = notes.prepare(c);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        Currency currency = Currency.getInstance(rs.getString(6));
        heads.add(
            new CreditNote(
                rs.getLong(1),
                rs.getString(2),
                invoiceId,
                rs.getString(4),
                rs.getString(5),
                currency.getCurrencyCode(),
                Money.shown(rs.getBigDecimal(7), currency),
                Money.shown(rs.getBigDecimal(8), currency),
                Money.shown(rs.getBigDecimal(9), currency),
                Money.shown(rs.getBigDecimal(10), currency),
                rs.getString(11),
                rs.getString(12),
                List.of(),
                rs.getTimestamp(13).toInstant(),
                rs.getString(14),
                rs.getString(15)));
      }
    }
    if (heads.isEmpty()) {
      return List.of();
    }
    Currency currency = Currency.getInstance(heads.get(0).currency());
    Map<Long, List<CreditNote.Line>> lines = new HashMap<>();
    try (PreparedStatement statement = LINES.bind("invoice_id", invoiceId).prepare(c);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        lines
            .computeIfAbsent(rs.getLong(1), id -> new ArrayList<>())
            .add(
                new CreditNote.Line(
                    rs.getInt(2),
                    rs.getString(3),
                    Money.shown(rs.getBigDecimal(4), currency),
                    Money.shown(rs.getBigDecimal(5), currency)));
      }
    }
    return heads.stream().map(note -> withLines(note, lines.get(note.id()))).toList();
  }

  private static CreditNote withLines(CreditNote note, List<CreditNote.Line> lines) {
    return new CreditNote(
        note.id(),
        note.creditNoteNumber(),
        note.invoiceId(),
        note.invoiceNumber(),
        note.orgId(),
        note.currency(),
        note.amount(),
        note.tax(),
        note.total(),
        note.amountDueLowered(),
        note.refund(),
        note.reason(),
        lines == null ? List.of() : lines,
        note.createdAt(),
        note.stripeStatus(),
        note.stripeError());
  }
}
