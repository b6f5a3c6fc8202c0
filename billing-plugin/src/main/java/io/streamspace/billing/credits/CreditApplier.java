package io.streamspace.billing.credits;

import io.streamspace.billing.db.NamedSql;
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
 * Applies an account's credits to an invoice being finalized, inside the finalization's
 * transaction, and gives them back when an invoice is voided.
 *
 * <p>Consumption order: earliest expiry first (credits that never expire last), then the oldest
 * grant, then the lowest id. Only credits in the invoice's currency that have not expired at the
 * finalization instant are used; each one covers as much of what is still due as it has left,
 * so the last one used may be used partially and keeps the rest. Every use is a row of
 * {@code billing_credit_applications}.
 *
 * <p>Concurrency: the credits are locked ({@code FOR UPDATE}, in consumption order, so two runs
 * never deadlock on them) before their balance is read, and decremented relatively, with
 * {@code remaining >= 0} checked by the database: two finalizations for one account never spend
 * more than its balance.
 */
public final class CreditApplier {

  /** One use of a credit on an invoice. */
  public record Application(long creditId, String reason, BigDecimal amount) {}

  private static final NamedSql USABLE =
      NamedSql.of(
          """
          SELECT id, remaining, reason FROM billing_credits
          WHERE user_id = :user_id AND currency = :currency AND remaining > 0
            AND (expires_at IS NULL OR expires_at > :now)
          ORDER BY expires_at NULLS LAST, granted_at, id
          FOR UPDATE""");

  private static final NamedSql SPEND =
      NamedSql.of("UPDATE billing_credits SET remaining = remaining - :amount WHERE id = :id");

  private static final NamedSql RECORD =
      NamedSql.of(
          """
          INSERT INTO billing_credit_applications (credit_id, invoice_id, amount, applied_at)
          VALUES (:credit_id, :invoice_id, :amount, :now)""");

  private static final NamedSql GIVE_BACK =
      NamedSql.of(
          """
          UPDATE billing_credits c SET remaining = c.remaining + a.amount
          FROM billing_credit_applications a
          WHERE a.invoice_id = :invoice_id AND a.reversed_at IS NULL AND c.id = a.credit_id""");

  private static final NamedSql REVERSE =
      NamedSql.of(
          """
          UPDATE billing_credit_applications SET reversed_at = :now
          WHERE invoice_id = :invoice_id AND reversed_at IS NULL""");

  private CreditApplier() {}

  /**
   * Applies the account's credits to {@code due} (in the currency's minor unit, as credits are)
   * of invoice {@code invoiceId}; answers the applications, in consumption order.
   */
  public static List<Application> apply(
      Connection connection,
      long invoiceId,
      String userId,
      Currency currency,
      BigDecimal due,
      Instant now)
      throws SQLException {
    List<Application> applications = new ArrayList<>();
    if (due.signum() <= 0) {
      return applications;
    }
    BigDecimal left = due;
    try (PreparedStatement statement =
            USABLE
                .bind("user_id", userId)
                .bind("currency", currency.getCurrencyCode())
                .bind("now", now)
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (left.signum() > 0 && rs.next()) {
        BigDecimal used = rs.getBigDecimal(2).min(left);
        applications.add(new Application(rs.getLong(1), rs.getString(3), used));
        left = left.subtract(used);
      }
    }
    for (Application application : applications) {
      SPEND
          .bind("amount", application.amount())
          .bind("id", application.creditId())
          .update(connection);
      RECORD
          .bind("credit_id", application.creditId())
          .bind("invoice_id", invoiceId)
          .bind("amount", application.amount())
          .bind("now", now)
          .update(connection);
    }
    return applications;
  }

  /**
   * Restores what the invoice used of each credit (expired ones too: they just stay unused) and
   * marks its applications reversed at {@code now}; answers how many were reversed.
   */
  public static int giveBack(Connection connection, long invoiceId, Instant now)
      throws SQLException {
    GIVE_BACK.bind("invoice_id", invoiceId).update(connection);
    return REVERSE.bind("now", now).bind("invoice_id", invoiceId).update(connection);
  }
}
