package io.streamspace.billing.corrections;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.json.JsonMapper;
import io.streamspace.common.db.Transactions;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The step that gives a correction's credits ({@code billing_correction_credits}, V87, V96), one
 * invoice at a time, each in a transaction of its own that locks the credit's row, gives it
 * through the {@link CreditNoteIssuer} (a credit note for what the invoice holds, an account
 * credit for the rest) and records what it gave: a credit already given is left, so a retry, a
 * second node or a resume after a crash gives each once. One the credit notes refuse (a void
 * invoice, a payment under way) is left pending (logged), and the correction's other steps go
 * on: the next resume tries it again.
 */
final class CorrectionCredits {

  private static final Logger log = LoggerFactory.getLogger(CorrectionCredits.class);

  private static final NamedSql PENDING =
      NamedSql.of(
          """
          SELECT invoice_id FROM billing_correction_credits
          WHERE correction_id = :correction AND issued_at IS NULL ORDER BY invoice_id""");

  private static final NamedSql LOCK =
      NamedSql.of(
          """
          SELECT c.lines::text, r.reason FROM billing_correction_credits c
          JOIN billing_corrections r ON r.id = c.correction_id
          WHERE c.correction_id = :correction AND c.invoice_id = :invoice
            AND c.issued_at IS NULL
          FOR UPDATE OF c""");

  private static final NamedSql ISSUED =
      NamedSql.of(
          """
          UPDATE billing_correction_credits
          SET credit_note_id = :note, carried = :carried, credit_id = :credit, issued_at = :now
          WHERE correction_id = :correction AND invoice_id = :invoice""");

  private final DataSource dataSource;
  private final CreditNoteIssuer issuer;

  /** @param issuer null: none is wired, the credits wait */
  CorrectionCredits(DataSource dataSource, CreditNoteIssuer issuer) {
    this.dataSource = dataSource;
    this.issuer = issuer;
  }

  /** Whether an issuer is wired: without one, credits wait. */
  boolean issuing() {
    return issuer != null;
  }

  /** Gives the correction's credits not given yet. */
  void issue(long correctionId, Instant now) throws SQLException {
    if (issuer == null) {
      return;
    }
    for (long invoiceId : pending(correctionId)) {
      CreditNoteIssuer.Given given;
      try {
        given =
            Transactions.inTransaction(
                dataSource, connection -> issue(connection, correctionId, invoiceId, now));
      } catch (CreditNoteIssuer.Refused refused) {
        // the correction stands: its credit waits, listed pending, for the next resume
        log.warn("correction {}: credit left pending, {}", correctionId, refused.getMessage());
        continue;
      }
      if (given != null) {
        issuer.committed(given);
      }
    }
  }

  /** Gives one credit, unless it was meanwhile; answers what it gave (null: it was). */
  private CreditNoteIssuer.Given issue(
      Connection connection, long correctionId, long invoiceId, Instant now)
      throws SQLException, CreditNoteIssuer.Refused {
    Map<Integer, BigDecimal> lines = new TreeMap<>();
    String reason;
    try (PreparedStatement statement =
            LOCK.bind("correction", correctionId).bind("invoice", invoiceId).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      if (!rs.next()) {
        return null; // issued meanwhile
      }
      JsonMapper.decimals(rs.getString(1))
          .forEach((line, amount) -> lines.put(Integer.valueOf(line), amount));
      reason = rs.getString(2);
    }
    CreditNoteIssuer.Given given =
        issuer.issue(
            connection,
            invoiceId,
            lines,
            reason,
            "correction:" + correctionId + ":invoice:" + invoiceId);
    ISSUED
        .bind("note", given.creditNoteId())
        .bind("carried", given.carried())
        .bind("credit", given.creditId())
        .bind("now", now)
        .bind("correction", correctionId)
        .bind("invoice", invoiceId)
        .update(connection);
    return given;
  }

  private List<Long> pending(long correctionId) throws SQLException {
    return Transactions.inTransaction(
        dataSource,
        connection -> {
          List<Long> ids = new ArrayList<>();
          try (PreparedStatement statement =
                  PENDING.bind("correction", correctionId).prepare(connection);
              ResultSet rs = statement.executeQuery()) {
            while (rs.next()) {
              ids.add(rs.getLong(1));
            }
          }
          return ids;
        });
  }
}
