package io.streamspace.billing.store.sales;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.money.Money;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;

/**
 * The platform admin's view of a month of the store, in the billing zone: revenue by creator (net
 * of the month's claw-backs, per currency, from the ledger), the popular items (purchases that
 * became effective in the month and were neither refunded nor charged back, top first) and the
 * capacity packs bought in the month.
 */
public final class StoreRevenue {

  private static final NamedSql BY_CREATOR =
      NamedSql.of(
          """
          SELECT creator_id, currency, sum(gross), sum(platform_share), sum(creator_share)
          FROM billing_store_sales
          WHERE at >= :from AND at < :to AND kind IN ('sale', 'refund', 'chargeback')
          GROUP BY creator_id, currency
          ORDER BY creator_id, currency""");

  private static final NamedSql ITEMS =
      NamedSql.of(
          """
          SELECT p.item_id, i.name, i.creator_id, p.currency, count(*), sum(p.price)
          FROM billing_store_purchases p JOIN billing_store_items i ON i.id = p.item_id
          WHERE p.access_from >= :from AND p.access_from < :to AND p.status = 'active'
          GROUP BY p.item_id, i.name, i.creator_id, p.currency
          ORDER BY count(*) DESC, sum(p.price) DESC, p.item_id, p.currency""");

  private static final NamedSql PACKS =
      NamedSql.of(
          """
          SELECT pack_id, min(pack_name), count(*) FROM billing_pack_purchases
          WHERE purchased_at >= :from AND purchased_at < :to
          GROUP BY pack_id ORDER BY count(*) DESC, pack_id""");

  /** A creator's month in one currency: net of claw-backs. */
  public record CreatorRevenue(
      String creatorId,
      Currency currency,
      BigDecimal gross,
      BigDecimal platformShare,
      BigDecimal creatorShare) {}

  /** An item's purchases in one currency in the month, and their gross. */
  public record ItemSales(
      long itemId,
      String name,
      String creatorId,
      Currency currency,
      long purchases,
      BigDecimal gross) {}

  /** A capacity pack's purchases in the month. */
  public record PackSales(String packId, String name, long purchases) {}

  /** The month's figures. */
  public record Revenue(
      YearMonth period,
      List<CreatorRevenue> byCreator,
      List<ItemSales> popularItems,
      List<PackSales> popularPacks) {}

  public Revenue of(Connection c, YearMonth month, ZoneId zone) throws SQLException {
    var from = Periods.start(month, zone);
    var to = Periods.start(month.plusMonths(1), zone);
    List<CreatorRevenue> byCreator = new ArrayList<>();
    try (PreparedStatement s = BY_CREATOR.bind("from", from).bind("to", to).prepare(c);
        ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        Currency currency = Currency.getInstance(rs.getString(2));
        byCreator.add(
            new CreatorRevenue(
                rs.getString(1),
                currency,
                scaled(rs.getBigDecimal(3), currency),
                scaled(rs.getBigDecimal(4), currency),
                scaled(rs.getBigDecimal(5), currency)));
      }
    }
    List<ItemSales> items = new ArrayList<>();
    try (PreparedStatement s = ITEMS.bind("from", from).bind("to", to).prepare(c);
        ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        Currency currency = Currency.getInstance(rs.getString(4));
        items.add(
            new ItemSales(
                rs.getLong(1),
                rs.getString(2),
                rs.getString(3),
                currency,
                rs.getLong(5),
                scaled(rs.getBigDecimal(6), currency)));
      }
    }
    List<PackSales> packs = new ArrayList<>();
    try (PreparedStatement s = PACKS.bind("from", from).bind("to", to).prepare(c);
        ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        packs.add(new PackSales(rs.getString(1), rs.getString(2), rs.getLong(3)));
      }
    }
    return new Revenue(month, byCreator, items, packs);
  }

  private static BigDecimal scaled(BigDecimal amount, Currency currency) {
    return amount.setScale(Money.minorDigits(currency));
  }
}
