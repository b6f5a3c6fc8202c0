package io.streamspace.billing.rating;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.money.UsageUnit;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A resource's usage over a range at whatever unit prices its records carry: the quantity in its
 * unit and the cost, the sum of the resource's {@link UsageStatement} lines (one per unit price,
 * each rounded once), so it adds up to what {@code /usage} shows for the same range.
 *
 * @param quantity for display only: the exact unit-seconds of all its lines, divided once
 * @param saved    what the lines of its idle or disconnected time priced at a factor saved, the
 *                 sum of their {@link UsageLine#saved}; null when it has none
 */
public record ResourceTotal(
    String resourceType,
    BigDecimal quantity,
    String unit,
    BigDecimal cost,
    @JsonInclude(JsonInclude.Include.NON_NULL) BigDecimal saved) {

  /** One total per resource of the sums, in their order (resource first, as the query sorts). */
  public static List<ResourceTotal> of(List<UsageSum> sums, Currency currency) {
    Map<UsageUnit, List<UsageSum>> byUnit = new LinkedHashMap<>();
    for (UsageSum sum : sums) {
      byUnit.computeIfAbsent(sum.unit(), u -> new ArrayList<>()).add(sum);
    }
    List<ResourceTotal> totals = new ArrayList<>();
    byUnit.forEach(
        (unit, lines) ->
            totals.add(
                new ResourceTotal(
                    unit.resourceType(),
                    unit.quantity(
                        lines.stream()
                            .map(UsageSum::unitSeconds)
                            .reduce(BigDecimal.ZERO, BigDecimal::add)),
                    unit.label(),
                    lines.stream()
                        .map(line -> line.line(currency).totalCost())
                        .reduce(Money.zero(currency), BigDecimal::add),
                    lines.stream()
                        .map(line -> line.line(currency).saved())
                        .filter(Objects::nonNull)
                        .reduce(BigDecimal::add)
                        .orElse(null))));
    return totals;
  }
}
