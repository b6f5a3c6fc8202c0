package io.streamspace.billing.catalog.share;

import java.math.BigDecimal;
import java.util.Currency;
import java.util.List;
import java.util.Optional;

/** The tables the tests and docs/store-revenue-share.md work with. */
public final class ShareTables {

  public static final Currency USD = Currency.getInstance("USD");
  public static final Currency VND = Currency.getInstance("VND");

  private ShareTables() {}

  /**
   * The worked example's table: USD, 20 % of a creator's first 1,000.00 in a calendar month, 10 %
   * from 1,000.00 to 5,000.00, 5 % above; the platform takes at most 300.00 a month.
   */
  public static ShareTable worked() {
    return new ShareTable(
        USD,
        List.of(
            new Tier(BigDecimal.ZERO, new BigDecimal("0.20")),
            new Tier(new BigDecimal("1000"), new BigDecimal("0.10")),
            new Tier(new BigDecimal("5000"), new BigDecimal("0.05"))),
        ResetPeriod.CALENDAR_MONTH,
        Optional.of(new BigDecimal("300")));
  }

  /** One rate on every sale, no cap. */
  public static ShareTable flat(Currency currency, String rate) {
    return new ShareTable(
        currency,
        List.of(new Tier(BigDecimal.ZERO, new BigDecimal(rate))),
        ResetPeriod.NEVER,
        Optional.empty());
  }

  public static BigDecimal money(String amount) {
    return new BigDecimal(amount);
  }
}
