package io.streamspace.billing.store.purchase;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.common.db.Sql;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The store's purchases and the items they buy as the database holds them
 * ({@code billing_store_purchases}, {@code billing_store_items} and their versions): every
 * statement {@link StorePurchases} runs, each in the caller's transaction, and the row locks it
 * takes. What a purchase may be, and when, is decided there.
 */
final class StorePurchaseRepository {

  static final String COLUMNS =
      """
      p.id, p.account_id, p.bought_by, p.item_id, p.version_id, p.item_name, v.version,
      p.creator_id, p.sale_kind, p.sale_days, p.price, p.currency, p.pay, p.purchased_at,
      p.status, p.access_from, p.access_until, p.invoice_id, p.refunded_at, p.refund_reason,
      p.payment_intent""";

  static final String FROM =
      " FROM billing_store_purchases p JOIN billing_store_item_versions v ON v.id = p.version_id ";

  // an item at an approved version, as ListedItem reads it
  private static final String APPROVED =
      """
      SELECT i.creator_id, i.name, v.id, v.version, v.sale_kind, v.sale_days, v.price_usd,
             v.price_vnd
      FROM billing_store_items i
      JOIN billing_store_item_versions v ON v.item_id = i.id AND v.status = 'approved'
      """;

  // the item while it is listed, at its latest approved version; its row is held, so a
  // delisting waits for the purchase (and the purchase sees one committed before it)
  private static final NamedSql LISTED =
      NamedSql.of(
          APPROVED
              + """
              WHERE i.id = :item_id AND i.delisted_at IS NULL
              ORDER BY v.id DESC LIMIT 1
              FOR SHARE OF i""");

  // a version as approved, whether or not still listed: what a completed Checkout paid for
  private static final NamedSql APPROVED_VERSION =
      NamedSql.of(APPROVED + "WHERE i.id = :item_id AND v.id = :version_id");

  // one organization's purchases of one item take turns
  private static final NamedSql TURN =
      NamedSql.of(
          "SELECT pg_advisory_xact_lock(hashtext('store:' || :account_id || ':' || :item))");

  private static final NamedSql HELD =
      NamedSql.of(
          "SELECT "
              + COLUMNS
              + FROM
              + "WHERE p.account_id = :account_id AND p.item_id = :item_id"
              + " AND p.status = 'active'");

  private static final NamedSql INSERT =
      NamedSql.of(
          """
          INSERT INTO billing_store_purchases (account_id, bought_by, item_id, version_id,
              item_name, creator_id, sale_kind, sale_days, price, currency, pay, purchased_at,
              status, access_from, access_until, checkout_session, payment_intent)
          VALUES (:account_id, :bought_by, :item_id, :version_id, :item_name, :creator_id,
                  :sale_kind, :sale_days, :price, :currency, :pay, :at, 'active', :from, :until,
                  :session, :intent)
          RETURNING id""");

  private static final NamedSql ONE = NamedSql.of("SELECT " + COLUMNS + FROM + "WHERE p.id = :id");

  private static final NamedSql LOCK =
      NamedSql.of("SELECT " + COLUMNS + FROM + "WHERE p.id = :id FOR UPDATE OF p");

  // the invoice that bills a purchase, held as the purchase's foreign key needs it
  private static final NamedSql INVOICE_HELD =
      NamedSql.of("SELECT 1 FROM billing_invoices WHERE id = :id FOR KEY SHARE");

  // what credit notes credited of the invoice line that bills the purchase (V88's view)
  private static final NamedSql CREDITED_BY_NOTES =
      NamedSql.of(
          """
          SELECT coalesce(sum(n.amount), 0)
          FROM billing_store_purchase_lines s
          JOIN billing_credit_note_lines n
            ON n.invoice_id = s.invoice_id AND n.line_no = s.line_no
          WHERE s.invoice_id = :invoice_id AND s.purchase_id = :id""");

  // the credit a refund granted, which a void of the invoice that billed the purchase ends
  private static final NamedSql REFUND_CREDIT =
      NamedSql.of(
          "UPDATE billing_store_purchases SET refund_credit_id = :credit_id WHERE id = :id");

  // its access ends now: refunded or charged back, announced by the caller after the commit
  private static final NamedSql END =
      NamedSql.of(
          """
          UPDATE billing_store_purchases
          SET status = :status, refunded_at = :at, refunded_by = :by, refund_reason = :reason,
              expiry_announced = true
          WHERE id = :id""");

