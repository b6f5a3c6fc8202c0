package io.streamspace.billing.explain;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.invoicing.InvoiceView;
import io.streamspace.billing.invoicing.InvoiceView.Line;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.money.MoneyText;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;

/**
 * A credit line's record: the credit used, who granted it, why, and when it expires; for a fault
 * credit, the session and the minutes it gave back, traced to the session's events (the terminate
 * that ended it among them).
 */
final class CreditRecords {

  private static final NamedSql CREDITS_USED =
      NamedSql.of(
          """
          SELECT a.credit_id, a.amount, c.reason, c.granted_by, c.granted_at, c.expires_at,
                 c.amount, f.session_id, f.credited_from, f.ended_at, f.event_id
          FROM billing_credit_applications a JOIN billing_credits c ON c.id = a.credit_id
          LEFT JOIN billing_fault_credits f ON f.credit_id = c.id
          WHERE a.invoice_id = :invoice_id ORDER BY a.id""");

  private CreditRecords() {}

  /**
   * A credit line: the k-th credit line of the invoice is its k-th credit use (finalization
   * stores them in the order it consumed the credits: earliest expiry, then oldest grant).
   */
  static Records of(
      Connection connection, InvoiceView.WithLines document, Line line, Currency currency)
      throws SQLException {
    int k = Records.placeAmongItsKind(document, line);
    List<ExplainedRecord> uses = new ArrayList<>();
    try (PreparedStatement statement =
            CREDITS_USED.bind("invoice_id", document.invoice().id()).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        BigDecimal applied = rs.getBigDecimal(2).negate();
        String granted =
            "credit "
                + rs.getLong(1)
                + " of "
                + MoneyText.of(rs.getBigDecimal(7), currency)
                + " granted by "
                + rs.getString(4)
                + " ("
                + rs.getString(3)
                + "), used up to what was still due";
        String faultSession = rs.getString(8);
        uses.add(
            faultSession == null
                ? used(
                    applied,
                    currency,
                    null,
                    rs.getTimestamp(5).toInstant(),
                    rs.getTimestamp(6) == null ? null : rs.getTimestamp(6).toInstant(),
                    granted + "; from is when it was granted, to when it expires")
                : used(
                    applied,
                    currency,
                    faultSession,
                    rs.getTimestamp(9).toInstant(),
                    rs.getTimestamp(10).toInstant(),
                    granted
                        + "; from and to are the minutes of session "
                        + faultSession
                        + " it gave back, to its end by the terminate event "
                        + rs.getString(11)));
      }
    }
    ExplainedRecord use =
        k < uses.size() && uses.get(k).amount().compareTo(line.amount()) == 0
            ? uses.get(k)
            : uses.stream()
                .filter(u -> u.amount().compareTo(line.amount()) == 0)
                .findFirst()
                .orElseThrow(
                    () ->
                        new IllegalStateException(
                            "no credit use of " + line.amount() + " on the invoice"));
    return new Records.Listed(
        "A credit applied to what the invoice's charges come to (credits are used earliest"
            + " expiry first, then oldest grant): negative.",
        List.of(use),
        use.amount());
  }

  private static ExplainedRecord used(
      BigDecimal applied,
      Currency currency,
      String sessionId,
      Instant from,
      Instant to,
      String detail) {
    return new ExplainedRecord(
        1,
        "credit_application",
        sessionId,
        null,
        from,
        to,
        null,
        null,
        null,
        null,
        Money.shown(applied, currency),
        Figures.step(currency),
        Money.shown(applied, currency),
        detail,
        null,
        List.of());
  }
}
