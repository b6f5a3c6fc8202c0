package io.streamspace.billing.packs;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.events.PackExpiry;
import io.streamspace.common.db.Sql;
import io.streamspace.common.db.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * Announces the end of one-time packs' validities: {@code expiring} once the end is {@code
 * notice} away or less, {@code expired} once it has passed (with the purchase's {@code expired}
 * history row), each once per purchase and end. A validity a renewal continues (the renewal's
 * starts at its end) does not end: no notice of it is due, and the renewal's end gets its own.
 * Each notice's row is claimed (committed) before it is published, and only the claim that made
 * the row publishes, so a re-run, a second node or a restart never sends it twice; a crash between
 * the claim and the publish loses that one notice rather than repeating it.
 */
public final class PackNotices {

  /**
   * The validities (a one-time purchase's {@code bought} or {@code renewed}) ending at or before
   * {@code :due} and not continued by another, whose {@code :kind} notice was not sent, and that
   * had not ended yet at {@code :after} (null: however long ago); the validity a Checkout payment
   * refunded at Stripe bought ended at its refund, so it gets no notice if it ends after that (a
   * renewal's, billed on an invoice, does).
   */
  private static final NamedSql DUE =
      NamedSql.of(
          """
          SELECT p.id, p.user_id, p.pack_id, p.pack_name, e.valid_until, p.currency
          FROM billing_pack_events e
          JOIN billing_pack_purchases p ON p.id = e.purchase_id
          WHERE p.kind = 'one_time' AND e.kind IN ('bought', 'renewed')
            AND e.valid_until <= :due
            AND (e.kind = 'renewed' OR p.refunded_at IS NULL OR p.refunded_at >= e.valid_until)
            AND (CAST(:after AS timestamptz) IS NULL OR e.valid_until > :after)
            AND NOT EXISTS (
              SELECT 1 FROM billing_pack_events n
              WHERE n.purchase_id = e.purchase_id AND n.kind IN ('bought', 'renewed')
                AND n.valid_from <= e.valid_until AND n.valid_until > e.valid_until)
            AND NOT EXISTS (
              SELECT 1 FROM billing_pack_notices x
              WHERE x.purchase_id = e.purchase_id AND x.kind = :kind
                AND x.valid_until = e.valid_until)
          ORDER BY e.valid_until, p.id""");

  private static final NamedSql CLAIM =
      NamedSql.of(
          """
          INSERT INTO billing_pack_notices (purchase_id, kind, valid_until, sent_at)
          VALUES (:purchase_id, :kind, :valid_until, :now)
          ON CONFLICT DO NOTHING""");

  private static final NamedSql EXPIRED_EVENT =
      NamedSql.of(
          """
          INSERT INTO billing_pack_events (purchase_id, kind, at, currency, billed)
          VALUES (:purchase_id, 'expired', :valid_until, :currency, false)""");

  private record Due(PackExpiry expiry, String currency) {}

  private final DataSource dataSource;
  private final Consumer<PackExpiry> expiring;
  private final Consumer<PackExpiry> expired;
  private final Clock clock;

  public PackNotices(
      DataSource dataSource,
      Consumer<PackExpiry> expiring,
      Consumer<PackExpiry> expired,
      Clock clock) {
    this.dataSource = dataSource;
    this.expiring = expiring;
    this.expired = expired;
    this.clock = clock;
  }

  /**
   * Sends the notices due now and not sent yet: {@code expiring} for validities ending within
   * {@code notice} (none when it is zero), {@code expired} for those ended.
   *
   * @return how many notices were published
   */
  public int send(Duration notice) throws SQLException {
    Instant now = clock.instant();
    int sent = 0;
    if (!notice.isZero()) {
      for (Due due : due("expiring", now.plus(notice), now)) {
        if (Transactions.inTransaction(dataSource, c -> claim(c, "expiring", due, now))) {
          expiring.accept(due.expiry());
          sent++;
        }
      }
    }
    for (Due due : due("expired", now, null)) {
      boolean claimed =
          Transactions.inTransaction(
              dataSource,
              c -> {
                if (!claim(c, "expired", due, now)) {
                  return false;
                }
                EXPIRED_EVENT
                    .bind("purchase_id", due.expiry().purchaseId())
                    .bind("valid_until", due.expiry().validUntil())
                    .bind("currency", due.currency())
                    .update(c);
                return true;
              });
      if (claimed) {
        expired.accept(due.expiry());
        sent++;
      }
    }
    return sent;
  }

  private List<Due> due(String kind, Instant due, Instant after) throws SQLException {
    List<Due> found = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement statement =
            DUE.bind("kind", kind).bind("due", due).bind("after", after).prepare(c);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        found.add(
            new Due(
                new PackExpiry(
                    rs.getString(2),
                    rs.getLong(1),
                    rs.getString(3),
                    rs.getString(4),
                    Sql.instant(rs.getTimestamp(5))),
                rs.getString(6)));
      }
    }
    return found;
  }

  /** Whether this call made the notice's row (so it is the one to publish it). */
  private static boolean claim(Connection c, String kind, Due due, Instant now)
      throws SQLException {
    return CLAIM
            .bind("purchase_id", due.expiry().purchaseId())
            .bind("kind", kind)
            .bind("valid_until", due.expiry().validUntil())
            .bind("now", now)
            .update(c)
        == 1;
  }
}