  // the active Checkout purchase a Stripe payment paid, held while it is charged back
  private static final NamedSql PAID_BY =
      NamedSql.of(
          "SELECT "
              + COLUMNS
              + FROM
              + "WHERE p.payment_intent = :intent AND p.pay = 'checkout' AND p.status = 'active'"
              + " ORDER BY p.id FOR UPDATE OF p");

  private static final NamedSql OF_ACCOUNT =
      NamedSql.of(
          "SELECT "
              + COLUMNS
              + FROM
              + "WHERE p.account_id = :account_id ORDER BY p.purchased_at DESC, p.id DESC"
              + " LIMIT :limit OFFSET :offset");

  // the purchases that entitle the organizations at :at, for Entitlements
  private static final NamedSql ENTITLING =
      NamedSql.of(
          "SELECT "
              + COLUMNS
              + FROM
              + """
              WHERE p.account_id = ANY (:accounts) AND p.status = 'active'
                AND p.access_from <= :at AND (p.access_until IS NULL OR p.access_until > :at)
              ORDER BY p.account_id, p.item_id, p.id""");

  // ...and the time-limited ones that extend them, starting later
  private static final NamedSql EXTENDING =
      NamedSql.of(
          "SELECT "
              + COLUMNS
              + FROM
              + """
              WHERE p.account_id = ANY (:accounts) AND p.status = 'active'
                AND p.access_from > :at
              ORDER BY p.account_id, p.item_id, p.access_from""");

  /** A purchase about to be stored, its access begun: each column {@link #INSERT} writes. */
  record NewPurchase(
      String orgId,
      String buyer,
      long itemId,
      ListedItem item,
      BigDecimal price,
      String currency,
      String pay,
      Instant at,
      Instant from,
      Instant until,
      String session,
      String paymentIntent) {}

  private StorePurchaseRepository() {}

  /** The item while it is listed, at its latest approved version, its row held (shared). */
  static Optional<ListedItem> listed(Connection c, long itemId) throws SQLException {
    return item(c, LISTED.bind("item_id", itemId));
  }

  /** The item at that approved version, whether or not still listed. */
  static Optional<ListedItem> approvedVersion(Connection c, long itemId, long versionId)
      throws SQLException {
    return item(c, APPROVED_VERSION.bind("item_id", itemId).bind("version_id", versionId));
  }

  /**
   * Waits for the organization's other purchases of the item in transactions under way: they
   * take turns until the caller's transaction ends.
   */
  static void takeTurn(Connection c, String orgId, long itemId) throws SQLException {
    try (PreparedStatement turn =
        TURN.bind("account_id", orgId).bind("item", Long.toString(itemId)).prepare(c)) {
      turn.execute();
    }
  }

  /** The organization's active purchases of the item. */
  static List<StorePurchase> held(Connection c, String orgId, long itemId) throws SQLException {
    return list(c, HELD.bind("account_id", orgId).bind("item_id", itemId));
  }

