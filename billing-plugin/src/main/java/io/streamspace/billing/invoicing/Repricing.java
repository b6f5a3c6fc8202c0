package io.streamspace.billing.invoicing;

import io.streamspace.billing.catalog.CapacityPack;
import io.streamspace.billing.catalog.ComputeRates;
import io.streamspace.billing.catalog.Meter;
import io.streamspace.billing.catalog.SubscriptionPlan;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.money.BillingPeriods;
import io.streamspace.billing.money.UsageUnit;
import io.streamspace.billing.rating.UsageSum;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

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
 *
 * <p><b>Another plan, a pack more</b> ({@link #onPlan}): the customer's advisor asks what the
 * organization would have paid on one of the config's plans, with or without one more pack, at
 * the prices in effect. Its plan terms become one term of that plan over the time they covered
 * (its fee, what it includes of every meter and seat, as if it had been on it all along), and the
 * pack, as if bought at the invoice's start, raises what each counter includes and is charged as
 * its kind is ({@link PackCharges}): the same pure code prices it, no second formula.
 *
 * <p><b>Another version</b> ({@link #onVersion}): a plan migration's preview asks what the
 * organizations on one version of a plan would have paid on another, at the prices in effect:
 * each of their plan terms on that version becomes the other version's term over the same time
 * (its fee in the invoice's currency, its interval and what it includes), as the migration will
 * start it, and everything else is priced as invoiced.
 *
 * <p><b>Another size</b> ({@link #resized}): the advisor's right-sizing asks what the period would
 * have cost had the sessions held {@code suggested} of a resource instead of {@code held}. A
 * session's records of a resource are its size times its seconds, so every bucket of that
 * resource is scaled by suggested ÷ held (exactly what such sessions would have recorded when
 * all of them held {@code held}, which is when the advisor asks) and priced by the same code.
 */
public final class Repricing {

  private final BillingConfig current;
  private final BillingConfig whatIf;
  private final SubscriptionPlan plan;
  private final CapacityPack pack;
  private final UsageUnit resized;
  private final BigDecimal held;
  private final BigDecimal suggested;
  private final VersionMove moved;
  private final Function<Invoice, List<AddedUsage>> added;

  private static final Function<Invoice, List<AddedUsage>> NOTHING_ADDED = invoice -> List.of();

  /**
   * A plan term on another version of its plan, in a currency: the term it would have been,
   * over the same time; the term itself when it is on no version moved.
   */
  @FunctionalInterface
  public interface VersionMove {
    PlanTerm of(PlanTerm term, Currency currency);
  }

  public Repricing(BillingConfig current, BillingConfig whatIf) {
    this(current, whatIf, null, null, null, null, null, null, NOTHING_ADDED);
  }

  private Repricing(
      BillingConfig current,
      BillingConfig whatIf,
      SubscriptionPlan plan,
      CapacityPack pack,
      UsageUnit resized,
      BigDecimal held,
      BigDecimal suggested,
      VersionMove moved,
      Function<Invoice, List<AddedUsage>> added) {
    this.added = added;
    this.current = current;
    this.whatIf = whatIf;
    this.plan = plan;
    this.pack = pack;
    this.resized = resized;
    this.held = held;
    this.suggested = suggested;
    this.moved = moved;
  }

  /**
   * The config's own prices, the organization on {@code plan} over all its terms, with {@code
   * pack} bought at the invoice's start (null: none more than it had).
   */
  public static Repricing onPlan(BillingConfig config, SubscriptionPlan plan, CapacityPack pack) {
    return new Repricing(config, config, plan, pack, null, null, null, null, NOTHING_ADDED);
  }

  /** The config's own prices, each plan term {@code moved} changes on its other version. */
  public static Repricing onVersion(BillingConfig config, VersionMove moved) {
    return new Repricing(config, config, null, null, null, null, null, moved, NOTHING_ADDED);
  }

  /**
   * The config's own prices and the plans the organization was on, with its usage of {@code
   * unit} recorded by sessions of size {@code suggested} rather than {@code held}.
   */
  public static Repricing resized(
      BillingConfig config, UsageUnit unit, BigDecimal held, BigDecimal suggested) {
    return new Repricing(config, config, null, null, unit, held, suggested, null, NOTHING_ADDED);
  }

  /**
   * The config's own prices and everything an invoice bills, with {@code added} usage on top (a
   * correction's usage of a finalized invoice's period, which no claim holds): each added row in
   * the bucket its invoice's own records of that slice are in.
   */
  public static Repricing adding(BillingConfig config, Function<Invoice, List<AddedUsage>> added) {
    return new Repricing(config, config, null, null, null, null, null, null, added);
  }

  BillingConfig current() {
    return current;
  }

  BillingConfig whatIf() {
    return whatIf;
  }

  /**
   * The usage, each resource the what-if reprices at its rate in {@code currency}, the one it
   * resizes scaled to the suggested size.
   */
  List<MemberBucket> usage(List<MemberBucket> usage, Currency currency) {
    return usage.stream()
        .map(
            part -> {
              UsageBucket u = resized(part.usage());
              return new MemberBucket(
                  part.memberId(),
                  changedRate(u.unit(), currency).map(rate -> atRate(u, rate)).orElse(u));
            })
        .toList();
  }

  /**
   * {@link #usage(List, Currency)}, with the usage {@link #adding} adds to the invoice, in its
   * buckets ({@code hourly}: per UTC hour, as the invoice's were read).
   */
  List<MemberBucket> usage(
      List<MemberBucket> usage, Invoice invoice, boolean hourly, BillingPeriods periods) {
    List<MemberBucket> all = new ArrayList<>(usage(usage, invoice.currency()));
    for (AddedUsage row : added.apply(invoice)) {
      all.add(new MemberBucket(null, row.bucketIn(invoice, hourly, periods)));
    }
    return all;
  }

  /**
   * An invoice's inputs under the what-if: its terms ({@link #terms}), and the pack {@link
   * #onPlan} adds, bought at the invoice's start.
   */
  ChargeInputs.Of inputs(ChargeInputs.Of of, Invoice invoice) {
    if (pack == null) {
      return new ChargeInputs.Of(
          terms(of.terms(), invoice.currency()),
          of.counters(),
          of.seats(),
          of.oneTimePacks(),
          of.recurringPacks(),
          of.storeCharges(),
          of.corrections(),
          of.discounts());
    }
    BigDecimal price = pack.priceIn(invoice.currency()).orElseThrow();
    List<PackCharges.OneTimeCharge> oneTime = new ArrayList<>(of.oneTimePacks());
    List<PackCharges.RecurringPack> recurring = new ArrayList<>(of.recurringPacks());
    if (pack.kind() == CapacityPack.Kind.ONE_TIME) {
      oneTime.add(
          new PackCharges.OneTimeCharge(
              pack.name(),
              price,
              invoice.periodStart(),
              invoice.periodStart(),
              invoice.periodStart().plus(Duration.ofDays(pack.validDays()))));
    } else {
      recurring.add(new PackCharges.RecurringPack(pack.name(), price, invoice.periodStart(), null));
    }
    List<ChargeInputs.Counters> counters = new ArrayList<>();
    for (ChargeInputs.Counters window : of.counters()) {
      Map<Meter, BigDecimal> added = new HashMap<>(window.packsAdded());
      pack.adds().forEach((meter, amount) -> added.merge(meter, amount, BigDecimal::add));
      counters.add(
          new ChargeInputs.Counters(window.to(), window.used(), window.reportedBy(), added));
    }
    return new ChargeInputs.Of(
        terms(of.terms(), invoice.currency()),
        counters,
        of.seats(),
        oneTime,
        recurring,
        of.storeCharges(),
        of.corrections(),
        of.discounts());
  }

  /**
   * The plan terms, each plan the what-if changes with its price and limits in it; with {@link
   * #onPlan}'s plan, one term of it from the first's start to the last's end; with {@link
   * #onVersion}'s move, each term on its other version.
   */
  List<PlanTerm> terms(List<PlanTerm> terms, Currency currency) {
    if (moved != null) {
      return terms.stream().map(term -> moved.of(term, currency)).toList();
    }
    if (plan != null) {
      return terms.isEmpty()
          ? terms
          : List.of(
              new PlanTerm(
                  plan.id(),
                  plan.name(),
                  whatIf.priceOf(plan, currency).orElseThrow(),
                  plan.interval(),
                  plan.cpuLimit(),
                  plan.memoryLimit(),
                  plan.storageLimit(),
                  plan.heldLimits(),
                  terms.get(0).from(),
                  terms.get(terms.size() - 1).to()));
    }
    return terms.stream()
        .map(term -> term.trialEnd() != null ? term : repriced(term, currency))
        .toList();
  }

  /**
   * The term at the what-if's plan where its price, interval or included resources changed (a
   * trial term is left free, above: at any price the organization was on trial).
   */
  private PlanTerm repriced(PlanTerm term, Currency currency) {
    return changedPlan(term.planId(), currency)
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
                    term.to(),
                    term.version()))
        .orElse(term);
  }

  /**
   * The bucket as sessions of the suggested size would have recorded it (exact to 34 digits:
   * held divides the sum of held × seconds exactly but for a held size like 1/3 of a core).
   */
  private UsageBucket resized(UsageBucket u) {
    if (resized == null || !u.unit().equals(resized)) {
      return u;
    }
    BigDecimal unitSeconds =
        u.unitSeconds().multiply(suggested).divide(held, MathContext.DECIMAL128);
    BigDecimal saved =
        u.savedUnitSeconds().multiply(suggested).divide(held, MathContext.DECIMAL128);
    return new UsageBucket(
        u.unit(), u.start(), u.end(), unitSeconds, u.unitPrice(), u.activity(), saved);
  }

  /**
   * The bucket at the what-if's {@code rate}: time at an activity factor keeps its factor (the
   * unit price over the full price it saved against; a factor has at most six decimals), so
   * idle time stays idle-priced and hibernated time free.
   */
  private static UsageBucket atRate(UsageBucket u, BigDecimal rate) {
    if (UsageSum.ACTIVE.equals(u.activity())) {
      return new UsageBucket(u.unit(), u.start(), u.end(), u.unitSeconds(), rate);
    }
    BigDecimal full =
        u.unitPrice().add(u.savedUnitSeconds().divide(u.unitSeconds(), MathContext.DECIMAL128));
    BigDecimal factor =
        full.signum() == 0 ? BigDecimal.ONE : u.unitPrice().divide(full, 6, RoundingMode.HALF_UP);
    BigDecimal price = rate.multiply(factor);
    return new UsageBucket(
        u.unit(),
        u.start(),
        u.end(),
        u.unitSeconds(),
        price,
        u.activity(),
        u.unitSeconds().multiply(rate.subtract(price)));
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
        && sameHeld(before.get().heldLimits(), after.get().heldLimits())
        && before.get().limits().equals(after.get().limits())) {
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
