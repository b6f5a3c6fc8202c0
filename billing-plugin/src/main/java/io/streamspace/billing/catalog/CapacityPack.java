package io.streamspace.billing.catalog;

import java.math.BigDecimal;
import java.util.Currency;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A pack of the catalog ({@code capacityPacks}): capacity an account buys on top of its plan.
 *
 * @param adds      what it adds to the account's limits, by meter (each above zero)
 * @param prices    its price in each currency it is sold in (every supported one for a saved
 *                  catalog): per purchase for a one-time pack, per billing period for a
 *                  recurring one
 * @param validDays how long a one-time pack lasts from its purchase or renewal; null for a
 *                  recurring pack, which lasts until cancelled
 */
public record CapacityPack(
    String id,
    String name,
    Map<Meter, BigDecimal> adds,
    Map<Currency, BigDecimal> prices,
    Kind kind,
    Integer validDays) {

  /** How a pack is paid for and how long it lasts. */
  public enum Kind {
    /** Paid once, valid for {@code validDays}, then it expires until renewed explicitly. */
    ONE_TIME,
    /** Paid each billing period it is active (prorated to the second), until cancelled. */
    RECURRING;

    /** As config and JSON write it: {@code one_time}, {@code recurring}. */
    public String configName() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Kind of(String configName) {
      return valueOf(configName.toUpperCase(Locale.ROOT));
    }
  }

  public CapacityPack {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(kind, "kind");
    adds = Map.copyOf(adds);
    prices = Map.copyOf(prices);
  }

  /** Its price in that currency, if it is sold in it. */
  public Optional<BigDecimal> priceIn(Currency currency) {
    return Optional.ofNullable(prices.get(currency));
  }
}
