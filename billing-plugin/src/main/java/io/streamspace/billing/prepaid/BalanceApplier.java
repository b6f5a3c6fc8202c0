package io.streamspace.billing.prepaid;

import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.billing.money.Money;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Pays invoices being finalized from their organizations' prepaid balances, inside the
 * finalization's transaction, after their credits (promotional credits first, then the balance),
 * and gives the payment back when an invoice is voided.
 *
 * <p>Each invoice takes what is still due after its credits, at most what its balance has
 * available (balance - reserved: what running sessions hold stays theirs), as one {@code
 * invoice_applied} entry of source {@code invoice:<id>}: unique, so an invoice is paid from the
 * balance once, whatever runs again. A chunk's invoices of one organization take from its balance
 * in their order.
 */
public final class BalanceApplier {

  /** What an invoice being finalized still owes after its credits, in its currency's minor unit. */
  public record Due(long invoiceId, String orgId, Currency currency, BigDecimal amount) {}

  // the balances of a chunk's organizations that have money available, locked: a chunk where no
  // organization holds one reads no more than this
  private static final NamedSql AVAILABLE =
      NamedSql.of(
          """
          SELECT b.org_id, b.currency, b.balance - b.reserved
          FROM (SELECT DISTINCT * FROM unnest(:org_id::text[], :currency::text[])) AS w(org_id,
                                                                                     currency)
          JOIN billing_prepaid_balances b ON b.org_id = w.org_id AND b.currency = w.currency
          WHERE b.balance > b.reserved
          ORDER BY b.org_id, b.currency
          FOR UPDATE OF b""");

  private static final NamedSql PAID =
      NamedSql.of(
          """
          SELECT org_id, currency, amount FROM billing_prepaid_entries
          WHERE source = :source""");

  private BalanceApplier() {}

  /**
   * Pays each of {@code dues} from its organization's balance as far as it goes; answers what
   * each was paid, in their order (zero in the currency's scale for an invoice paid nothing).
   */
  public static List<BigDecimal> apply(
      Connection connection, List<Due> dues, Instant now, Cause cause) throws SQLException {
    List<Due> owing = dues.stream().filter(d -> d.amount().signum() > 0).toList();
    Map<String, BigDecimal> available = owing.isEmpty() ? Map.of() : available(connection, owing);
    List<NewEntry> entries = new ArrayList<>();
    for (Due due : owing) {
      String key = due.orgId() + ' ' + due.currency().getCurrencyCode();
      BigDecimal left = available.getOrDefault(key, BigDecimal.ZERO);
      BigDecimal paid = left.min(due.amount());
      if (paid.signum() > 0) {
        available.put(key, left.subtract(paid));
        entries.add(
            new NewEntry(
                due.orgId(),
                due.currency(),
                EntryKind.INVOICE_APPLIED,
                paid.negate(),
                "invoice " + due.invoiceId(),
                source(due.invoiceId()),
                due.invoiceId(),
                now,
                cause));
      }
    }
    Map<String, BigDecimal> paid = new HashMap<>();
    for (PrepaidLedger.Posted posted : PrepaidLedger.post(connection, entries)) {
      // a payment posted before (it cannot be: its invoice would not be a draft) is the one
      paid.put(posted.entry().source(), posted.entry().amount().negate());
    }
    return dues.stream()
        .map(d -> paid.getOrDefault(source(d.invoiceId()), Money.zero(d.currency())))
        .toList();
  }

  /**
   * Gives back to its balance what the balance paid of the invoice, as an {@code invoice_voided}
   * entry (source {@code invoice:<id>:void}, once); answers the amount, zero when it paid
   * nothing. The caller holds the invoice's account lock, as a finalization does.
   */
  public static BigDecimal giveBack(Connection connection, long invoiceId, Instant now, Cause cause)
      throws SQLException {
    String orgId;
    Currency currency;
    BigDecimal amount;
    try (PreparedStatement statement = PAID.bind("source", source(invoiceId)).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      if (!rs.next()) {
        return BigDecimal.ZERO;
      }
      orgId = rs.getString(1);
      currency = Currency.getInstance(rs.getString(2).trim());
      amount = rs.getBigDecimal(3).negate();
    }
    PrepaidLedger.post(
        connection,
        List.of(
            new NewEntry(
                orgId,
                currency,
                EntryKind.INVOICE_VOIDED,
                amount,
                "invoice " + invoiceId + " voided",
                source(invoiceId) + ":void",
                invoiceId,
                now,
                cause)));
    return amount;
  }

  /** The source of an invoice's payment from the balance. */
  static String source(long invoiceId) {
    return "invoice:" + invoiceId;
  }

  private static Map<String, BigDecimal> available(Connection connection, List<Due> owing)
      throws SQLException {
    Map<String, BigDecimal> available = new HashMap<>();
    try (PreparedStatement statement =
            AVAILABLE
                .bind("org_id", SqlArrays.array(connection, owing, Due::orgId))
                .bind(
                    "currency",
                    SqlArrays.array(connection, owing, d -> d.currency().getCurrencyCode()))
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        available.put(rs.getString(1) + ' ' + rs.getString(2).trim(), rs.getBigDecimal(3));
      }
    }
    return available;
  }
}
