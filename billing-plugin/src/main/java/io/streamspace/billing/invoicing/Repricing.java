package io.streamspace.billing.invoicing;

import io.streamspace.billing.catalog.ComputeRates;
import io.streamspace.billing.catalog.SubscriptionPlan;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.money.UsageUnit;
import java.math.BigDecimal;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The prices of a what-if: a config ({@code whatIf}) beside the one in effect ({@code current}),
 * and how what an invoice stored its prices in is priced under it.
 *
 * <p>An invoice takes most of its prices from the config when it is computed (the billing mode,
 * the counters' and seats' rates, the plans' included counters and seats): those come from
 * {@code whatIf} as they are. Two prices are kept where the usage was recorded, so that a change
 * of the config never reprices the past: each usage record's unit price (the rate when it was
 * rated) and each plan term's price and included CPU, memory, storage and held meters (the plan
 * when the account moved onto it, {@code billing_subscriptions}). Those are replaced only where the
 * what-if changes them: a resource whose rate in the invoice's currency differs between the two
 * configs is priced at the what-if's rate, a plan whose price, interval or included resources
 * differ at the what-if's plan; everything else keeps what was recorded. With {@code whatIf}
 * equal to {@code current} nothing is replaced, so the invoice comes out as invoiced.
 */
public final class Repricing {

  private final BillingConfig current;
  private final BillingConfig whatIf;

  public Repricing(BillingConfig current, BillingConfig whatIf) {
    this.current = current;
    this.whatIf = whatIf;
  }

  BillingConfig current() {
    return current;
  }

  BillingConfig whatIf() {
    return whatIf;
  }

  /** The usage, each resource the what-if reprices at its rate in {@code currency}. */
  List<MemberBucket> usage(List<MemberBucket> usage, Currency currency) {
    return usage.stream()
        .map(
            part -> {
              UsageBucket u = part.usage();
              return changedRate(u.unit(), currency)
                  .map(
                      rate ->
                          new MemberBucket(
                              part.memberId(),
                              new UsageBucket(u.unit(), u.start(), u.end(), u.unitSeconds(), rate)))
                  .orElse(part);
            })
        .toList();
  }

  /** The plan terms, each plan the what-if changes with its price and limits in it. */
  List<PlanTerm> terms(List<PlanTerm> terms, Currency currency) {
    return terms.stream()
        .map(
            term ->
                changedPlan(term.planId(), currency)
                    .map(
                        plan ->
                            new PlanTerm(
                                term.planId(),
                                term.planName(),
                                whatIf.priceOf(plan, currency).orElseThrow(),
                                plan.interval(),
                                plan.cpuLimit(),
                                plan.memoryLimit(),
                                plan.storageLimit(),
                                plan.heldLimits(),
                                term.from(),
                                term.to()))
                    .orElse(term))
        .toList();
  }

  private Optional<BigDecimal> changedRate(UsageUnit unit, Currency currency) {
    Optional<BigDecimal> before = rate(current, unit, currency);
    Optional<BigDecimal> after = rate(whatIf, unit, currency);
    if (after.isEmpty() || (before.isPresent() && before.get().compareTo(after.get()) == 0)) {
      return Optional.empty();
    }
    return after;
  }

  /**
   * The config's price of a unit of the resource in {@code currency}: cpu, memory and storage at
   * its rates, a held meter at its price (none when the config does not list the meter).
   */
  private static Optional<BigDecimal> rate(
      BillingConfig config, UsageUnit unit, Currency currency) {
    if (unit.isHeld()) {
      return config.meters().named(unit.resourceType()).map(meter -> meter.prices().get(currency));
    }
    return config.ratesIn(currency).map(rates -> rate(rates, unit));
  }

  private static BigDecimal rate(ComputeRates rates, UsageUnit unit) {
    if (unit.equals(UsageUnit.CPU)) {
      return rates.cpuPerCoreHour();
    }
    return unit.equals(UsageUnit.MEMORY) ? rates.memoryPerGbHour() : rates.storagePerGbMonth();
  }

  /** The what-if's plan of that id, when it prices or limits it otherwise than the config. */
  private Optional<SubscriptionPlan> changedPlan(String planId, Currency currency) {
    Optional<SubscriptionPlan> after = whatIf.plan(planId);
    if (after.isEmpty() || whatIf.priceOf(after.get(), currency).isEmpty()) {
      return Optional.empty();
    }
    Optional<SubscriptionPlan> before = current.plan(planId);
    if (before.isPresent()
        && same(
            current.priceOf(before.get(), currency).orElse(null),
            whatIf.priceOf(after.get(), currency).orElse(null))
        && before.get().interval().equals(after.get().interval())
        && same(before.get().cpuLimit(), after.get().cpuLimit())
        && same(before.get().memoryLimit(), after.get().memoryLimit())
        && same(before.get().storageLimit(), after.get().storageLimit())
        && sameHeld(before.get().heldLimits(), after.get().heldLimits())) {
      return Optional.empty();
    }
    return after;
  }

  private static boolean same(BigDecimal a, BigDecimal b) {
    return a == null ? b == null : b != null && a.compareTo(b) == 0;
  }

  private static boolean sameHeld(Map<String, BigDecimal> a, Map<String, BigDecimal> b) {
    return a.keySet().equals(b.keySet())
        && a.keySet().stream().allMatch(id -> same(a.get(id), b.get(id)));
  }
}
