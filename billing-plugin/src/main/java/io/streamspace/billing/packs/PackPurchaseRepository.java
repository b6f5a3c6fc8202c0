package io.streamspace.billing.packs;

import io.streamspace.billing.catalog.CapacityPack;
import io.streamspace.billing.catalog.Meter;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.billing.json.JsonMapper;
import io.streamspace.billing.money.Money;
import io.streamspace.common.db.Sql;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import javax.sql.DataSource;

/**
 * Pack purchases as stored: {@code billing_pack_purchases}, one row per purchase as bought, and
 * {@code billing_pack_events}, what happened to each since. What a purchase, a renewal or a
 * cancellation means is decided by {@link PackTerms}; this class only writes and reads it, in the
 * caller's transaction or, for the reads, on a connection of its own.
 */
public final class PackPurchaseRepository {

  /**
   * Whether purchase {@code p} (a row of {@code billing_pack_purchases}) adds its capacity at
   * {@code :at}, as SQL, for statements that judge many accounts at once: a recurring pack from
   * its purchase until cancelled; a one-time pack within the validity of its purchase or of one
   * of its renewals. A purchase paid through Stripe Checkout and refunded there (only one-time
   * packs are sold so) ends what that payment bought at the refund; a renewal, billed on an
   * invoice, keeps its own validity.
   */
  public static final String ACTIVE_AT =
      """
      (p.kind = 'recurring' AND p.valid_from <= :at
         AND (p.cancelled_at IS NULL OR p.cancelled_at > :at)
       OR p.kind = 'one_time' AND EXISTS (
         SELECT 1 FROM billing_pack_events e
         WHERE e.purchase_id = p.id AND e.kind IN ('bought', 'renewed')
           AND e.valid_from <= :at AND e.valid_until > :at
           AND (e.kind = 'renewed' OR p.refunded_at IS NULL OR p.refunded_at > :at)))""";

  /**
   * Whether purchase {@code p} adds its capacity at some instant of window {@code w}'s {@code
   * [from_at, to_at)}, as SQL: {@link #ACTIVE_AT} over a range.
   */
  private static final String ACTIVE_DURING =
      """
      (p.kind = 'recurring' AND p.valid_from < w.to_at
         AND (p.cancelled_at IS NULL OR p.cancelled_at > w.from_at)
       OR p.kind = 'one_time' AND EXISTS (
         SELECT 1 FROM billing_pack_events e
         WHERE e.purchase_id = p.id AND e.kind IN ('bought', 'renewed')
           AND e.valid_from < w.to_at AND e.valid_until > w.from_at
           AND (e.kind = 'renewed' OR p.refunded_at IS NULL OR p.refunded_at > w.from_at)))""";

  // the purchases of each window's account active in it (ord: the window's place in the list)
  private static final NamedSql ADDED_DURING =
      NamedSql.of(
          """
          SELECT w.ord, p.adds::text
          FROM unnest(:user_id::text[], :from::text[]::timestamptz[], :to::text[]::timestamptz[])
               WITH ORDINALITY AS w(user_id, from_at, to_at, ord)
          JOIN billing_pack_purchases p ON p.user_id = w.user_id AND %s
          ORDER BY w.ord, p.id"""
              .formatted(ACTIVE_DURING));

  private static final String COLUMNS =
      """
      p.id, p.user_id, p.pack_id, p.pack_name, p.kind, p.adds::text, p.price, p.currency,
      p.valid_days, p.purchased_at, p.valid_from, p.valid_until, p.cancelled_at, %s AS active,
      p.refunded_at"""
          .formatted(ACTIVE_AT);

  private static final NamedSql BUY =
      NamedSql.of(
          """
          INSERT INTO billing_pack_purchases (user_id, pack_id, pack_name, kind, adds, price,
              currency, valid_days, purchased_at, valid_from, valid_until)
          VALUES (:user_id, :pack_id, :pack_name, :kind, :adds::jsonb, :price, :currency,
                  :valid_days, :now, :now, :valid_until)
          RETURNING id""");

