package io.streamspace.billing.tax;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Currency;
import java.util.HexFormat;
import java.util.List;

/**
 * The hash of what a tax calculation was made for: the currency, the tax behaviour and each line's
 * number and amount, in order. Finalization uses a calculation only when the lines it finalizes
 * hash the same: any line added, changed or removed since (late usage) means another calculation.
 */
public final class LinesHash {

  private LinesHash() {}

  /** The SHA-256 of the lines, in hex. */
  public static String of(Currency currency, TaxBehavior behavior, List<TaxCalculator.Item> items) {
    StringBuilder text = new StringBuilder();
    text.append(currency.getCurrencyCode()).append('|').append(behavior.configName());
    for (TaxCalculator.Item item : items) {
      // stripped: 5.00 and 5.0 are the same amount
      text.append('|')
          .append(item.lineNo())
          .append('=')
          .append(item.amount().stripTrailingZeros().toPlainString());
    }
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest(text.toString().getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
