package io.streamspace.billing.hold;

import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.money.MoneyText;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * The read-only lock for non-payment: an account is locked (a {@link HoldReason#NON_PAYMENT}
 * hold) while it has an invoice {@code overdue} for longer than {@code paymentGraceDays} after
 * its due date, and unlocked as soon as it has none: paid or voided ({@link #settled}), or
 * waived by an admin's {@link #unlock}, which waives the invoices overdue at that moment (a later
 * one overdue past its grace locks the account again).
 *
 * <p>Each change re-checks its condition in the hold's own transaction, locking the invoices it
 * reads ({@link AccountHolds.First}): a payment committing meanwhile either waits for the lock
 * and then lifts it, or is seen and no lock is placed.
 */
public final class PaymentLock {

  /** Who the automatic unlock is lifted by when the last overdue invoice is settled. */
  private static final String LIFTED_BY = AccountHolds.LIFTED_BY_BILLING;

  // the invoices that lock their account, without one: number, total, currency, due date
  private static final String LOCKING =
      """
      FROM billing_invoices i
      WHERE i.status = 'overdue' AND i.lock_waived_at IS NULL AND i.due_at <= :due_before""";

  private static final NamedSql TO_LOCK =
      NamedSql.of(
          """
          SELECT i.user_id, string_agg(i.invoice_number, ', ' ORDER BY i.due_at, i.id),
              count(*), sum(i.total - i.credited_due), min(i.currency), min(i.due_at)
          %s AND NOT EXISTS (
              SELECT 1 FROM billing_account_holds h
              WHERE h.user_id = i.user_id AND h.reason = 'non_payment' AND h.lifted_at IS NULL)
          GROUP BY i.user_id ORDER BY i.user_id"""
              .formatted(LOCKING));

  private static final NamedSql TO_UNLOCK =
      NamedSql.of(
          """
          SELECT h.user_id FROM billing_account_holds h
          WHERE h.reason = 'non_payment' AND h.lifted_at IS NULL
            AND NOT EXISTS (SELECT 1 %s AND i.user_id = h.user_id)
          ORDER BY h.user_id"""
              .formatted(LOCKING));

  // in id order, so two nodes checking the same account lock its invoices in the same order
  private static final NamedSql LOCKING_OF =
      NamedSql.of(
          "SELECT i.id %s AND i.user_id = :user_id ORDER BY i.id FOR UPDATE".formatted(LOCKING));

  // A write the lock refuses (a pack bought or renewed) and the placing of the lock each take
  // the account's row first, SHARE and NO KEY UPDATE, which conflict: a lock placed while the
  // write runs waits for it (the write came first), and a write while the lock is being placed
  // waits for it, then sees the hold and is refused. No purchase slips in between a check and
  // its insert.
  private static final NamedSql ACCOUNT_FOR_WRITE =
      NamedSql.of("SELECT 1 FROM billing_accounts WHERE user_id = :user_id FOR SHARE");

  private static final NamedSql ACCOUNT_FOR_LOCK =
      NamedSql.of("SELECT 1 FROM billing_accounts WHERE user_id = :user_id FOR NO KEY UPDATE");

  // an admin's unlock waives all of them; in id order, as LOCKING_OF, so the two never deadlock
  private static final NamedSql OVERDUE_OF =
      NamedSql.of(
          """
          SELECT id FROM billing_invoices
          WHERE user_id = :user_id AND status = 'overdue' AND lock_waived_at IS NULL
          ORDER BY id FOR UPDATE""");

  private static final NamedSql WAIVE =
      NamedSql.of("UPDATE billing_invoices SET lock_waived_at = :now WHERE id = :id");

  private final DataSource dataSource;
  private final AccountHolds holds;
  private final Supplier<BillingConfig> config;
  private final Clock clock;

  public PaymentLock(
      DataSource dataSource, AccountHolds holds, Supplier<BillingConfig> config, Clock clock) {
    this.dataSource = dataSource;
    this.holds = holds;
    this.config = config;
    this.clock = clock;
  }

  /** What one check did: accounts locked and unlocked. */
  public record Checked(int locked, int unlocked) {}

  /**
   * Locks every account with an invoice overdue past the grace now, and unlocks every locked one
   * that has none left (paid, voided, or the grace raised): one statement finds each. {@code
   * cause}: the check-quotas run that checks, as the audit trail tells it.
   */
  public Checked check(Cause cause) throws SQLException {
    Instant now = clock.instant();
    Instant dueBefore = dueBefore(now);
    List<Locking> toLock = new ArrayList<>();
    List<String> toUnlock = new ArrayList<>();
    try (Connection connection = dataSource.getConnection()) {
      try (PreparedStatement statement = TO_LOCK.bind("due_before", dueBefore).prepare(connection);
          ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          toLock.add(Locking.of(rows));
        }
      }
      try (PreparedStatement statement =
              TO_UNLOCK.bind("due_before", dueBefore).prepare(connection);
          ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          toUnlock.add(rows.getString(1));
        }
      }
    }
    int locked = 0;
    for (Locking account : toLock) {
      if (holds
          .place(
              account.orgId(),
              HoldReason.NON_PAYMENT,
              account.detail(config.get()),
              c ->
                  exists(ACCOUNT_FOR_LOCK.bind("user_id", account.orgId()), c)
                      && hasLocking(c, account.orgId(), dueBefore),
              cause)
          .isPresent()) {
        locked++;
      }
    }
    int unlocked = 0;
    for (String orgId : toUnlock) {
      if (unlockIfSettled(orgId, dueBefore, cause)) {
        unlocked++;
      }
    }
    return new Checked(locked, unlocked);
  }

  /**
   * An invoice of the account was paid or voided: unlocks it at once when no invoice overdue
   * past the grace is left.
   *
   * @return whether this call unlocked it
   */
  public boolean settled(String orgId) throws SQLException {
    return unlockIfSettled(orgId, dueBefore(clock.instant()), AccountHolds.BY_BILLING);
  }

  /**
   * An admin unlocks the account by hand: the invoices overdue now are waived (they lock it no
   * more, though they are still due), in the transaction that lifts the hold.
   *
   * @param admin the admin, with their reason (the hold's lift note) and request
   * @return the lifted hold; empty when the account was not locked (nothing waived)
   */
  public Optional<Hold> unlock(String orgId, Cause admin) throws SQLException {
    Instant now = clock.instant();
    return holds.lift(
        orgId,
        HoldReason.NON_PAYMENT,
        admin.actor().id(),
        admin.reason(),
        c -> waive(c, orgId, now),
        admin);
  }

  /**
   * Waives the account's overdue invoices if it is locked. Their rows are locked first, so a lock
   * being placed meanwhile (it locks them too) is waited for and then seen: it is lifted with
   * its invoices waived, never lifted with them left to lock the account again.
   *
   * @return whether the account is locked (nothing is waived when not)
   */
  private static boolean waive(Connection connection, String orgId, Instant now)
      throws SQLException {
    List<Long> overdue = new ArrayList<>();
    try (PreparedStatement statement = OVERDUE_OF.bind("user_id", orgId).prepare(connection);
        ResultSet rows = statement.executeQuery()) {
      while (rows.next()) {
        overdue.add(rows.getLong(1));
      }
    }
    if (HoldStore.active(connection, orgId).stream()
        .noneMatch(hold -> hold.reason() == HoldReason.NON_PAYMENT)) {
      return false;
    }
    for (long invoiceId : overdue) {
      WAIVE.bind("now", now).bind("id", invoiceId).update(connection);
    }
    return true;
  }

  private boolean unlockIfSettled(String orgId, Instant dueBefore, Cause cause)
      throws SQLException {
    return holds
        .lift(
            orgId,
            HoldReason.NON_PAYMENT,
            LIFTED_BY,
            null,
            c -> !hasLocking(c, orgId, dueBefore),
            cause)
        .isPresent();
  }

  /**
   * In the transaction of a write the lock refuses, before it writes: the lock's sentence when
   * the account is locked, else empty, the account's row then held until the write commits so
   * no lock is placed meanwhile (ACCOUNT_FOR_WRITE).
   */
  public static Optional<String> lockedDuring(Connection connection, String orgId)
      throws SQLException {
    exists(ACCOUNT_FOR_WRITE.bind("user_id", orgId), connection);
    return HoldStore.active(connection, orgId).stream()
        .filter(hold -> hold.reason() == HoldReason.NON_PAYMENT)
        .map(Hold::detail)
        .findFirst();
  }

  /** Whether the account has an invoice that locks it, locking those rows. */
  private static boolean hasLocking(Connection connection, String orgId, Instant dueBefore)
      throws SQLException {
    return exists(LOCKING_OF.bind("due_before", dueBefore).bind("user_id", orgId), connection);
  }

  private static boolean exists(NamedSql.Binding query, Connection connection) throws SQLException {
    try (PreparedStatement statement = query.prepare(connection);
        ResultSet rows = statement.executeQuery()) {
      return rows.next();
    }
  }

  /** An invoice due at or before this instant has been overdue for the whole grace at now. */
  private Instant dueBefore(Instant now) {
    BillingConfig current = config.get();
    // days in the billing zone, as the due date is paymentTermsDays after finalization
    return now.atZone(current.billingTimeZone()).minusDays(current.paymentGraceDays()).toInstant();
  }

  /** An account to lock: its invoices overdue past the grace, what they total, the oldest due. */
  private record Locking(
      String orgId, String numbers, long count, BigDecimal due, Currency currency, Instant since) {

    static Locking of(ResultSet row) throws SQLException {
      return new Locking(
          row.getString(1),
          row.getString(2),
          row.getLong(3),
          row.getBigDecimal(4),
          Currency.getInstance(row.getString(5)),
          row.getTimestamp(6).toInstant());
    }

    /** The sentence the user is refused and suspended with: what is unpaid, how to unlock. */
    String detail(BillingConfig config) {
      LocalDate dueDate = since.atZone(config.billingTimeZone()).toLocalDate();
      String amount = MoneyText.of(due, currency);
      return count == 1
          ? "Invoice %s (%s) is overdue since %s: the account is read-only until it is paid."
              .formatted(numbers, amount, dueDate)
          : "Invoices %s (%s in all) are overdue since %s: the account is read-only until they"
                  .formatted(numbers, amount, dueDate)
              + " are paid.";
    }
  }
}
