package io.streamspace.billing.store.bundle;

import java.math.BigDecimal;
import java.util.Currency;
import java.util.List;
import java.util.Map;

/**
 * A bundle's {@code manifest.json}, as read and checked. {@code price} is empty for a free item
 * and holds USD and/or VND otherwise, exactly as written (no rounding); {@code stylesheet} and
 * {@code preview} are normalized paths in the bundle, {@code preview} null when there is none.
 */
public record Manifest(
    String name,
    String version,
    Map<Currency, BigDecimal> price,
    SaleModel sale,
    List<ColorPair> colors,
    String stylesheet,
    String preview) {

  public Manifest {
    price = Map.copyOf(price);
    colors = List.copyOf(colors);
  }
}
