package io.streamspace.billing.store.sales;

import io.streamspace.billing.catalog.share.ShareTerms;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.store.share.CreatorStatement;
import io.streamspace.billing.store.share.StatementLine;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Creators' monthly statements, from the ledger ({@code billing_store_sales}) through the pure
 * {@link CreatorStatement#of}, months taken in the billing zone.
 *
 * <p><b>The opening balance is computed, not stored</b>: it is the previous month's {@code
 * carriedForward}, folded month by month from the creator's first line in the currency, each
 * month's payout decided by the minimum payout of {@code storeRevenueShare}. A month with no line
 * changes nothing (what it carried was below the minimum, or not positive), so only months with
 * lines are folded. Nothing can disagree with the lines, but the minimum payout and the billing
 * zone in effect decide past months too: changing either re-decides them.
 */
public final class CreatorStatements {

  // each creator's, each currency's, each month's movement of the balance before a month
  // each month's net creator share, and the payout queued for it if one was (pay-creators):
  // a month once paid out keeps the payout it was given, whatever the minimum is today
  private static final String MONTHS =
      """
      SELECT m.creator_id, m.currency, m.month, m.creator_share, p.amount
      FROM (SELECT creator_id, currency, to_char(at AT TIME ZONE :zone, 'YYYY-MM') AS month,
                   sum(creator_share) AS creator_share
            FROM billing_store_sales WHERE at < :before %s
            GROUP BY 1, 2, 3) m
      LEFT JOIN billing_creator_payouts p
        ON p.creator_id = m.creator_id AND p.currency = m.currency
       AND p.period = to_date(m.month, 'YYYY-MM')
      ORDER BY 1, 2, 3""";

  private static final NamedSql MONTHS_OF_CREATOR =
      NamedSql.of(MONTHS.formatted("AND creator_id = :creator_id"));
  private static final NamedSql MONTHS_OF_ALL = NamedSql.of(MONTHS.formatted(""));

  private static final NamedSql LINES =
      NamedSql.of(
          """
          SELECT id, purchase_id, kind, at, gross, platform_share, creator_share, tier
          FROM billing_store_sales
          WHERE creator_id = :creator_id AND currency = :currency AND at >= :from AND at < :to""");

  private final Supplier<BillingConfig> config;
  private final Clock clock;

  public CreatorStatements(Supplier<BillingConfig> config, Clock clock) {
    this.config = Objects.requireNonNull(config, "config");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * The creator's statements of {@code month}, one per currency with a line in the month or a
   * balance brought into it, by currency code; none when there is neither.
   */
  public List<CreatorStatement> of(Connection c, String creatorId, YearMonth month)
      throws SQLException {
    BillingConfig in = config.get();
    ZoneId zone = in.billingTimeZone();
    Map<String, Balance> balances = balances(c, Optional.of(creatorId), month, zone, in);
    List<CreatorStatement> statements = new ArrayList<>();
    for (Balance balance : balances.values()) {
      if (balance.lastMonth.equals(month) || balance.carried.signum() != 0) {
        statements.add(statement(c, creatorId, month, balance.currency, balance.opening, in));
      }
    }
    return statements;
  }

  /** The creator's statement of {@code month} in {@code currency} (empty lines when none). */
  public CreatorStatement of(Connection c, String creatorId, YearMonth month, Currency currency)
      throws SQLException {
    BillingConfig in = config.get();
    Balance balance =
        balances(c, Optional.of(creatorId), month, in.billingTimeZone(), in)
            .get(key(creatorId, currency.getCurrencyCode()));
    BigDecimal opening = balance == null ? Money.zero(currency) : balance.opening;
    return statement(c, creatorId, month, currency, opening, in);
  }

  /**
   * Every creator's payout of the closed {@code month}, one per creator and currency whose
   * statement pays more than 0, by creator then currency code.
   *
   * @throws IllegalArgumentException when the month has not ended yet in the billing zone
   */
  public List<PayoutDue> payoutsDue(Connection c, YearMonth month) throws SQLException {
    BillingConfig in = config.get();
    ZoneId zone = in.billingTimeZone();
    if (Periods.start(month.plusMonths(1), zone).isAfter(clock.instant())) {
      throw new IllegalArgumentException(month + " has not ended yet: its payouts are not due");
    }
    List<PayoutDue> due = new ArrayList<>();
    for (Balance balance : balances(c, Optional.empty(), month, zone, in).values()) {
      if (balance.lastMonth.equals(month) && balance.payout.signum() > 0) {
        due.add(new PayoutDue(balance.creatorId, month, balance.currency, balance.payout));
      }
    }
    return due;
  }

  private CreatorStatement statement(
      Connection c,
      String creatorId,
      YearMonth month,
      Currency currency,
      BigDecimal opening,
      BillingConfig in)
      throws SQLException {
    ZoneId zone = in.billingTimeZone();
    List<StatementLine> lines = new ArrayList<>();
    int scale = Money.minorDigits(currency);
    try (PreparedStatement s =
            LINES
                .bind("creator_id", creatorId)
                .bind("currency", currency.getCurrencyCode())
                .bind("from", Periods.start(month, zone))
                .bind("to", Periods.start(month.plusMonths(1), zone))
                .prepare(c);
        ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        long purchaseId = rs.getLong(2);
        String kind = rs.getString(3);
        String tier = rs.getString(8);
        lines.add(
            new StatementLine(
                kind,
                reference(rs.getLong(1), purchaseId, kind),
                rs.getTimestamp(4).toInstant(),
                rs.getBigDecimal(5).setScale(scale),
                rs.getBigDecimal(6).setScale(scale),
                rs.getBigDecimal(7).setScale(scale),
                Optional.ofNullable(tier).map(TierLabels::tier)));
      }
    }
    return CreatorStatement.of(currency, opening, lines, minimumPayout(in, currency));
  }

