package io.streamspace.billing.invoicing;

import io.streamspace.billing.catalog.Limit;
import io.streamspace.billing.catalog.LimitKind;
import io.streamspace.billing.catalog.Meter;
import io.streamspace.billing.catalog.MeterRates;
import io.streamspace.billing.catalog.Meters;
import io.streamspace.billing.invoicing.ChargeLine.ChargeKind;
import io.streamspace.billing.money.Money;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What the period counters (bandwidth, transcoding, AI queries, the config's custom meters) cost
 * above what the plan includes, in every billing mode. Pure: it reads nothing and rounds each
 * line once ({@link Money}).
 *
 * <ul>
 *   <li><b>Only soft limits bill.</b> A counter is billed above its plan's limit where the limit
 *       is {@code soft} ("allow it and bill the overage"), whatever the mode: in {@code hybrid}
 *       a limit is soft unless the plan says hard, in {@code usage} and {@code subscription} it
 *       is hard unless the plan says soft (the default plans' AI queries). A hard limit is a cap
 *       quotas enforce: nothing above it is billed. An unlimited counter bills nothing.
 *   <li><b>Overage.</b> In a billing period P, the overage up to an instant t is {@code max(0,
 *       used in [start of P, t) − included)}. An invoice of {@code [s, e)} bills, for each P it
 *       overlaps, the overage up to {@code min(e, end of P)} less that up to {@code max(s, start
 *       of P)}: for the invoice of a whole period, {@code max(0, used − included)}; an admin's
 *       invoice of a period's first days and the draft of the rest bill the period's overage
 *       once between them, the included amount granted once.
 *   <li><b>Plan.</b> The included amount is that of the plan term in effect at the end of the
 *       billed part of P ({@link #planAt}), as the version of the plan it is on sets it ({@link
 *       PlanTerm#limits}): a plan changed mid-period sets the whole period's included amount (not
 *       prorated like plan fees).
 *   <li><b>Packs.</b> The included amount is the plan's raised by what the account's packs add
 *       ({@code PlanLimits.raisedBy}, the rule of every limit): each pack active at some instant
 *       from the start of P to the end of the billed part adds its amount once to P. So a 50 GB
 *       bandwidth pack bought (or valid) on any day of P adds 50 GB to the whole period's included
 *       amount, not prorated, like a plan change; a recurring pack every period until it is
 *       cancelled. The kind stays the plan's, and a counter the plan leaves unlimited stays so.
 *   <li><b>Money.</b> One {@code overage} line per counter: its exact overage × the counter's
 *       rate in the invoice's currency ({@code meterRates}, {@code currencyMeterRates}; a custom
 *       meter's {@code prices}), rounded
 *       once. A counter without overage has no line.
 * </ul>
 */
public final class MeterCharges {

  /**
   * A counter's use in one billing period, split at the start of what an invoice bills of it.
   *
   * @param limit  what the plan in effect at the end of the billed part allows of it, raised by
   *               the packs active in the period up to then
   * @param before used from the period's start up to the billed part (billed earlier, if at all)
   * @param during used in the billed part
   */
  public record CounterUse(Meter meter, Limit limit, BigDecimal before, BigDecimal during) {
    public CounterUse {
      Objects.requireNonNull(meter, "meter");
      Objects.requireNonNull(limit, "limit");
      Objects.requireNonNull(before, "before");
      Objects.requireNonNull(during, "during");
    }

    /** The overage this use adds (class comment); zero unless the limit is soft and finite. */
    BigDecimal overage() {
      if (limit.kind() != LimitKind.SOFT || limit.unlimited()) {
        return BigDecimal.ZERO;
      }
      return over(before.add(during)).subtract(over(before));
    }

    private BigDecimal over(BigDecimal used) {
      return used.subtract(limit.amount()).max(BigDecimal.ZERO);
    }
  }

  private MeterCharges() {}

  /**
   * One overage line per counter over the invoice's {@code [periodStart, periodEnd)}.
   *
   * @param rates the meter rates in {@code currency}; empty when it has none
   * @throws IllegalStateException when there is overage and no rates in the currency: the
   *     invoice is left a draft rather than priced in another currency or not at all
   */
  public static List<ChargeLine> lines(
      Currency currency,
      Optional<MeterRates> rates,
      Instant periodStart,
      Instant periodEnd,
      List<CounterUse> uses) {
    // the built-in counters first, in their order, then the custom ones by id
    Map<Meter, BigDecimal> overage = new TreeMap<>(Meters.BUILT_IN_FIRST);
    for (CounterUse use : uses) {
      BigDecimal over = use.overage();
      if (over.signum() > 0) {
        overage.merge(use.meter(), over, BigDecimal::add);
      }
    }
    if (!overage.isEmpty() && rates.isEmpty()) {
      throw new IllegalStateException(
          "no meterRates in " + currency + ": add them to currencyMeterRates");
    }
    List<ChargeLine> lines = new ArrayList<>();
    overage.forEach(
        (meter, quantity) -> {
          BigDecimal rate = rates.orElseThrow().of(meter);
          lines.add(
              new ChargeLine(
                  ChargeKind.OVERAGE,
                  meter.configName() + " overage",
                  meter,
                  quantity,
                  rate,
                  Money.lineTotal(quantity.multiply(rate), BigDecimal.ONE, currency),
                  periodStart,
                  periodEnd));
        });
    return lines;
  }

  /** The plan in effect just before {@code end}: the latest term that started before it. */
  public static Optional<PlanTerm> planAt(List<PlanTerm> terms, Instant end) {
    return terms.stream()
        .filter(t -> t.from().isBefore(end))
        .max(Comparator.comparing(PlanTerm::from));
  }
}
