package io.streamspace.billing.credits;

import io.streamspace.billing.money.Money;
import io.streamspace.billing.money.Seconds;
import io.streamspace.billing.money.UsageUnit;
import io.streamspace.billing.rating.CurrencyRates;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a stretch of a session cost, priced from its size steps as they are stored (its cores and
 * memory, {@code billing_session_sizes}; each held meter, {@code billing_session_held}), since at
 * its terminate its last minutes are not rated yet. The rule is the one a prepaid hold and the
 * forecast price a size by ({@link CurrencyRates#perHour}: cores × price per core-hour + GB ×
 * price per GB-hour + each held meter's amount × its unit-hour price, a meter without a price in
 * the currency costing nothing), over each stretch a size holds:
 *
 * <pre>  cost = round( Σ perHour(size of the stretch) × seconds of the stretch / 3,600 )</pre>
 *
 * summed exactly and rounded once, half up, to the currency's minor unit ({@link
 * Money#lineTotal}), as an invoice line is. Before its first step a session holds nothing.
 * Storage is left out: it is the organization's level, billed whether the session runs or not.
 *
 * <p>Example: 2 cores and 4 GB at USD 0.05 a core-hour and 0.01 a GB-hour cost 0.14 an hour; a
 * session resized to 4 cores and 8 GB (0.28 an hour) 5 minutes before it ended, credited its
 * last 15 minutes: (0.14 × 600 + 0.28 × 300) / 3,600 = 168 / 3,600 = 0.04666…, credited 0.05.
 */
final class FaultCreditCost {

  private static final BigDecimal HOUR = UsageUnit.CPU.unitSecondsPerUnit();

  /** The cores and memory held from {@code from} on. */
  record SizeStep(Instant from, BigDecimal cpuCores, BigDecimal memoryGb) {}

  /** A held meter's amount from {@code from} on. */
  record HeldStep(String meterId, Instant from, BigDecimal amount) {}

  private FaultCreditCost() {}

  /**
   * The cost of {@code [from, to)} at {@code rates}, in its currency's minor unit.
   *
   * @param sizes the session's size steps, any order
   * @param held  the session's held meters' steps, any order
   */
  static BigDecimal of(
      Instant from,
      Instant to,
      List<SizeStep> sizes,
      List<HeldStep> held,
      CurrencyRates rates,
      Currency currency) {
    TreeMap<Instant, SizeStep> bySize = new TreeMap<>();
    sizes.forEach(s -> bySize.put(s.from(), s));
    Map<String, TreeMap<Instant, BigDecimal>> byMeter = new TreeMap<>();
    held.forEach(
        h -> byMeter.computeIfAbsent(h.meterId(), m -> new TreeMap<>()).put(h.from(), h.amount()));
    // the stretch is cut wherever a size or an amount changes within it
    TreeSet<Instant> cuts = new TreeSet<>();
    cuts.add(from);
    cuts.add(to);
    bySize.keySet().stream().filter(at -> at.isAfter(from) && at.isBefore(to)).forEach(cuts::add);
    byMeter
        .values()
        .forEach(
            steps ->
                steps.keySet().stream()
                    .filter(at -> at.isAfter(from) && at.isBefore(to))
                    .forEach(cuts::add));
    BigDecimal priced = BigDecimal.ZERO;
    Instant start = null;
    for (Instant cut : cuts) {
      if (start != null) {
        Map.Entry<Instant, SizeStep> size = bySize.floorEntry(start);
        Map<String, BigDecimal> amounts = new TreeMap<>();
        for (Map.Entry<String, TreeMap<Instant, BigDecimal>> meter : byMeter.entrySet()) {
          Map.Entry<Instant, BigDecimal> amount = meter.getValue().floorEntry(start);
          if (amount != null) {
            amounts.put(meter.getKey(), amount.getValue());
          }
        }
        BigDecimal perHour =
            rates.perHour(
                size == null ? BigDecimal.ZERO : size.getValue().cpuCores(),
                size == null ? BigDecimal.ZERO : size.getValue().memoryGb(),
                amounts);
        priced = priced.add(perHour.multiply(Seconds.between(start, cut)));
      }
      start = cut;
    }
    return Money.lineTotal(priced, HOUR, currency);
  }
}
