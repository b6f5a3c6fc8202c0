package io.streamspace.billing.store.sales;

import io.streamspace.billing.catalog.share.Tier;
import java.math.BigDecimal;

/**
 * A sale line's tier back from the label the ledger keeps ({@link Tier#label}: {@code "15% from
 * 1000000.00"}), so a statement names the tier a sale reached even after the share table changed.
 */
final class TierLabels {

  private static final String FROM = "% from ";

  private TierLabels() {}

  static Tier tier(String label) {
    int at = label.indexOf(FROM);
    if (at < 0) {
      throw new IllegalStateException("not a tier's label: " + label);
    }
    return new Tier(
        new BigDecimal(label.substring(at + FROM.length())),
        new BigDecimal(label.substring(0, at)).movePointLeft(2));
  }
}
