package io.streamspace.billing.store.sales;

import io.streamspace.billing.catalog.share.ResetPeriod;
import io.streamspace.billing.catalog.share.ShareTerms;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.store.purchase.CreatorLedger;
import io.streamspace.billing.store.share.CreatorPeriodTotals;
import io.streamspace.billing.store.share.RevenueShare;
import io.streamspace.billing.store.share.SaleSplit;
import io.streamspace.billing.store.share.StatementLine;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Currency;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Writes the creators' ledger ({@code billing_store_sales}) as store purchases are sold and
 * refunded: the purchase flow calls it inside its own transaction, so the line and the purchase's
 * change commit together or not at all.
 *
 * <p><b>A sale</b> is split with the share table of its currency ({@code storeRevenueShare}) and
 * the creator's counters of its period: the period holding the sale's time (the purchase's {@code
 * access_from}) by the table's reset period in the billing zone; the counters are the gross and
 * the platform's take of every sale of that period already in the ledger, net of their
 * claw-backs (a claw-back counts in its sale's period). A sale already split is never split
 * again, so each sale is split against what the ledger held when it was recorded: the tier
 * counter and the cap then never count a sale twice, the platform's take in a period never passes
 * the cap, and a period's totals are the same in whatever order its sales are recorded (but for
 * each sale's rounding, and a cap that binds).
 *
 * <p><b>Serialised per creator</b>: each call takes a transaction-level advisory lock on the
 * creator before it reads the counters, so two sales of one creator on two nodes are split one
 * after the other, never both against the same counters. Calling again changes nothing: a
 * purchase is sold at most once and clawed back at most once (unique indexes of the ledger).
 */
public final class StoreSales implements CreatorLedger {

  /** The advisory lock's first key, the store ledger's own ("sale" in ASCII). */
  static final int LOCK_SPACE = 0x73616c65;

  private static final NamedSql PURCHASE =
      NamedSql.of(
          """
          SELECT creator_id, price, currency, access_from FROM billing_store_purchases
          WHERE id = :id""");

  private static final NamedSql LOCK_CREATOR =
      NamedSql.of("SELECT pg_advisory_xact_lock(:space, hashtext(:creator_id))");

  private static final NamedSql SALE_LINE =
      NamedSql.of(
          """
          SELECT creator_id, currency, at, gross, platform_share, creator_share, tier,
                 EXISTS (SELECT 1 FROM billing_store_sales b WHERE b.purchase_id = s.purchase_id
                         AND b.kind IN ('refund', 'chargeback')) AS clawed_back
          FROM billing_store_sales s WHERE s.purchase_id = :purchase_id AND s.kind = 'sale'""");

  // the period's sales and their claw-backs, each claw-back counted in its sale's period
  private static final NamedSql COUNTERS =
      NamedSql.of(
          """
          SELECT coalesce(sum(l.gross), 0), coalesce(sum(l.platform_share), 0)
          FROM billing_store_sales l
          JOIN billing_store_sales s ON s.purchase_id = l.purchase_id AND s.kind = 'sale'
          WHERE l.creator_id = :creator_id AND l.currency = :currency
            AND l.kind IN ('sale', 'refund', 'chargeback')
            AND s.at >= :from AND (:to::timestamptz IS NULL OR s.at < :to::timestamptz)""");

  private static final NamedSql INSERT =
      NamedSql.of(
          """
          INSERT INTO billing_store_sales (purchase_id, creator_id, kind, at, currency, gross,
                                           platform_share, creator_share, tier, recorded_at)
          VALUES (:purchase_id, :creator_id, :kind, :at, :currency, :gross, :platform_share,
                  :creator_share, :tier::text, :recorded_at)""");

  private final Supplier<BillingConfig> config;
  private final Clock clock;

  public StoreSales(Supplier<BillingConfig> config, Clock clock) {
    this.config = Objects.requireNonNull(config, "config");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Records the sale of purchase {@code purchaseId}: its price split between the platform and
   * its creator, a {@code sale} line at the purchase's {@code access_from}. A free purchase (price
   * 0) writes nothing; a purchase already sold writes nothing again.
   *
   * @throws IllegalArgumentException when there is no such purchase
   * @throws IllegalStateException when its currency has no share table
   */
  @Override
  public void sold(Connection c, long purchaseId) throws SQLException {
    String creatorId;
    BigDecimal price;
    Currency currency;
    Instant at;
    try (PreparedStatement s = PURCHASE.bind("id", purchaseId).prepare(c);
        ResultSet rs = s.executeQuery()) {
      if (!rs.next()) {
        throw new IllegalArgumentException("no store purchase " + purchaseId);
      }
      creatorId = rs.getString(1);
      price = rs.getBigDecimal(2);
      currency = Currency.getInstance(rs.getString(3));
      at = rs.getTimestamp(4).toInstant();
    }
    if (price.signum() == 0) {
      return; // free: nothing to share
    }
    BillingConfig in = config.get();
    ShareTerms terms =
        in.storeTerms(currency)
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "no revenue share for "
                            + currency.getCurrencyCode()
                            + ": add it to storeRevenueShare"));
    lock(c, creatorId);
    if (saleLine(c, purchaseId) != null) {
      return; // sold already
    }
    CreatorPeriodTotals before = counters(c, creatorId, terms, at, in.billingTimeZone());
    SaleSplit split =
        RevenueShare.split(terms.table(), before, price.setScale(Money.minorDigits(currency)));
    insert(c, purchaseId, creatorId, StatementLine.SALE, at, split, split.tierReached());
  }

  /**
   * Takes back the whole sale of purchase {@code purchaseId}, refunded at {@code at}: a {@code
   * refund} line, every figure of its sale line negated ({@link RevenueShare#clawBack}). Without a
   * sale line (a free purchase, one never sold) it writes nothing, nor when the sale was already
   * refunded or charged back.
   */
  @Override
  public void refunded(Connection c, long purchaseId, Instant at) throws SQLException {
    clawBack(c, purchaseId, at, StatementLine.REFUND);
  }

  /** As {@link #refunded}, for a chargeback: a {@code chargeback} line. */
  @Override
  public void chargedBack(Connection c, long purchaseId, Instant at) throws SQLException {
    clawBack(c, purchaseId, at, StatementLine.CHARGEBACK);
  }

  private void clawBack(Connection c, long purchaseId, Instant at, String kind)
      throws SQLException {
    Objects.requireNonNull(at, "at");
    SoldLine sold = saleLine(c, purchaseId);
    if (sold == null) {
      return;
    }
    lock(c, sold.creatorId());
    sold = saleLine(c, purchaseId); // as it stands under the lock
    if (sold.clawedBack()) {
      return;
    }
    insert(c, purchaseId, sold.creatorId(), kind, at, RevenueShare.clawBack(sold.split()), null);
  }

  /** A purchase's sale line, as its split. */
  private record SoldLine(String creatorId, SaleSplit split, boolean clawedBack) {}

  private static SoldLine saleLine(Connection c, long purchaseId) throws SQLException {
    try (PreparedStatement s = SALE_LINE.bind("purchase_id", purchaseId).prepare(c);
        ResultSet rs = s.executeQuery()) {
      if (!rs.next()) {
        return null;
      }
      Currency currency = Currency.getInstance(rs.getString(2));
      int scale = Money.minorDigits(currency);
      SaleSplit split =
          new SaleSplit(
              currency,
              rs.getBigDecimal(4).setScale(scale),
              rs.getBigDecimal(5).setScale(scale),
              rs.getBigDecimal(6).setScale(scale),
              List.of(),
              false,
              rs.getString(7));
      return new SoldLine(rs.getString(1), split, rs.getBoolean(8));
    }
  }

  private static void lock(Connection c, String creatorId) throws SQLException {
    try (PreparedStatement s =
            LOCK_CREATOR.bind("space", LOCK_SPACE).bind("creator_id", creatorId).prepare(c);
        ResultSet rs = s.executeQuery()) {
      rs.next();
    }
  }

  /** The creator's counters of the period holding {@code at}, as the ledger holds them now. */
  private static CreatorPeriodTotals counters(
      Connection c, String creatorId, ShareTerms terms, Instant at, ZoneId zone)
      throws SQLException {
    ResetPeriod reset = terms.table().reset();
    Currency currency = terms.currency();
    try (PreparedStatement s =
            COUNTERS
                .bind("creator_id", creatorId)
                .bind("currency", currency.getCurrencyCode())
                .bind("from", reset.periodStart(at, zone))
                .bind("to", Periods.end(reset, at, zone))
                .prepare(c);
        ResultSet rs = s.executeQuery()) {
      rs.next();
      int scale = Money.minorDigits(currency);
      return new CreatorPeriodTotals(
          rs.getBigDecimal(1).setScale(scale), rs.getBigDecimal(2).setScale(scale));
    }
  }

  private void insert(
      Connection c,
      long purchaseId,
      String creatorId,
      String kind,
      Instant at,
      SaleSplit split,
      String tier)
      throws SQLException {
    INSERT
        .bind("purchase_id", purchaseId)
        .bind("creator_id", creatorId)
        .bind("kind", kind)
        .bind("at", at)
        .bind("currency", split.currency().getCurrencyCode())
        .bind("gross", split.gross())
        .bind("platform_share", split.platformShare())
        .bind("creator_share", split.creatorShare())
        .bind("tier", tier)
        .bind("recorded_at", clock.instant())
        .update(c);
  }
}
