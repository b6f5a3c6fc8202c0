package io.streamspace.billing.credits;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import java.math.BigDecimal;
import java.sql.Array;
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

  /** What an invoice being finalized owes before credits, in its currency's minor unit. */
  public record Due(long invoiceId, String orgId, Currency currency, BigDecimal amount) {}

  // the usable credits of every account and currency of a chunk of invoices, locked in
  // consumption order within each account (the account's row is locked first, so only one
  // finalization at a time consumes them)
  private static final NamedSql USABLE =
      NamedSql.of(
          """
          SELECT c.user_id, c.currency, c.id, c.remaining, c.reason
          FROM (SELECT DISTINCT * FROM unnest(:user_id::text[], :currency::text[])) AS w(user_id,
                                                                                        currency)
          JOIN billing_credits c ON c.user_id = w.user_id AND c.currency = w.currency
          WHERE c.remaining > 0 AND (c.expires_at IS NULL OR c.expires_at > :now)
          ORDER BY c.user_id, c.currency, c.expires_at NULLS LAST, c.granted_at, c.id
          FOR UPDATE OF c""");

  // the same credits' sums, read without a lock: what a burn expects the invoice's credits to pay
  private static final NamedSql USABLE_SUMS =
      NamedSql.of(
          """
          SELECT c.user_id, c.currency, sum(c.remaining)
          FROM (SELECT DISTINCT * FROM unnest(:user_id::text[], :currency::text[])) AS w(user_id,
                                                                                        currency)
          JOIN billing_credits c ON c.user_id = w.user_id AND c.currency = w.currency
          WHERE c.remaining > 0 AND (c.expires_at IS NULL OR c.expires_at > :now)
          GROUP BY c.user_id, c.currency""");

  // what a chunk used of each credit, summed per credit (two invoices of one account may share
  // one), taken off relatively: remaining >= 0 is the database's check
  private static final NamedSql SPEND =
      NamedSql.of(
          """
          UPDATE billing_credits c SET remaining = c.remaining - u.amount
          FROM (SELECT id, sum(amount) AS amount
                FROM unnest(:id::text[]::bigint[], :amount::text[]::numeric[]) AS t(id, amount)
                GROUP BY id) u
          WHERE c.id = u.id""");

  private static final NamedSql RECORD =
      NamedSql.of(
          """
          INSERT INTO billing_credit_applications (credit_id, invoice_id, amount, applied_at)
          SELECT credit_id, invoice_id, amount, :now
          FROM unnest(:credit_id::text[]::bigint[], :invoice_id::text[]::bigint[],
                      :amount::text[]::numeric[]) AS t(credit_id, invoice_id, amount)""");

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
   * of invoice {@code invoiceId}; answers the applications, in consumption order. A chunk of one
   * of {@link #apply(Connection, List, Instant)}.
   */
  public static List<Application> apply(
      Connection connection,
      long invoiceId,
      String orgId,
      Currency currency,
      BigDecimal due,
      Instant now)
      throws SQLException {
    return apply(connection, List.of(new Due(invoiceId, orgId, currency, due)), now).get(0);
  }

  /**
   * Applies the accounts' credits to each of {@code dues}, in their order (an earlier invoice of
   * an account uses its credits first), with one statement to lock and read the credits, one to
   * spend them and one to record the uses; answers each invoice's applications, in consumption
   * order.
   */
  public static List<List<Application>> apply(Connection connection, List<Due> dues, Instant now)
      throws SQLException {
    List<Due> owing = dues.stream().filter(d -> d.amount().signum() > 0).toList();
    if (owing.isEmpty()) {
      return dues.stream().map(d -> List.<Application>of()).toList();
    }
    record Usable(long id, String reason, BigDecimal[] left) {}
    Map<String, List<Usable>> usable = new HashMap<>();
    try (PreparedStatement statement =
            USABLE
                .bind("user_id", SqlArrays.array(connection, owing, Due::orgId))
                .bind(
                    "currency",
                    SqlArrays.array(connection, owing, d -> d.currency().getCurrencyCode()))
                .bind("now", now)
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        usable
            .computeIfAbsent(rs.getString(1) + ' ' + rs.getString(2).trim(), k -> new ArrayList<>())
            .add(
                new Usable(rs.getLong(3), rs.getString(5), new BigDecimal[] {rs.getBigDecimal(4)}));
      }
    }
    List<List<Application>> applied = new ArrayList<>(dues.size());
    List<Long> creditIds = new ArrayList<>();
    List<Long> invoiceIds = new ArrayList<>();
    List<BigDecimal> amounts = new ArrayList<>();
    for (Due due : dues) {
      List<Application> applications = new ArrayList<>();
      BigDecimal left = due.amount();
      for (Usable credit :
          usable.getOrDefault(due.orgId() + ' ' + due.currency().getCurrencyCode(), List.of())) {
        if (left.signum() <= 0) {
          break;
        }
        // each credit covers as much of what is still due as it has left
        BigDecimal used = credit.left()[0].min(left);
        if (used.signum() <= 0) {
          continue; // used up by an earlier invoice of the chunk
        }
        credit.left()[0] = credit.left()[0].subtract(used);
        left = left.subtract(used);
        applications.add(new Application(credit.id(), credit.reason(), used));
        creditIds.add(credit.id());
        invoiceIds.add(due.invoiceId());
        amounts.add(used);
      }
      applied.add(applications);
    }
    if (!creditIds.isEmpty()) {
      SPEND
          .bind("id", SqlArrays.array(connection, creditIds, id -> id))
          .bind("amount", SqlArrays.array(connection, amounts, a -> a))
          .update(connection);
      RECORD
          .bind("credit_id", SqlArrays.array(connection, creditIds, id -> id))
          .bind("invoice_id", SqlArrays.array(connection, invoiceIds, id -> id))
          .bind("amount", SqlArrays.array(connection, amounts, a -> a))
          .bind("now", now)
          .update(connection);
    }
    return applied;
  }

  /**
   * What the credits of these organizations in these currencies (parallel arrays) that {@link
   * #apply} would use at {@code now} have left, by {@code "<org> <currency>"} (none: no usable
   * credit), read without locking them: a reader that holds later locks (a prepaid balance's)
   * must not take the credits' after them, which finalization takes before; what it read is
   * corrected when the invoice applies the credits.
   */
  public static Map<String, BigDecimal> usable(
      Connection connection, Array orgIds, Array currencies, Instant now) throws SQLException {
    Map<String, BigDecimal> usable = new HashMap<>();
    try (PreparedStatement statement =
            USABLE_SUMS
                .bind("user_id", orgIds)
                .bind("currency", currencies)
                .bind("now", now)
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        usable.put(rs.getString(1) + ' ' + rs.getString(2).trim(), rs.getBigDecimal(3));
      }
    }
    return usable;
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
