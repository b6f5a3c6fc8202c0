package io.streamspace.billing.advice;

import io.streamspace.billing.advice.Advice.Option;
import io.streamspace.billing.advice.Advice.PackOption;
import io.streamspace.billing.advice.Advice.PlanOption;
import io.streamspace.billing.catalog.CapacityPack;
import io.streamspace.billing.catalog.Meter;
import io.streamspace.billing.catalog.SubscriptionPlan;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.invoicing.ChargeLine;
import io.streamspace.billing.invoicing.ChargeLine.ChargeKind;
import io.streamspace.billing.invoicing.PlanTerm;
import io.streamspace.billing.invoicing.Repricing;
import io.streamspace.billing.money.BillingPeriods;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.plans.SubscriptionRepository;
import io.streamspace.billing.whatif.WhatIfRun;
import io.streamspace.billing.whatif.WhatIfRun.OrgWhatIf;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The customer's advisor: for the last closed billing period and the current one so far, what
 * each plan the organization could choose would have cost, alone and with a pack, the cheapest
 * and the saving; the packs that would have cost less than the overage they absorb; and the
 * right-sizing its sessions' reported use allows ({@link RightSizing}).
 *
 * <p><b>No second formula.</b> Every figure is a what-if of the organization ({@link
 * WhatIfRun#organization}) at the prices in effect ({@link Repricing#onPlan}): invoicing's own
 * code prices its recorded usage, counters, seats and packs as if it had been on that plan, so
 * what the advisor says a plan costs is what a what-if of that plan computes, and what it says
 * was paid is its invoices' subtotal (charges before credits), line by line as explain shows it.
 *
 * <p>Right-sizing ({@link RightSizing}) is priced the same way: the what-if of the organization on
 * the plans it was on with a resource's usage as sessions of the suggested size would have
 * recorded it ({@link Repricing#resized}); its saving is {@code paid} less that total.
 *
 * <p>The options are the plans priced in the organization's currency (those {@code GET /plans}
 * offers it), each alone and with each pack sold in the currency that raises what a period
 * counter includes (a pack of job slots or storage changes no charge, only what is allowed); a
 * pack is taken as bought at the period's start, once.
 */
public final class Advisor {

  private final WhatIfRun whatIf;
  private final SubscriptionRepository subscriptions;
  private final RightSizing rightSizing;
  private final Supplier<BillingConfig> config;
  private final Clock clock;

  public Advisor(
      WhatIfRun whatIf,
      SubscriptionRepository subscriptions,
      RightSizing rightSizing,
      Supplier<BillingConfig> config,
      Clock clock) {
    this.whatIf = whatIf;
    this.subscriptions = subscriptions;
    this.rightSizing = rightSizing;
    this.config = config;
    this.clock = clock;
  }

  /** The advice of the last closed period, then of the current one so far. */
  public List<Advice> of(String orgId, Currency currency) throws Exception {
    BillingConfig current = config.get();
    Instant now = clock.instant();
    List<Instant> bounds =
        new BillingPeriods(current.invoiceDay(), current.billingTimeZone()).lastPeriods(now, 2);
    List<Advice> advice = new ArrayList<>();
    forPeriod(orgId, currency, bounds.get(0), bounds.get(1), true).ifPresent(advice::add);
    forPeriod(orgId, currency, bounds.get(1), bounds.get(2), false).ifPresent(advice::add);
    return advice;
  }

  /** The advice of the period {@code [start, end)}: empty when the organization was not in it. */
  public Optional<Advice> forPeriod(
      String orgId, Currency currency, Instant start, Instant end, boolean closed)
      throws Exception {
    BillingConfig current = config.get();
    List<SubscriptionPlan> plans =
        current.subscriptionPlans().stream()
            .filter(p -> current.priceOf(p, currency).isPresent())
            .toList();
    Set<Meter> counters = Set.copyOf(current.meters().periodCounters());
    List<CapacityPack> packs =
        current.capacityPacks().stream()
            .filter(p -> p.priceIn(currency).isPresent())
            .filter(p -> p.adds().keySet().stream().anyMatch(counters::contains))
            .toList();
    List<RightSizing.Fit> fits = rightSizing.of(orgId, start, end);
    List<Repricing> repricings = new ArrayList<>();
    repricings.add(Repricing.onPlan(current, null, null)); // as it was
    fits.forEach(
        fit -> repricings.add(Repricing.resized(current, fit.unit(), fit.held(), fit.suggested())));
    packs.forEach(pack -> repricings.add(Repricing.onPlan(current, null, pack)));
    for (SubscriptionPlan plan : plans) {
      repricings.add(Repricing.onPlan(current, plan, null));
      packs.forEach(pack -> repricings.add(Repricing.onPlan(current, plan, pack)));
    }
    List<OrgWhatIf> priced = whatIf.organization(orgId, start, end, repricings);
    if (priced.isEmpty()) {
      return Optional.empty();
    }
    OrgWhatIf asItWas = priced.get(0);
    BigDecimal paid = asItWas.delta().whatIfTotal();
    List<RightSizing.Size> sizes = new ArrayList<>();
    for (int k = 0; k < fits.size(); k++) {
      RightSizing.Fit fit = fits.get(k);
      BigDecimal total = priced.get(1 + k).delta().whatIfTotal();
      sizes.add(
          new RightSizing.Size(
              fit.meter(), fit.held(), fit.p95Used(), fit.suggested(), paid.subtract(total)));
    }
    List<PackOption> packOptions = new ArrayList<>();
    for (int k = 0; k < packs.size(); k++) {
      CapacityPack pack = packs.get(k);
      BigDecimal total = priced.get(1 + fits.size() + k).delta().whatIfTotal();
      if (total.compareTo(paid) < 0) {
        packOptions.add(packOption(pack, currency, asItWas.lines(), paid, total));
      }
    }
    List<PlanOption> planOptions = new ArrayList<>();
    int at = 1 + fits.size() + packs.size();
    for (SubscriptionPlan plan : plans) {
      Option alone =
          new Option(plan.id(), plan.name(), null, null, priced.get(at).delta().whatIfTotal());
      Option withPack = null;
      for (int k = 0; k < packs.size(); k++) {
        BigDecimal total = priced.get(at + 1 + k).delta().whatIfTotal();
        if (total.compareTo(withPack == null ? alone.total() : withPack.total()) < 0) {
          withPack =
              new Option(plan.id(), plan.name(), packs.get(k).id(), packs.get(k).name(), total);
        }
      }
      planOptions.add(new PlanOption(alone, withPack));
      at += 1 + packs.size();
    }
    Option cheapest = null;
    for (PlanOption option : planOptions) {
      if (cheapest == null || option.best().total().compareTo(cheapest.total()) < 0) {
        cheapest = option.best();
      }
    }
    BigDecimal saving =
        cheapest == null || cheapest.total().compareTo(paid) >= 0
            ? Money.zero(currency)
            : paid.subtract(cheapest.total());
    return Optional.of(
        new Advice(
            start,
            end,
            closed,
            planAt(orgId, end),
            paid,
            planOptions,
            cheapest,
            saving,
            packOptions,
            sizes));
  }

  private static PackOption packOption(
      CapacityPack pack,
      Currency currency,
      List<ChargeLine> lines,
      BigDecimal paid,
      BigDecimal total) {
    List<String> meters = pack.adds().keySet().stream().map(Meter::configName).sorted().toList();
    BigDecimal overage =
        lines.stream()
            .filter(l -> l.kind() == ChargeKind.OVERAGE && l.unit() != null)
            .filter(l -> meters.contains(l.unit().resourceType()))
            .map(ChargeLine::amount)
            .reduce(Money.zero(currency), BigDecimal::add);
    return new PackOption(
        pack.id(),
        pack.name(),
        meters,
        pack.priceIn(currency).orElseThrow(),
        overage,
        total,
        paid.subtract(total));
  }

  /** The plan the organization was on just before {@code end} (or is on now, before it). */
  private String planAt(String orgId, Instant end) throws Exception {
    return subscriptions
        .find(orgId)
        .flatMap(
            s ->
                s.terms().stream()
                    .filter(t -> t.from().isBefore(end))
                    .reduce((earlier, later) -> later)
                    .map(PlanTerm::planId))
        .orElse(null);
  }
}