  /** Stores the purchase; answers its id. */
  static long insert(Connection c, NewPurchase purchase) throws SQLException {
    ListedItem item = purchase.item();
    try (PreparedStatement insert =
            INSERT
                .bind("account_id", purchase.orgId())
                .bind("bought_by", purchase.buyer())
                .bind("item_id", purchase.itemId())
                .bind("version_id", item.versionId())
                .bind("item_name", item.name())
                .bind("creator_id", item.creatorId())
                .bind("sale_kind", item.saleKind())
                .bind("sale_days", item.saleDays())
                .bind("price", purchase.price())
                .bind("currency", purchase.currency())
                .bind("pay", purchase.pay())
                .bind("at", purchase.at())
                .bind("from", purchase.from())
                .bind("until", purchase.until())
                .bind("session", purchase.session())
                .bind("intent", purchase.paymentIntent())
                .prepare(c);
        ResultSet rs = insert.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** The purchase of that id, if there is one. */
  static Optional<StorePurchase> find(Connection c, long purchaseId) throws SQLException {
    return one(c, ONE.bind("id", purchaseId));
  }

  /** The purchase of that id, its row locked for the transaction. */
  static Optional<StorePurchase> lock(Connection c, long purchaseId) throws SQLException {
    return one(c, LOCK.bind("id", purchaseId));
  }

  /** Holds the invoice as a purchase's foreign key to it does ({@code FOR KEY SHARE}). */
  static void holdInvoice(Connection c, long invoiceId) throws SQLException {
    try (PreparedStatement held = INVOICE_HELD.bind("id", invoiceId).prepare(c)) {
      held.executeQuery().close();
    }
  }

  /**
   * What credit notes credited of the line of invoice {@code invoiceId} that bills the purchase
   * (as the line is written, before tax when it excludes it); 0 when none did. The caller holds
   * the invoice, which a note locks before it reads what its lines hold.
   */
  static BigDecimal creditedByNotes(Connection c, long purchaseId, long invoiceId)
      throws SQLException {
    try (PreparedStatement statement =
            CREDITED_BY_NOTES.bind("id", purchaseId).bind("invoice_id", invoiceId).prepare(c);
        ResultSet rs = statement.executeQuery()) {
      rs.next();
      return rs.getBigDecimal(1);
    }
  }

  /** Records the credit a refund of the purchase granted. */
  static void refundCredit(Connection c, long purchaseId, long creditId) throws SQLException {
    REFUND_CREDIT.bind("id", purchaseId).bind("credit_id", creditId).update(c);
  }

  /** Ends the purchase's access at {@code at}, with its new status, who ended it and why. */
  static void end(Connection c, long purchaseId, String status, Instant at, String by, String why)
      throws SQLException {
    END.bind("id", purchaseId)
        .bind("status", status)
        .bind("at", at)
        .bind("by", by)
        .bind("reason", why)
        .update(c);
  }

  /** The active Checkout purchases the PaymentIntent paid, their rows locked, in id order. */
  static List<StorePurchase> lockPaidBy(Connection c, String paymentIntent) throws SQLException {
    return list(c, PAID_BY.bind("intent", paymentIntent));
  }

  /** The organization's purchases, newest first, {@code limit} of them from {@code offset}. */
  static List<StorePurchase> page(Connection c, String orgId, int limit, int offset)
      throws SQLException {
    return list(
        c, OF_ACCOUNT.bind("account_id", orgId).bind("limit", limit).bind("offset", offset));
  }

  /**
   * The organizations' active purchases: those whose access holds at {@code at} ({@code now}),
   * by organization, item and id, and those whose access starts after it ({@code later}), by
   * organization, item and start.
   */
  record Accesses(List<StorePurchase> now, List<StorePurchase> later) {}

  /** The {@link Accesses} of the organizations at {@code at}. */
  static Accesses accesses(Connection c, List<String> orgIds, Instant at) throws SQLException {
    Array accounts = c.createArrayOf("text", orgIds.toArray());
    return new Accesses(
        list(c, ENTITLING.bind("accounts", accounts).bind("at", at)),
        list(c, EXTENDING.bind("accounts", accounts).bind("at", at)));
  }

  private static Optional<ListedItem> item(Connection c, NamedSql.Binding query)
      throws SQLException {
    try (PreparedStatement statement = query.prepare(c);
        ResultSet rs = statement.executeQuery()) {
      if (!rs.next()) {
        return Optional.empty();
      }
      return Optional.of(
          new ListedItem(
              rs.getString(1),
              rs.getString(2),
              rs.getLong(3),
              rs.getString(4),
              rs.getString(5),
              (Integer) rs.getObject(6),
              rs.getBigDecimal(7),
              rs.getBigDecimal(8)));
    }
  }

  private static Optional<StorePurchase> one(Connection c, NamedSql.Binding query)
      throws SQLException {
    return list(c, query).stream().findFirst();
  }

  /** The purchases a query of {@link #COLUMNS} {@link #FROM} answers, in its order. */
  static List<StorePurchase> list(Connection c, NamedSql.Binding query) throws SQLException {
    List<StorePurchase> purchases = new ArrayList<>();
    try (PreparedStatement statement = query.prepare(c);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        purchases.add(read(rs));
      }
    }
    return purchases;
  }

  private static StorePurchase read(ResultSet rs) throws SQLException {
    return new StorePurchase(
        rs.getLong(1),
        rs.getString(2),
        rs.getString(3),
        rs.getLong(4),
        rs.getLong(5),
        rs.getString(6),
        rs.getString(7),
        rs.getString(8),
        rs.getString(9),
        (Integer) rs.getObject(10),
        rs.getBigDecimal(11),
        rs.getString(12),
        rs.getString(13),
        Sql.instant(rs.getTimestamp(14)),
        rs.getString(15),
        Sql.instant(rs.getTimestamp(16)),
        Sql.instant(rs.getTimestamp(17)),
        (Long) rs.getObject(18),
        Sql.instant(rs.getTimestamp(19)),
        rs.getString(20),
        rs.getString(21));
  }
}