  /** A line's reference: its purchase's, or (a payout, an adjustment) its own. */
  private static String reference(long lineId, long purchaseId, String kind) {
    return purchaseId != 0 ? "purchase-" + purchaseId : kind + "-" + lineId;
  }

  private static BigDecimal minimumPayout(BillingConfig in, Currency currency) {
    return in.storeTerms(currency).map(ShareTerms::minimumPayout).orElse(Money.zero(currency));
  }

  /** A creator's balance in one currency, folded up to a month. */
  private static final class Balance {
    final String creatorId;
    final Currency currency;
    BigDecimal opening; // of the month asked for
    BigDecimal carried; // out of the last month folded
    BigDecimal payout; // of the last month folded
    YearMonth lastMonth;

    Balance(String creatorId, Currency currency) {
      this.creatorId = creatorId;
      this.currency = currency;
      this.carried = Money.zero(currency);
      this.payout = Money.zero(currency);
    }
  }

  /**
   * Each creator's balance in each currency (of one creator, or all), folded over the months up
   * to and including {@code month}: {@code opening} is {@code month}'s, {@code lastMonth} the
   * last month with a line.
   */
  private static Map<String, Balance> balances(
      Connection c, Optional<String> creatorId, YearMonth month, ZoneId zone, BillingConfig in)
      throws SQLException {
    Instant before = Periods.start(month.plusMonths(1), zone);
    NamedSql.Binding query =
        creatorId.isPresent()
            ? MONTHS_OF_CREATOR.bind("creator_id", creatorId.get())
            : MONTHS_OF_ALL.binding();
    Map<String, Balance> balances = new TreeMap<>();
    try (PreparedStatement s = query.bind("zone", zone.getId()).bind("before", before).prepare(c);
        ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        String creator = rs.getString(1);
        Currency currency = Currency.getInstance(rs.getString(2));
        Balance balance =
            balances.computeIfAbsent(
                key(creator, currency.getCurrencyCode()), k -> new Balance(creator, currency));
        YearMonth at = YearMonth.parse(rs.getString(3));
        if (at.equals(month)) {
          balance.opening = balance.carried;
        }
        BigDecimal closing =
            balance.carried.add(rs.getBigDecimal(4).setScale(Money.minorDigits(currency)));
        BigDecimal minimum = minimumPayout(in, currency);
        BigDecimal queued = rs.getBigDecimal(5);
        balance.payout =
            queued != null
                ? queued.setScale(Money.minorDigits(currency))
                : closing.signum() > 0 && closing.compareTo(minimum) >= 0
                    ? closing
                    : Money.zero(currency);
        balance.carried = closing.subtract(balance.payout);
        balance.lastMonth = at;
      }
    }
    balances.values().stream()
        .filter(balance -> !balance.lastMonth.equals(month))
        .forEach(balance -> balance.opening = balance.carried);
    return balances;
  }

  private static String key(String creatorId, String currencyCode) {
    return creatorId + "\u0000" + currencyCode;
  }
}
