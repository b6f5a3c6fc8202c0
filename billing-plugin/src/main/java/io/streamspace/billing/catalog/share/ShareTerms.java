package io.streamspace.billing.catalog.share;

import java.math.BigDecimal;
import java.util.Currency;
import java.util.Objects;

/**
 * What a creator's sales in one currency are held to: the {@link ShareTable} that splits them,
 * and the smallest balance a monthly statement pays out (the store's {@code CreatorStatement.of}).
 * The store's configuration holds one per currency; they are terms of sale, so they sit in the
 * catalog, under the configuration that reads them and the store that applies them.
 *
 * @param minimumPayout at least 0, an amount of the table's currency
 */
public record ShareTerms(ShareTable table, BigDecimal minimumPayout) {

  public ShareTerms {
    Objects.requireNonNull(table, "table");
    minimumPayout = ShareTable.amount("minimumPayout", minimumPayout, table.currency());
    if (minimumPayout.signum() < 0) {
      throw new IllegalArgumentException(
          "minimumPayout must be at least 0, was " + minimumPayout.toPlainString());
    }
  }

  public Currency currency() {
    return table.currency();
  }
}
