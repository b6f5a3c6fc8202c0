package io.streamspace.billing.invoicing;

import io.streamspace.billing.invoicing.ChargeLine.ChargeKind;
import io.streamspace.billing.money.Money;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * What store purchases cost on an invoice: one {@code store} line per purchase paid on the
 * invoice, its price as bought, in full, on the invoice of the period it was bought in (the
 * caller passes those the invoice claims: unbilled, before its end). Pure: it reads nothing and
 * rounds each line once ({@link Money}); in the order they were bought.
 */
public final class StoreCharges {

  /**
   * A store item bought, to be paid on an invoice.
   *
   * @param price as bought, in the invoice's currency
   * @param at when it was bought
   * @param accessUntil when a time-limited access ends; null for good
   */
  public record StoreCharge(
      long purchaseId,
      String itemName,
      String version,
      BigDecimal price,
      Instant at,
      Instant accessFrom,
      Instant accessUntil) {
    public StoreCharge {
      Objects.requireNonNull(price, "price");
      Objects.requireNonNull(at, "at");
    }
  }

  /** Orders charges, and their lines, as they were bought. */
  static final Comparator<StoreCharge> BOUGHT =
      Comparator.comparing(StoreCharge::at).thenComparingLong(StoreCharge::purchaseId);

  private StoreCharges() {}

  /** The invoice's store lines, in the order the items were bought. */
  public static List<ChargeLine> lines(
      java.util.Currency currency, List<StoreCharge> charges, ZoneId zone) {
    return charges.stream()
        .sorted(BOUGHT)
        .map(
            charge ->
                new ChargeLine(
                    ChargeKind.STORE,
                    description(charge, zone),
                    null,
                    null,
                    charge.price(),
                    Money.lineTotal(charge.price(), BigDecimal.ONE, currency),
                    charge.accessFrom(),
                    charge.accessUntil()))
        .toList();
  }

  private static String description(StoreCharge charge, ZoneId zone) {
    String item = charge.itemName() + " " + charge.version() + " (store)";
    if (charge.accessUntil() == null) {
      return item + ", for good";
    }
    return item
        + ", "
        + charge.accessFrom().atZone(zone).toLocalDate()
        + " – "
        + charge.accessUntil().atZone(zone).toLocalDate();
  }
}
