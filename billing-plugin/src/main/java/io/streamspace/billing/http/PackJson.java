package io.streamspace.billing.http;

import io.streamspace.billing.catalog.CapacityPack;
import io.streamspace.billing.money.Money;
import java.math.BigDecimal;
import java.util.Comparator;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A pack of the catalog as {@code GET /packs} answers it, at its price in the account's currency:
 * what it adds by meter id ({@code adds}), and the same with each meter's name and unit for
 * people ({@code added}).
 */
record PackJson(
    String id,
    String name,
    String kind,
    Map<String, BigDecimal> adds,
    List<PackJson.AddsJson> added,
    BigDecimal price,
    Integer validDays) {

  /** What a pack adds to one meter, with the meter's name and unit for people. */
  record AddsJson(String meter, String name, String unit, BigDecimal amount) {}

  static PackJson of(CapacityPack pack, Currency currency) {
    Map<String, BigDecimal> adds = new TreeMap<>();
    pack.adds().forEach((meter, amount) -> adds.put(meter.configName(), amount));
    List<AddsJson> added =
        pack.adds().entrySet().stream()
            .map(
                e ->
                    new AddsJson(
                        e.getKey().configName(),
                        e.getKey().name(),
                        e.getKey().unit(),
                        e.getValue()))
            .sorted(Comparator.comparing(AddsJson::meter))
            .toList();
    return new PackJson(
        pack.id(),
        pack.name(),
        pack.kind().configName(),
        adds,
        added,
        Money.shown(pack.priceIn(currency).orElseThrow(), currency),
        pack.validDays());
  }
}