  private static final NamedSql EVENT =
      NamedSql.of(
          """
          INSERT INTO billing_pack_events (purchase_id, kind, at, amount, currency, valid_from,
              valid_until, billed, paid_checkout)
          VALUES (:purchase_id, :kind, :at, :amount, :currency, :valid_from, :valid_until,
                  :billed, :paid_checkout)""");

  private static final NamedSql LOCKED =
      NamedSql.of(
          "SELECT %s FROM billing_pack_purchases p WHERE p.id = :id FOR UPDATE".formatted(COLUMNS));

  private static final NamedSql ONE =
      NamedSql.of("SELECT %s FROM billing_pack_purchases p WHERE p.id = :id".formatted(COLUMNS));

  private static final NamedSql PAGE =
      NamedSql.of(
          """
          SELECT %s FROM billing_pack_purchases p WHERE p.user_id = :user_id
          ORDER BY p.purchased_at DESC, p.id DESC LIMIT :limit OFFSET :offset"""
              .formatted(COLUMNS));

  private static final NamedSql HISTORY =
      NamedSql.of(
          """
          SELECT purchase_id, kind, at, amount, currency, valid_from, valid_until, invoice_id,
              paid_checkout IS NOT NULL
          FROM billing_pack_events WHERE purchase_id = ANY (:ids)
          ORDER BY at, id""");

  private static final NamedSql ACTIVE =
      NamedSql.of(
          """
          SELECT p.id, p.pack_id, p.adds::text FROM billing_pack_purchases p
          WHERE p.user_id = :user_id AND %s
          ORDER BY p.id"""
              .formatted(ACTIVE_AT));

  private static final NamedSql RENEW =
      NamedSql.of(
          """
          UPDATE billing_pack_purchases
          SET valid_from = CASE WHEN valid_until < :now THEN :now ELSE valid_from END,
              valid_until = :valid_until
          WHERE id = :id""");

  private static final NamedSql CANCEL =
      NamedSql.of("UPDATE billing_pack_purchases SET cancelled_at = :now WHERE id = :id");

  // the purchases not refunded yet that a Checkout Session paid with the PaymentIntent :intent
  private static final NamedSql PAID_BY =
      NamedSql.of(
          """
          SELECT p.id FROM billing_pack_purchases p
          JOIN billing_pack_events e ON e.purchase_id = p.id AND e.kind = 'bought'
          JOIN billing_stripe_checkouts s ON s.session_id = e.paid_checkout
          WHERE s.payment_intent = :intent AND p.refunded_at IS NULL
          ORDER BY p.id FOR UPDATE OF p""");

  private static final NamedSql REFUNDED =
      NamedSql.of("UPDATE billing_pack_purchases SET refunded_at = :now WHERE id = :id");

  private final DataSource dataSource;

