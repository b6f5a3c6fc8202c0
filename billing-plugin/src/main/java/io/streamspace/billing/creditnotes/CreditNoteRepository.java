package io.streamspace.billing.creditnotes;

import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/** The writes of a credit note (V82), each in the issuing transaction. */
final class CreditNoteRepository {

  private static final NamedSql INSERT =
      NamedSql.of(
          """
          INSERT INTO billing_credit_notes (credit_note_number, invoice_id, org_id, currency,
              amount, tax, total, due_lowered, refund, reason, actor_type, actor_id, request_key,
              created_at, stripe_status, stripe_next_try_at)
          VALUES (:number, :invoice_id, :org_id, :currency, :amount, :tax, :total, :due_lowered,
              :refund, :reason, :actor_type, :actor_id, :request_key, :at, :stripe_status,
              :stripe_next_try_at)
          RETURNING id""");

  private static final NamedSql LINES =
      NamedSql.of(
          """
          INSERT INTO billing_credit_note_lines (credit_note_id, invoice_id, line_no, amount, tax)
          SELECT :id, :invoice_id, line_no, amount, tax
          FROM unnest(:line_no::text[]::int[], :amount::text[]::numeric[],
                      :tax::text[]::numeric[]) AS t(line_no, amount, tax)""");

  // what the invoice's notes came to, and what of it lowered its amount due
  private static final NamedSql CREDIT_INVOICE =
      NamedSql.of(
          """
          UPDATE billing_invoices
          SET credited = credited + :total, credited_due = credited_due + :due_lowered
          WHERE id = :invoice_id""");

  private CreditNoteRepository() {}

  /** The note's money, as {@link CreditNotes} decided it. */
  record NewNote(
      String number,
      long invoiceId,
      String orgId,
      String currency,
      BigDecimal amount,
      BigDecimal tax,
      BigDecimal total,
      BigDecimal dueLowered,
      CreditNoteRequest.Refund refund,
      String reason,
      String key,
      Cause cause,
      Instant at,
      boolean stripeWork,
      List<CreditSplit.Part> parts) {}

  /** Stores the note and its lines and adds it to its invoice's figures; answers its id. */
  static long insert(Connection c, NewNote note) throws SQLException {
    long id;
    try (PreparedStatement statement =
            INSERT
                .bind("number", note.number())
                .bind("invoice_id", note.invoiceId())
                .bind("org_id", note.orgId())
                .bind("currency", note.currency())
                .bind("amount", note.amount())
                .bind("tax", note.tax())
                .bind("total", note.total())
                .bind("due_lowered", note.dueLowered())
                .bind("refund", note.refund().value())
                .bind("reason", note.reason())
                .bind("actor_type", note.cause().actor().type().value())
                .bind("actor_id", note.cause().actor().id())
                .bind("request_key", note.key())
                .bind("at", note.at())
                .bind("stripe_status", note.stripeWork() ? "pending" : "none")
                .bind("stripe_next_try_at", note.stripeWork() ? note.at() : null)
                .prepare(c);
        ResultSet rs = statement.executeQuery()) {
      rs.next();
      id = rs.getLong(1);
    }
    LINES
        .bind("id", id)
        .bind("invoice_id", note.invoiceId())
        .bind("line_no", SqlArrays.array(c, note.parts(), CreditSplit.Part::lineNo))
        .bind("amount", SqlArrays.array(c, note.parts(), CreditSplit.Part::amount))
        .bind("tax", SqlArrays.array(c, note.parts(), CreditSplit.Part::tax))
        .update(c);
    CREDIT_INVOICE
        .bind("total", note.total())
        .bind("due_lowered", note.dueLowered())
        .bind("invoice_id", note.invoiceId())
        .update(c);
    return id;
  }
}
