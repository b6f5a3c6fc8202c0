package io.streamspace.billing.credits;

import io.streamspace.billing.audit.AuditEntry;
import io.streamspace.billing.audit.AuditKinds;
import io.streamspace.billing.audit.AuditTrail;
import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.billing.money.Money;
import io.streamspace.common.db.Transactions;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Records credits' expiry: what an expired credit has left can never be applied any more, so it
 * is moved out of {@code remaining} into {@code expired_amount} ({@code expired_at} = the
 * credit's {@code expires_at}), with one {@code credit.expired} audit entry per credit in the
 * same transaction. A credit used up before its expiry has nothing to forfeit and gets none.
 *
 * <p><b>When a credit is marked.</b> Finalization applies the credits not expired at its own
 * instant: the {@code now} its run (finalize-invoices, generate-invoices, an admin's invoice)
 * took when it started, which is earlier than the moment it reaches an account. A credit
 * expiring during a run may therefore still be applied by that run after its {@code
 * expires_at}. So a credit is marked only once it has been expired for {@link #SETTLED} (a day,
 * far longer than any invoice run: 100,000 accounts take about a minute): by then no
 * finalization that could still take it is running, and what it has left is exactly what will
 * never be applied. The entry comes that much later than the expiry; the money does not move
 * (an expired credit is not applied whether marked or not), and {@code expired_at} tells the
 * instant it expired.
 *
 * <p><b>Exactly once.</b> A run takes, a batch at a time, the accounts of the credits due (those
 * with something left, {@code billing_credits_expiring}), locked as finalization and voids lock
 * them before they touch credits ({@code FOR NO KEY UPDATE}), skipping those another
 * transaction holds: a second node marks the others, and the skipped ones are marked by the
 * next run. Under that lock it zeroes the credits and writes their entries; a marked credit has
 * nothing left and is not found again. A void that later gives an expired credit's use back
 * puts it in {@code remaining} again, and the next run forfeits that too, with its own entry.
 */
public final class CreditExpiry {

  /** How long after its expiry a credit is marked: see the class's comment. */
  public static final Duration SETTLED = Duration.ofDays(1);

  /** Accounts marked per transaction. */
  static final int BATCH = 1_000;

  // the accounts with a credit to mark, through the partial index; locked in user_id order as
  // finalization locks them, those another transaction holds skipped
  static final NamedSql LOCK_ACCOUNTS =
      NamedSql.of(
          """
          SELECT a.user_id FROM billing_accounts a
          WHERE a.user_id IN (SELECT c.user_id FROM billing_credits c
                              WHERE c.remaining > 0 AND c.expires_at <= :expired_by)
          ORDER BY a.user_id
          LIMIT :limit
          FOR NO KEY UPDATE OF a SKIP LOCKED""");

  // under the accounts' locks (this statement's snapshot follows them), nothing else changes
  // these credits: the values read are those replaced
  static final NamedSql MARK =
      NamedSql.of(
          """
          WITH due AS MATERIALIZED (
            SELECT id, remaining, expired_amount FROM billing_credits
            WHERE user_id = ANY(:user_id::text[]) AND remaining > 0 AND expires_at <= :expired_by
            ORDER BY user_id, id
            FOR UPDATE
          )
          UPDATE billing_credits c
          SET remaining = 0, expired_amount = coalesce(d.expired_amount, 0) + d.remaining,
              expired_at = c.expires_at
          FROM due d
          WHERE c.id = d.id
          RETURNING c.id, c.user_id, c.currency, c.expires_at, d.remaining, d.expired_amount,
                    c.expired_amount""");

  private final DataSource dataSource;
  private final Clock clock;

  public CreditExpiry(DataSource dataSource, Clock clock) {
    this.dataSource = dataSource;
    this.clock = clock;
  }

  /**
   * Marks every credit expired for {@link #SETTLED} with something left, with their entries
   * ({@code cause}: the job that noticed); answers how many credits it marked.
   */
  public int markExpired(Cause cause) throws SQLException {
    Instant now = clock.instant();
    Instant expiredBy = now.minus(SETTLED);
    int marked = 0;
    while (true) {
      Batch batch =
          Transactions.inTransaction(dataSource, c -> markBatch(c, expiredBy, now, cause));
      marked += batch.credits();
      if (batch.accounts() < BATCH || batch.credits() == 0) {
        return marked;
      }
    }
  }

  private record Batch(int accounts, int credits) {}

  private static Batch markBatch(Connection connection, Instant expiredBy, Instant now, Cause cause)
      throws SQLException {
    List<String> accounts = new ArrayList<>();
    try (PreparedStatement statement =
            LOCK_ACCOUNTS.bind("expired_by", expiredBy).bind("limit", BATCH).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        accounts.add(rs.getString(1));
      }
    }
    if (accounts.isEmpty()) {
      return new Batch(0, 0);
    }
    List<AuditEntry> entries = new ArrayList<>();
    try (PreparedStatement statement =
            MARK.bind("user_id", SqlArrays.array(connection, accounts, a -> a))
                .bind("expired_by", expiredBy)
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        entries.add(entry(rs, now, cause));
      }
    }
    AuditTrail.recordAll(connection, entries);
    return new Batch(accounts.size(), entries.size());
  }

  /**
   * The entry of one marked credit: before, what it had left (and what an earlier marking
   * forfeited, if any) and its expiry; after, nothing left and all it forfeited.
   */
  private static AuditEntry entry(ResultSet rs, Instant now, Cause cause) throws SQLException {
    Currency currency = Currency.getInstance(rs.getString(3).trim());
    Instant expiresAt = rs.getTimestamp(4).toInstant();
    BigDecimal earlier = rs.getBigDecimal(6);
    Map<String, Object> before = new LinkedHashMap<>();
    before.put("remaining", Money.shown(rs.getBigDecimal(5), currency));
    if (earlier != null) {
      before.put("expired_amount", Money.shown(earlier, currency));
    }
    before.put("currency", currency.getCurrencyCode());
    before.put("expires_at", expiresAt);
    Map<String, Object> after = new LinkedHashMap<>();
    after.put("remaining", Money.shown(BigDecimal.ZERO, currency));
    after.put("expired_amount", Money.shown(rs.getBigDecimal(7), currency));
    after.put("currency", currency.getCurrencyCode());
    after.put("expired_at", expiresAt);
    return new AuditEntry(
        now,
        cause,
        rs.getString(2),
        AuditKinds.CREDIT_EXPIRED,
        "credit:" + rs.getLong(1),
        before,
        after);
  }
}