  public PackPurchaseRepository(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * Stores the account's purchase of the pack at {@code now} with its {@code bought} event, in the
   * caller's transaction.
   *
   * @param validUntil   the end of a one-time pack's validity; null for a recurring pack
   * @param billed       whether the {@code bought} charge goes on an invoice line of its own
   * @param paidCheckout the Stripe Checkout Session that paid it already, else null
   * @return the purchase's id
   */
  long insert(
      Connection c,
      String orgId,
      CapacityPack pack,
      BigDecimal price,
      Currency currency,
      Instant now,
      Instant validUntil,
      boolean billed,
      String paidCheckout)
      throws SQLException {
    long id;
    try (PreparedStatement statement =
            BUY.bind("user_id", orgId)
                .bind("pack_id", pack.id())
                .bind("pack_name", pack.name())
                .bind("kind", pack.kind().configName())
                .bind("adds", JsonMapper.write(byName(pack.adds())))
                .bind("price", price)
                .bind("currency", currency.getCurrencyCode())
                .bind("valid_days", pack.validDays())
                .bind("now", now)
                .bind("valid_until", validUntil)
                .prepare(c);
        ResultSet rs = statement.executeQuery()) {
      rs.next();
      id = rs.getLong(1);
    }
    event(c, id, "bought", now, price, currency, now, validUntil, billed, paidCheckout);
    return id;
  }

  /**
   * Stores the purchase's renewal at {@code now} with its {@code renewed} event, charged on an
   * invoice line of its own, in the caller's transaction.
   */
  void renew(Connection c, long purchaseId, PackTerms.Renewal renewal, Instant now)
      throws SQLException {
    RENEW.bind("id", purchaseId).bind("now", now).bind("valid_until", renewal.until()).update(c);
    event(
        c,
        purchaseId,
        "renewed",
        now,
        renewal.price(),
        renewal.currency(),
        renewal.from(),
        renewal.until(),
        true,
        null);
  }

  /** Stores the purchase's cancellation at {@code now} with its event, charging nothing. */
  void cancel(Connection c, long purchaseId, Currency currency, Instant now) throws SQLException {
    CANCEL.bind("id", purchaseId).bind("now", now).update(c);
    event(c, purchaseId, "cancelled", now, null, currency, null, null, false, null);
  }

  /**
   * The ids of the purchases not refunded yet that the Stripe Checkout payment {@code
   * paymentIntent} paid, their rows locked until the transaction ends.
   */
  List<Long> lockPaidBy(Connection c, String paymentIntent) throws SQLException {
    List<Long> ids = new ArrayList<>();
    try (PreparedStatement statement = PAID_BY.bind("intent", paymentIntent).prepare(c);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        ids.add(rs.getLong(1));
      }
    }
    return ids;
  }

  /** Stores the purchase's refund at {@code now} with its event, charging nothing. */
  void refunded(Connection c, long purchaseId, Currency currency, Instant now) throws SQLException {
    REFUNDED.bind("id", purchaseId).bind("now", now).update(c);
    event(c, purchaseId, "refunded", now, null, currency, null, null, false, null);
  }

  /** The purchase of that id, read at {@code now}, its row locked until the transaction ends. */
  Optional<Purchase> lock(Connection c, long purchaseId, Instant now) throws SQLException {
    return read(c, LOCKED, purchaseId, now);
  }

  /** The purchase of that id, read at {@code now} in the caller's transaction. */
  Optional<Purchase> find(Connection c, long purchaseId, Instant now) throws SQLException {
    return read(c, ONE, purchaseId, now);
  }

