package io.streamspace.billing.store.purchase;

import io.streamspace.billing.account.AccountRepository;
import io.streamspace.billing.audit.AuditEntry;
import io.streamspace.billing.audit.AuditKinds;
import io.streamspace.billing.audit.AuditTrail;
import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.credits.CreditRepository;
import io.streamspace.billing.credits.NewCredit;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.events.EntitlementEvent;
import io.streamspace.billing.hold.PaymentLock;
import io.streamspace.common.db.Sql;
import io.streamspace.common.db.Transactions;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Optional;

/**
 * Buying store items and refunding them, each in one transaction with its audit entry and the
 * creator's share ({@link CreatorLedger}); the entitlement events go out after the commit.
 *
 * <p><b>What is sold.</b> An organization buys an item at its latest approved version, while it
 * is listed, at its price in the organization's currency: a one-time or free item for good, a
 * time-limited one for its days. Buying a time-limited item again before its access ends extends
 * it: the new access starts where the current one ends, so no second of it is paid twice. An
 * item the organization owns for good is not sold to it again ({@code already_owned}).
 *
 * <p><b>How it is paid.</b> On the organization's next invoice ({@code pay = invoice}: a line of
 * kind {@code store} that finalization claims, like a one-time pack), or not at all when free.
 * Access starts at once either way; an organization locked for non-payment buys nothing but free
 * items.
 *
 * <p><b>A refund</b> ends the access at once. What was paid comes back as the invoice path allows:
 * a purchase not on an invoice yet is simply never billed; one an invoice billed is credited to
 * the organization (a credit of its price, applied to its next invoices).
 */
public final class StorePurchases {

  static final String COLUMNS =
      """
      p.id, p.account_id, p.bought_by, p.item_id, p.version_id, p.item_name, v.version,
      p.creator_id, p.sale_kind, p.sale_days, p.price, p.currency, p.pay, p.purchased_at,
      p.status, p.access_from, p.access_until, p.invoice_id, p.refunded_at, p.refund_reason""";

  private static final String FROM =
      " FROM billing_store_purchases p JOIN billing_store_item_versions v ON v.id = p.version_id ";

