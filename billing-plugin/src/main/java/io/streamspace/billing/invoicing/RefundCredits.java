package io.streamspace.billing.invoicing;

import io.streamspace.billing.audit.AuditEntry;
import io.streamspace.billing.audit.AuditKinds;
import io.streamspace.billing.audit.AuditTrail;
import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.db.NamedSql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The credits that admins' refunds of an invoice's store purchases granted, ended when the
 * invoice is voided. A refund of a purchase an invoice billed gives its price back as a credit
 * (the organization pays the invoice, the credit evens it out); a void gives back the invoice's
 * whole charge, the purchase's line included, so the credit would give the same money back a
 * second time. Each such credit ends at the void: its {@code expires_at} moves to the void's
 * instant, so no finalization after it applies the credit, and check-quotas forfeits what it had
 * left a day later as any expired credit's ({@code credit.expired}). The end is one {@code
 * credit.revoked} entry per credit, in the void's transaction. What the credit paid of invoices
 * finalized before the void stays paid.
 */
final class RefundCredits {

  // the purchases' credits not ended yet, held, then ended at the void; before the void
  // releases the purchases from the invoice (their invoice_id is what finds them)
  private static final NamedSql END =
      NamedSql.of(
          """
          WITH held AS (
            SELECT c.id, c.expires_at
            FROM billing_store_purchases p
            JOIN billing_credits c ON c.id = p.refund_credit_id
            WHERE p.invoice_id = :invoice_id AND p.refund_credit_id IS NOT NULL
              AND (c.expires_at IS NULL OR c.expires_at > :now)
            ORDER BY c.id
            FOR UPDATE OF c
          )
          UPDATE billing_credits c SET expires_at = :now
          FROM held h WHERE c.id = h.id
          RETURNING c.id, c.user_id, c.amount, c.remaining, c.currency,
                    h.expires_at AS expires_before""");

  private RefundCredits() {}

  /** Ends them, with their entries, in the void's transaction (the invoice held). */
  static void endAtVoid(Connection c, long invoiceId, Instant now, Cause cause)
      throws SQLException {
    List<AuditEntry> entries = new ArrayList<>();
    try (PreparedStatement statement =
            END.bind("invoice_id", invoiceId).bind("now", now).prepare(c);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        Map<String, Object> before = new LinkedHashMap<>();
        before.put("amount", rs.getBigDecimal("amount"));
        before.put("remaining", rs.getBigDecimal("remaining"));
        before.put("currency", rs.getString("currency"));
        before.put("expires_at", instant(rs.getTimestamp("expires_before")));
        Map<String, Object> after = new LinkedHashMap<>(before);
        after.put("expires_at", now.toString());
        after.put("voided_invoice_id", invoiceId);
        entries.add(
            new AuditEntry(
                now,
                cause,
                rs.getString("user_id"),
                AuditKinds.CREDIT_REVOKED,
                "credit:" + rs.getLong("id"),
                before,
                after));
      }
    }
    AuditTrail.recordAll(c, entries);
  }

  private static String instant(Timestamp at) {
    return at == null ? null : at.toInstant().toString();
  }
}
