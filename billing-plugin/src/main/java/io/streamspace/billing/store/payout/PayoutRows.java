package io.streamspace.billing.store.payout;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.stripe.TransferGateway.Payout;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Optional;

/** The SQL of payouts and creators' connected accounts (V46), on the caller's connection. */
final class PayoutRows {

  private static final String COLUMNS =
      """
      id, creator_id, to_char(period, 'YYYY-MM'), currency, amount, status, attempts,
      next_attempt_at, last_error, stripe_transfer_id, created_at, paid_at""";

  private static final NamedSql SET_ACCOUNT =
      NamedSql.of(
          """
          INSERT INTO billing_creator_payout_accounts (creator_id, stripe_account, set_at)
          VALUES (:creator_id, :account, :at)
          ON CONFLICT (creator_id) DO UPDATE
            SET stripe_account = EXCLUDED.stripe_account, set_at = EXCLUDED.set_at""");

  private static final NamedSql ACCOUNT =
      NamedSql.of(
          """
          SELECT stripe_account FROM billing_creator_payout_accounts
          WHERE creator_id = :creator_id FOR UPDATE""");

  private static final NamedSql QUEUE =
      NamedSql.of(
          """
          INSERT INTO billing_creator_payouts (creator_id, period, currency, amount, status,
              next_attempt_at, created_at)
          VALUES (:creator_id, :period, :currency, :amount, 'pending', :at, :at)
          ON CONFLICT (creator_id, period, currency) DO NOTHING
          RETURNING id""");

  private static final NamedSql MARK_NO_ACCOUNT =
      NamedSql.of(
          """
          UPDATE billing_creator_payouts p SET last_error = 'no payout account'
          WHERE p.status = 'pending' AND p.last_error IS NULL
            AND NOT EXISTS (SELECT 1 FROM billing_creator_payout_accounts a
                            WHERE a.creator_id = p.creator_id)""");

  private static final NamedSql CLEAR_NO_ACCOUNT =
      NamedSql.of(
          """
          UPDATE billing_creator_payouts SET last_error = NULL
          WHERE creator_id = :creator_id AND status = 'pending'
            AND last_error = 'no payout account'""");

  // one due payout of a creator with an account, not taken by another run; its key names its
  // row (the same on every try, never another payout's) until a refusal gave it a new one
  private static final NamedSql CLAIM =
      NamedSql.of(
          """
          SELECT p.id, p.creator_id, p.period, p.currency, p.amount, p.attempts + 1,
                 coalesce(p.idempotency_key, 'creator-payout-' || p.id), a.stripe_account
          FROM billing_creator_payouts p
          JOIN billing_creator_payout_accounts a ON a.creator_id = p.creator_id
          WHERE p.status <> 'paid' AND p.next_attempt_at <= :now
          ORDER BY p.next_attempt_at, p.id
          LIMIT 1 FOR UPDATE OF p SKIP LOCKED""");

  private static final NamedSql LEASE =
      NamedSql.of(
          """
          UPDATE billing_creator_payouts SET attempts = attempts + 1, next_attempt_at = :until
          WHERE id = :id""");

  // each settles only the try that claimed it: a later claim (the lease ran out) owns it now
  private static final NamedSql PAID =
      NamedSql.of(
          """
          UPDATE billing_creator_payouts
          SET status = 'paid', stripe_transfer_id = :transfer, paid_at = :at, last_error = NULL,
              next_attempt_at = NULL
          WHERE id = :id AND attempts = :attempts AND status <> 'paid'""");

  private static final NamedSql FAILED =
      NamedSql.of(
          """
          UPDATE billing_creator_payouts
          SET status = 'failed', last_error = :error, next_attempt_at = :next,
              idempotency_key = :key
          WHERE id = :id AND attempts = :attempts AND status <> 'paid'""");

  private static final NamedSql OF_CREATOR =
      NamedSql.of(
          "SELECT "
              + COLUMNS
              + " FROM billing_creator_payouts WHERE creator_id = :creator_id"
              + " ORDER BY period DESC, currency, id");

  private static final NamedSql ALL =
      NamedSql.of(
          "SELECT "
              + COLUMNS
              + " FROM billing_creator_payouts ORDER BY period DESC, id"
              + " LIMIT :limit OFFSET :offset");

  private static final NamedSql WITH_STATUS =
      NamedSql.of(
          "SELECT "
              + COLUMNS
              + " FROM billing_creator_payouts WHERE status = :status ORDER BY period DESC, id"
              + " LIMIT :limit OFFSET :offset");

  private static final NamedSql ONE =
      NamedSql.of("SELECT " + COLUMNS + " FROM billing_creator_payouts WHERE id = :id");

  private static final NamedSql BACKLOG =
      NamedSql.of("SELECT count(*) FROM billing_creator_payouts WHERE status <> 'paid'");

  private PayoutRows() {}

  /** The creator's connected account, locked until the transaction ends; empty for none. */
  static Optional<String> lockAccount(Connection c, String creatorId) throws SQLException {
    try (PreparedStatement s = ACCOUNT.bind("creator_id", creatorId).prepare(c);
        ResultSet rs = s.executeQuery()) {
      return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
    }
  }

