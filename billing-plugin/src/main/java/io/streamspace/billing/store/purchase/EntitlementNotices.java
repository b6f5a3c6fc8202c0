package io.streamspace.billing.store.purchase;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.common.db.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Announces the time-limited accesses that ended: {@code billing.entitlement.expired} once per
 * purchase, with the second it ended. The access itself ends at that second whatever this does
 * ({@link StorePurchase#entitles}, {@code GET /entitlements}); the notice goes out with the next
 * check-quotas run. An access that a later purchase continues (starting where it ends) did not
 * end: it is marked announced without a notice, and the later purchase's end gets its own. The
 * purchases are marked in one transaction before anything is published, so a re-run, a second
 * node or a restart never sends a notice twice; a crash between the commit and the publishing
 * loses those notices rather than repeating them (as the packs' notices).
 */
public final class EntitlementNotices {

  // ended, not announced; whether another active purchase of the item continues it
  private static final NamedSql ANNOUNCED =
      NamedSql.of(
          """
          WITH due AS (
            SELECT id FROM billing_store_purchases
            WHERE status = 'active' AND NOT expiry_announced AND access_until <= :now
            ORDER BY access_until, id
            FOR UPDATE SKIP LOCKED)
          UPDATE billing_store_purchases p SET expiry_announced = true
          FROM due WHERE p.id = due.id
          RETURNING p.id, NOT EXISTS (
            SELECT 1 FROM billing_store_purchases n
            WHERE n.account_id = p.account_id AND n.item_id = p.item_id
              AND n.status = 'active' AND n.id <> p.id
              AND n.access_from <= p.access_until
              AND (n.access_until IS NULL OR n.access_until > p.access_until))""");

  private static final NamedSql BY_IDS =
      NamedSql.of(
          "SELECT "
              + StorePurchaseRepository.COLUMNS
              + StorePurchaseRepository.FROM
              + "WHERE p.id = ANY (:ids) ORDER BY p.access_until, p.id");

  private final DataSource dataSource;
  private final BillingEvents events;
  private final Clock clock;

  public EntitlementNotices(DataSource dataSource, BillingEvents events, Clock clock) {
    this.dataSource = dataSource;
    this.events = events;
    this.clock = clock;
  }

  /**
   * Sends the notices of the accesses ended by now and not announced yet.
   *
   * @return how many notices were published
   */
  public int send() throws SQLException {
    Instant now = clock.instant();
    List<StorePurchase> ended =
        Transactions.inTransaction(
            dataSource,
            c -> {
              List<Long> ids = new ArrayList<>();
              try (PreparedStatement statement = ANNOUNCED.bind("now", now).prepare(c);
                  ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                  if (rs.getBoolean(2)) {
                    ids.add(rs.getLong(1));
                  }
                }
              }
              return ids.isEmpty() ? List.<StorePurchase>of() : read(c, ids);
            });
    ended.forEach(p -> events.entitlementExpired(p.entitlementEvent("ended")));
    return ended.size();
  }

  private static List<StorePurchase> read(Connection c, List<Long> ids) throws SQLException {
    return StorePurchaseRepository.list(
        c, BY_IDS.bind("ids", c.createArrayOf("bigint", ids.toArray())));
  }
}