  /** The purchase of that id, read at {@code now}, if there is one. */
  public Optional<Purchase> find(long purchaseId, Instant now) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      return find(c, purchaseId, now);
    }
  }

  /** The account's purchases, newest first, {@code limit} of them from {@code offset}. */
  public List<Purchase> page(String orgId, int limit, int offset, Instant now) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      return read(c, PAGE.bind("user_id", orgId).bind("limit", limit).bind("offset", offset), now);
    }
  }

  /** The account's purchases that add their capacity at {@code at}, oldest first. */
  public List<ActivePack> activeAt(String orgId, Instant at) throws SQLException {
    List<ActivePack> active = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement statement = ACTIVE.bind("user_id", orgId).bind("at", at).prepare(c);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        active.add(new ActivePack(rs.getLong(1), rs.getString(2), meters(rs.getString(3))));
      }
    }
    return active;
  }

  /**
   * For each window (the account {@code orgIds.get(i)} over {@code [from.get(i), to.get(i))}),
   * what its purchases active at some instant of it add, summed per meter, each purchase once;
   * one statement for all (a chunk of invoices), in the caller's transaction.
   */
  public static List<Map<Meter, BigDecimal>> addedDuring(
      Connection c, List<String> orgIds, List<Instant> from, List<Instant> to) throws SQLException {
    List<Map<Meter, BigDecimal>> added = new ArrayList<>(orgIds.size());
    orgIds.forEach(u -> added.add(new LinkedHashMap<>()));
    if (orgIds.isEmpty()) {
      return added;
    }
    try (PreparedStatement statement =
            ADDED_DURING
                .bind("user_id", SqlArrays.array(c, orgIds, u -> u))
                .bind("from", SqlArrays.array(c, from, f -> f))
                .bind("to", SqlArrays.array(c, to, t -> t))
                .prepare(c);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        Map<Meter, BigDecimal> window = added.get(rs.getInt(1) - 1);
        meters(rs.getString(2))
            .forEach((meter, amount) -> window.merge(meter, amount, BigDecimal::add));
      }
    }
    return added;
  }

  /** What a purchase adds, from its stored {@code adds} JSON, by meter. */
  public static Map<Meter, BigDecimal> meters(String addsJson) {
    Map<Meter, BigDecimal> adds = new LinkedHashMap<>();
    JsonMapper.decimals(addsJson).forEach((name, amount) -> adds.put(Meter.of(name), amount));
    return adds;
  }

  private static void event(
      Connection c,
      long purchaseId,
      String kind,
      Instant at,
      BigDecimal amount,
      Currency currency,
      Instant validFrom,
      Instant validUntil,
      boolean billed,
      String paidCheckout)
      throws SQLException {
    EVENT
        .bind("purchase_id", purchaseId)
        .bind("kind", kind)
        .bind("at", at)
        .bind("amount", amount)
        .bind("currency", currency.getCurrencyCode())
        .bind("valid_from", validFrom)
        .bind("valid_until", validUntil)
        .bind("billed", billed)
        .bind("paid_checkout", paidCheckout)
        .update(c);
  }

  private static Optional<Purchase> read(Connection c, NamedSql query, long id, Instant now)
      throws SQLException {
    return read(c, query.bind("id", id), now).stream().findFirst();
  }

  private static List<Purchase> read(Connection c, NamedSql.Binding query, Instant now)
      throws SQLException {
    Map<Long, Purchase> purchases = new LinkedHashMap<>();
    try (PreparedStatement statement = query.bind("at", now).prepare(c);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        Currency currency = Currency.getInstance(rs.getString(8));
        purchases.put(
            rs.getLong(1),
            new Purchase(
                rs.getLong(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                JsonMapper.decimals(rs.getString(6)),
                Money.shown(rs.getBigDecimal(7), currency),
                currency.getCurrencyCode(),
                rs.getObject(9, Integer.class),
                Sql.instant(rs.getTimestamp(10)),
                Sql.instant(rs.getTimestamp(11)),
                Sql.instant(rs.getTimestamp(12)),
                Sql.instant(rs.getTimestamp(13)),
                Sql.instant(rs.getTimestamp(15)),
                rs.getBoolean(14),
                new ArrayList<>()));
      }
    }
    if (purchases.isEmpty()) {
      return List.of();
    }
    try (PreparedStatement statement =
            HISTORY
                .bind("ids", c.createArrayOf("bigint", purchases.keySet().toArray()))
                .prepare(c);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        Currency currency = Currency.getInstance(rs.getString(5));
        BigDecimal amount = rs.getBigDecimal(4);
        purchases
            .get(rs.getLong(1))
            .history()
            .add(
                new Purchase.Event(
                    rs.getString(2),
                    Sql.instant(rs.getTimestamp(3)),
                    amount == null ? null : Money.shown(amount, currency),
                    Sql.instant(rs.getTimestamp(6)),
                    Sql.instant(rs.getTimestamp(7)),
                    rs.getObject(8, Long.class),
                    rs.getBoolean(9)));
      }
    }
    return List.copyOf(purchases.values());
  }

  private static Map<String, BigDecimal> byName(Map<Meter, BigDecimal> adds) {
    Map<String, BigDecimal> named = new TreeMap<>();
    adds.forEach((meter, amount) -> named.put(meter.configName(), amount));
    return named;
  }
}