  static void setAccount(Connection c, String creatorId, String account, Instant at)
      throws SQLException {
    SET_ACCOUNT.bind("creator_id", creatorId).bind("account", account).bind("at", at).update(c);
    CLEAR_NO_ACCOUNT.bind("creator_id", creatorId).update(c);
  }

  /** Queues the payout unless the month already has it; its id, empty when it had. */
  static Optional<Long> queue(Connection c, PayoutsDue.Due due, Instant at) throws SQLException {
    try (PreparedStatement s =
            QUEUE
                .bind("creator_id", due.creatorId())
                .bind("period", Date.valueOf(due.period().atDay(1)))
                .bind("currency", due.currency().getCurrencyCode())
                .bind("amount", due.amount())
                .bind("at", at)
                .prepare(c);
        ResultSet rs = s.executeQuery()) {
      return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
    }
  }

  /** Says why the pending payouts of creators without an account wait. */
  static int markNoAccount(Connection c) throws SQLException {
    return MARK_NO_ACCOUNT.binding().update(c);
  }

  /** Claims one due payout until {@code until}, counting the try; empty when none is due. */
  static Optional<Payout> claim(Connection c, Instant now, Instant until) throws SQLException {
    Payout claimed;
    try (PreparedStatement s = CLAIM.bind("now", now).prepare(c);
        ResultSet rs = s.executeQuery()) {
      if (!rs.next()) {
        return Optional.empty();
      }
      claimed =
          new Payout(
              rs.getLong(1),
              rs.getString(2),
              YearMonth.from(rs.getDate(3).toLocalDate()),
              Currency.getInstance(rs.getString(4)),
              exact(rs.getBigDecimal(5)),
              rs.getInt(6),
              rs.getString(7),
              rs.getString(8));
    }
    LEASE.bind("until", until).bind("id", claimed.id()).update(c);
    return Optional.of(claimed);
  }

  /** Records the try's transfer; false when the try no longer owns the payout. */
  static boolean paid(Connection c, Payout payout, String transferId, Instant at)
      throws SQLException {
    return PAID.bind("transfer", transferId)
            .bind("at", at)
            .bind("id", payout.id())
            .bind("attempts", payout.attempts())
            .update(c)
        == 1;
  }

  /** Records the failed try: when the next is due (null: never), and under which key. */
  static boolean failed(Connection c, Payout payout, String error, Instant next, String key)
      throws SQLException {
    return FAILED
            .bind("error", error)
            .bind("next", next == null ? null : Timestamp.from(next))
            .bind("key", key)
            .bind("id", payout.id())
            .bind("attempts", payout.attempts())
            .update(c)
        == 1;
  }

  static List<CreatorPayout> ofCreator(Connection c, String creatorId) throws SQLException {
    return list(c, OF_CREATOR.bind("creator_id", creatorId));
  }

  static List<CreatorPayout> all(Connection c, String status, int limit, int offset)
      throws SQLException {
    NamedSql.Binding query =
        status == null
            ? ALL.bind("limit", limit).bind("offset", offset)
            : WITH_STATUS.bind("status", status).bind("limit", limit).bind("offset", offset);
    return list(c, query);
  }

  static CreatorPayout one(Connection c, long id) throws SQLException {
    return list(c, ONE.bind("id", id)).get(0);
  }

  static long backlog(Connection c) throws SQLException {
    try (PreparedStatement s = BACKLOG.binding().prepare(c);
        ResultSet rs = s.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static List<CreatorPayout> list(Connection c, NamedSql.Binding query)
      throws SQLException {
    try (PreparedStatement s = query.prepare(c);
        ResultSet rs = s.executeQuery()) {
      List<CreatorPayout> payouts = new ArrayList<>();
      while (rs.next()) {
        Currency currency = Currency.getInstance(rs.getString(4));
        payouts.add(
            new CreatorPayout(
                rs.getLong(1),
                rs.getString(2),
                rs.getString(3),
                currency.getCurrencyCode(),
                shown(rs.getBigDecimal(5), currency),
                rs.getString(6),
                rs.getInt(7),
                instant(rs.getTimestamp(8)),
                rs.getString(9),
                rs.getString(10),
                instant(rs.getTimestamp(11)),
                instant(rs.getTimestamp(12))));
      }
      return payouts;
    }
  }

  /** The amount at its currency's decimals (4,855.00 USD, 120000 VND), finer only if it is. */
  private static BigDecimal shown(BigDecimal amount, Currency currency) {
    int digits = Math.max(Money.minorDigits(currency), amount.stripTrailingZeros().scale());
    return amount.setScale(digits);
  }

  /** The stored amount without the column's trailing zeros: 1.0050 is 1.005, 120000 stays. */
  private static BigDecimal exact(BigDecimal stored) {
    BigDecimal stripped = stored.stripTrailingZeros();
    return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
  }

  private static Instant instant(Timestamp timestamp) {
    return timestamp == null ? null : timestamp.toInstant();
  }
}
