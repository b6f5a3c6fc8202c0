package io.streamspace.billing.store.purchase;

import java.math.BigDecimal;
import java.util.Currency;

/** A store item on sale at an approved version, as a purchase takes it. */
record ListedItem(
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
