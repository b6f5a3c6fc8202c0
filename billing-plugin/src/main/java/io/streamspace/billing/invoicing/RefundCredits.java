package io.streamspace.billing.invoicing;

import io.streamspace.billing.audit.AuditEntry;
import io.streamspace.billing.audit.AuditKinds;
import io.streamspace.billing.audit.AuditTrail;
import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.db.NamedSql;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
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
 * second time.
 *
 * <p>At the void each such credit is forfeited whole, at once: what it has left moves to {@code
 * expired_amount} ({@code remaining} 0, {@code expires_at} and {@code expired_at} the void's
 * instant), so no finalization applies it after, whenever its run began; one {@code
 * credit.revoked} entry per credit, in the void's transaction. A credit that has paid part of an
 * invoice already cannot be taken back so: the void is refused ({@link
 * RefundCreditUsedException}) until the invoices it paid are voided first, which gives its use
 * back.
 */
final class RefundCredits {

  private static final NamedSql HELD =
      NamedSql.of(
          """
          SELECT id, amount, remaining, currency FROM billing_credits
          WHERE id = ANY (:ids::bigint[]) ORDER BY id FOR UPDATE""");

  private static final NamedSql FORFEITED =
      NamedSql.of(
          """
          UPDATE billing_credits
          SET expires_at = :now, expired_at = :now,
              expired_amount = coalesce(expired_amount, 0) + remaining, remaining = 0
          WHERE id = ANY (:ids::bigint[]) AND remaining > 0
          RETURNING id, user_id, amount, expired_amount, currency""");

  private RefundCredits() {}

  /**
   * Forfeits the credits {@code creditIds} (those the void just released purchases of, {@code
   * refund_credit_id}), with their entries, in the void's transaction (the account held).
   *
   * @throws RefundCreditUsedException when one has paid part of an invoice: the caller rolls
   *     back
   */
  static void endAtVoid(
      Connection c, List<Long> creditIds, long invoiceId, Instant now, Cause cause)
      throws SQLException, RefundCreditUsedException {
    if (creditIds.isEmpty()) {
      return;
    }
    String[] ids = creditIds.stream().map(String::valueOf).toArray(String[]::new);
    try (PreparedStatement statement = HELD.bind("ids", ids).prepare(c);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        BigDecimal used = rs.getBigDecimal("amount").subtract(rs.getBigDecimal("remaining"));
        if (used.signum() > 0) {
          throw new RefundCreditUsedException(
              invoiceId, rs.getLong("id"), used, rs.getString("currency"));
        }
      }
    }
    List<AuditEntry> entries = new ArrayList<>();
    try (PreparedStatement statement = FORFEITED.bind("ids", ids).bind("now", now).prepare(c);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        BigDecimal amount = rs.getBigDecimal("amount");
        Map<String, Object> before = new LinkedHashMap<>();
        before.put("amount", amount);
        before.put("remaining", amount);
        before.put("currency", rs.getString("currency"));
        Map<String, Object> after = new LinkedHashMap<>(before);
        after.put("remaining", BigDecimal.ZERO);
        after.put("expired_amount", rs.getBigDecimal("expired_amount"));
        after.put("expired_at", now.toString());
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
}