  // the item while it is listed, at its latest approved version; its row is held, so a
  // delisting waits for the purchase (and the purchase sees one committed before it)
  private static final NamedSql LISTED =
      NamedSql.of(
          """
          SELECT i.creator_id, i.name, v.id, v.version, v.sale_kind, v.sale_days, v.price_usd,
                 v.price_vnd
          FROM billing_store_items i
          JOIN billing_store_item_versions v ON v.item_id = i.id AND v.status = 'approved'
          WHERE i.id = :item_id AND i.delisted_at IS NULL
          ORDER BY v.id DESC LIMIT 1
          FOR SHARE OF i""");

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
              status, access_from, access_until)
          VALUES (:account_id, :bought_by, :item_id, :version_id, :item_name, :creator_id,
                  :sale_kind, :sale_days, :price, :currency, :pay, :at, 'active', :from, :until)
          RETURNING id""");

  private static final NamedSql ONE = NamedSql.of("SELECT " + COLUMNS + FROM + "WHERE p.id = :id");

  private static final NamedSql LOCK =
      NamedSql.of("SELECT " + COLUMNS + FROM + "WHERE p.id = :id FOR UPDATE OF p");

  private static final NamedSql REFUND =
      NamedSql.of(
          """
          UPDATE billing_store_purchases
          SET status = 'refunded', refunded_at = :at, refunded_by = :by, refund_reason = :reason,
              expiry_announced = true
          WHERE id = :id""");

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

  private final javax.sql.DataSource dataSource;
  private final CreatorLedger ledger;
  private final BillingEvents events;

  public StorePurchases(
      javax.sql.DataSource dataSource, CreatorLedger ledger, BillingEvents events) {
    this.dataSource = dataSource;
    this.ledger = ledger;
    this.events = events;
  }

  /**
   * The organization buys the item at {@code now}, paid on its next invoice (or not, when free),
   * by {@code buyer}: answers the purchase, its access begun.
   *
   * @return empty when the item is not listed (unknown, delisted, or no version approved)
   * @throws StoreRefused {@code not_sold_in_currency} when the item has no price in the
   *     organization's currency, {@code already_owned} when the organization owns it for good,
   *     {@link StoreRefused#ACCOUNT_LOCKED} while it is locked for non-payment (free items
   *     excepted)
   */
  public Optional<StorePurchase> buy(
      String accountId, String buyer, long itemId, Instant now, Cause cause)
      throws SQLException, StoreRefused {
    Optional<StorePurchase> bought =
        Transactions.inTransaction(
            dataSource, c -> insert(c, accountId, buyer, itemId, now, cause));
    bought.ifPresent(p -> events.entitlementGranted(event(p, null)));
    return bought;
  }

  private Optional<StorePurchase> insert(
      Connection c, String accountId, String buyer, long itemId, Instant now, Cause cause)
      throws SQLException, StoreRefused {
    Optional<Listed> found = listed(c, itemId);
    if (found.isEmpty()) {
      return Optional.empty();
    }
    Listed item = found.get();
    Currency currency = Currency.getInstance(AccountRepository.currencyOf(c, accountId));
    boolean free = item.saleKind().equals("free");
    BigDecimal price = free ? BigDecimal.ZERO : item.priceIn(currency);
    if (price == null) {
      throw new StoreRefused(
          "not_sold_in_currency",
          "%s has no price in %s, the organization's currency"
              .formatted(item.name(), currency.getCurrencyCode()));
    }
    if (!free) {
      Optional<String> lock = PaymentLock.lockedDuring(c, accountId);
      if (lock.isPresent()) {
        throw new StoreRefused(StoreRefused.ACCOUNT_LOCKED, lock.get());
      }
    }
    try (PreparedStatement turn =
        TURN.bind("account_id", accountId).bind("item", Long.toString(itemId)).prepare(c)) {
      turn.execute();
    }
    Instant from = now;
    for (StorePurchase held : list(c, HELD.bind("account_id", accountId).bind("item_id", itemId))) {
      if (held.accessUntil() == null) {
        throw new StoreRefused(
            "already_owned", "the organization owns %s already".formatted(item.name()));
      }
      if (held.accessUntil().isAfter(from)) {
        from = held.accessUntil(); // extends the access it has: starts where it ends
      }
    }
    Instant until =
        item.saleKind().equals("time_limited") ? from.plus(Duration.ofDays(item.saleDays())) : null;
    long id;
    try (PreparedStatement insert =
            INSERT
                .bind("account_id", accountId)
                .bind("bought_by", buyer)
                .bind("item_id", itemId)
                .bind("version_id", item.versionId())
                .bind("item_name", item.name())
                .bind("creator_id", item.creatorId())
                .bind("sale_kind", item.saleKind())
                .bind("sale_days", item.saleDays())
                .bind("price", price)
                .bind("currency", currency.getCurrencyCode())
                .bind("pay", free ? "free" : "invoice")
                .bind("at", now)
                .bind("from", from)
                .bind("until", until)
                .prepare(c);
        ResultSet rs = insert.executeQuery()) {
      rs.next();
      id = rs.getLong(1);
    }
    StorePurchase purchase = one(c, ONE.bind("id", id)).orElseThrow();
    ledger.sold(c, id);
    AuditTrail.record(
        c,
        new AuditEntry(
            now, cause, accountId, AuditKinds.STORE_PURCHASED, subject(id), null, purchase));
    return Optional.of(purchase);
  }

  /**
   * Refunds the purchase at {@code now} for {@code reason}: its access ends, its creator's share
   * is clawed back, and what was billed for it is credited back (class comment).
   *
   * @return the purchase as refunded; empty when there is none of that id
   * @throws StoreRefused {@code already_refunded}
   */
  public Optional<StorePurchase> refund(long purchaseId, String reason, Instant now, Cause cause)
      throws SQLException, StoreRefused {
    Optional<StorePurchase> refunded =
        Transactions.inTransaction(
            dataSource,
            c -> {
              Optional<StorePurchase> locked = one(c, LOCK.bind("id", purchaseId));
              if (locked.isEmpty()) {
                return Optional.<StorePurchase>empty();
              }
              StorePurchase before = locked.get();
              if (!before.status().equals(StorePurchase.ACTIVE)) {
                throw new StoreRefused(
                    "already_refunded", "purchase %d was refunded already".formatted(purchaseId));
              }
              if (before.invoiceId() != null && before.price().signum() > 0) {
                CreditRepository.grant(
                    c,
                    new NewCredit(
                        before.accountId(),
                        before.price(),
                        Currency.getInstance(before.currency()),
                        "refund of %s (store purchase %d): %s"
                            .formatted(before.itemName(), purchaseId, reason),
                        cause.actor().id(),
                        now,
                        null),
                    cause);
              }
              try (PreparedStatement update =
                  REFUND
                      .bind("id", purchaseId)
                      .bind("at", now)
                      .bind("by", cause.actor().id())
                      .bind("reason", reason)
                      .prepare(c)) {
                update.executeUpdate();
              }
              ledger.refunded(c, purchaseId, now);
              StorePurchase after = one(c, ONE.bind("id", purchaseId)).orElseThrow();
              AuditTrail.record(
                  c,
                  new AuditEntry(
                      now,
                      cause,
                      after.accountId(),
                      AuditKinds.STORE_REFUNDED,
                      subject(purchaseId),
                      before,
                      after));
              return Optional.of(after);
            });
    refunded.ifPresent(p -> events.entitlementExpired(event(p, "refunded")));
    return refunded;
  }

  /** The purchase of that id, if there is one. */
  public Optional<StorePurchase> find(long purchaseId) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      return one(c, ONE.bind("id", purchaseId));
    }
  }

  /** The organization's purchases, newest first, {@code limit} of them from {@code offset}. */
  public List<StorePurchase> page(String accountId, int limit, int offset) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      return list(
          c, OF_ACCOUNT.bind("account_id", accountId).bind("limit", limit).bind("offset", offset));
    }
  }

  /**
   * What the organizations may apply at {@code at}: per organization and item, the purchase that
   * entitles it now, until the end of the unbroken access its later time-limited purchases extend
   * (null: for good). By organization, then item.
   */
  public List<Entitlement> entitlements(List<String> accountIds, Instant at) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      java.sql.Array accounts = c.createArrayOf("text", accountIds.toArray());
      List<StorePurchase> now = list(c, ENTITLING.bind("accounts", accounts).bind("at", at));
      List<StorePurchase> later = list(c, EXTENDING.bind("accounts", accounts).bind("at", at));
      return Entitlement.of(now, later);
    }
  }

  /** The entitlement event of a purchase ({@code reason} null when granted). */
  static EntitlementEvent event(StorePurchase p, String reason) {
    Instant until = "refunded".equals(reason) ? p.refundedAt() : p.accessUntil();
    return new EntitlementEvent(
        p.accountId(),
        p.itemId(),
        p.itemName(),
        p.version(),
        p.id(),
        p.accessFrom(),
        until,
        reason);
  }

  private static String subject(long purchaseId) {
    return "store_purchase:" + purchaseId;
  }

  /** An item on sale at its latest approved version. */
  private record Listed(
      String creatorId,
      String name,
      long versionId,
      String version,
      String saleKind,
      Integer saleDays,
      BigDecimal priceUsd,
      BigDecimal priceVnd) {

    /** Its price in the currency, or null when it has none in it. */
    BigDecimal priceIn(Currency currency) {
      return switch (currency.getCurrencyCode()) {
        case "USD" -> priceUsd;
        case "VND" -> priceVnd;
        default -> null;
      };
    }
  }

  private static Optional<Listed> listed(Connection c, long itemId) throws SQLException {
    try (PreparedStatement statement = LISTED.bind("item_id", itemId).prepare(c);
        ResultSet rs = statement.executeQuery()) {
      if (!rs.next()) {
        return Optional.empty();
      }
      return Optional.of(
          new Listed(
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

  static Optional<StorePurchase> one(Connection c, NamedSql.Binding query) throws SQLException {
    return list(c, query).stream().findFirst();
  }

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
        rs.getString(20));
  }
}
