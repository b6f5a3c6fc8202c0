package io.streamspace.billing.admission;

import io.streamspace.billing.catalog.Limit;
import io.streamspace.billing.catalog.LimitKind;
import io.streamspace.billing.catalog.Meter;
import io.streamspace.billing.catalog.Meters;
import io.streamspace.billing.catalog.PlanLimits;
import io.streamspace.billing.money.MoneyText;
import io.streamspace.billing.quota.OverageCost;
import io.streamspace.billing.quota.QuotaState;
import io.streamspace.plugin.api.event.ResourceSize;
import io.streamspace.plugin.api.session.AdmissionDecision;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Whether a new session may start: it may not take an account past a hard limit of its plan on
 * the concurrent meters (cores, memory, job slots: its size added to what is open now), nor on
 * a held meter of the catalog ({@link Meters#held}, GPUs: what its open sessions hold plus what
 * the request names in its {@code resources}), nor on storage (the level the session brings the
 * account to: see {@link #storageAfter}), nor start while a period counter (built-in or custom)
 * is at or over a hard limit of its plan this billing period. A denial's code is the meter's id
 * followed by {@code _limit} ({@code active_sessions_limit}, {@code gpu_limit}, {@code
 * storage_gb_limit}, {@code gpu_minutes_limit}). A denial by size (cores, memory, job slots, held
 * meters, storage) names in {@code upgrade} the cheapest other plan (its id), and in {@code
 * pack} the cheapest capacity pack adding to the meter refused, on which the session would pass
 * every size check ({@link Offers}), and says so in its reason. A reason names plans as people
 * know them, by name ("the Hobby plan"). Nor may it start while a soft period
 * counter is at or over its limit without the account's confirmation of the overage this period
 * ({@link QuotaState#CONFIRMATION_REQUIRED}): code {@value #OVERAGE_CONFIRMATION_REQUIRED}, with
 * the cost of going on. Other soft limits (held meters' included) and unlimited meters never
 * refuse.
 */
final class AdmissionRules {

  /** How a reason names a meter and its units. */
  record Label(String name, String units) {}

  /**
   * What the account could move to or buy, in its currency, in the config's order (the first of
   * the cheapest wins a tie).
   *
   * @param plans the plans priced in its currency, its own among them or not
   * @param packs the capacity packs sold in its currency
   */
  record Offers(List<PlanOffer> plans, List<PackOffer> packs) {

    static final Offers NONE = new Offers(List.of(), List.of());

    Offers {
      plans = List.copyOf(plans);
      packs = List.copyOf(packs);
    }
  }

  /** A plan the account could move to: its fee per interval and its own limits (no packs). */
  record PlanOffer(NamedPlan plan, BigDecimal price, PlanLimits limits) {}

  /**
   * A pack the account could buy: its id (the denial's {@code pack}), the name people know it by
   * (the reason's sentence), its price and what it adds to the limits.
   */
  record PackOffer(String packId, String name, BigDecimal price, Map<Meter, BigDecimal> adds) {}

  private static final Map<Meter, Label> LABELS =
      Map.of(
          Meter.CPU_CORES, new Label("CPU", "cores"),
          Meter.MEMORY_GB, new Label("Memory", "GB"),
          Meter.ACTIVE_SESSIONS, new Label("Active sessions", "sessions"),
          Meter.BANDWIDTH_GB, new Label("Bandwidth", "GB"),
          Meter.TRANSCODING_MINUTES, new Label("Transcoding", "minutes"),
          Meter.AI_QUERIES, new Label("AI queries", "queries"));

  private static final List<Meter> CONCURRENT =
      List.of(Meter.CPU_CORES, Meter.MEMORY_GB, Meter.ACTIVE_SESSIONS);

  /** The code of a denial while a soft counter's overage waits for confirmation. */
  static final String OVERAGE_CONFIRMATION_REQUIRED = "overage_confirmation_required";

  private AdmissionRules() {}

  /**
   * @param limits the account's limits: its plan's raised by its active packs
   * @param offers what would admit a session refused by size; read only on such a refusal
   */
  static AdmissionDecision decide(
      ConcurrentUse use,
      ResourceSize requested,
      NamedPlan plan,
      PlanLimits limits,
      Meters meters,
      OverageTerms overage,
      Supplier<Offers> offers) {
    Optional<Meter> bySize = passedBySize(use, requested, limits, meters);
    if (bySize.isPresent()) {
      Meter meter = bySize.get();
      return refusedBySize(
          meter,
          reasonBySize(meter, use, requested, limits.of(meter), whose(plan, use, meter)),
          use,
          requested,
          plan,
          limits,
          meters,
          offers.get());
    }
    for (Meter meter : meters.periodCounters()) {
      Limit limit = limits.of(meter);
      BigDecimal used = use.counter(meter);
      if (isHard(limit) && overage.rule().state(used, limit) == QuotaState.EXCEEDED) {
        Label label = label(meter);
        return AdmissionDecision.deny(
            code(meter),
            "%s limit exceeded: %s %s used this period is at or over the hard limit of %s %s of %s."
                .formatted(
                    label.name(),
                    plain(used),
                    label.units(),
                    plain(limit.amount()),
                    label.units(),
                    whose(plan, use, meter)));
      }
    }
    for (Meter meter : meters.periodCounters()) {
      Limit limit = limits.of(meter);
      BigDecimal used = use.counter(meter);
      boolean confirmed = use.overageConfirmed().contains(meter);
      if (overage.rule().state(meter, used, limit, confirmed) == QuotaState.CONFIRMATION_REQUIRED) {
        return AdmissionDecision.deny(
            OVERAGE_CONFIRMATION_REQUIRED,
            overageReason(meter, used, limit, whose(plan, use, meter), overage));
      }
    }
    return AdmissionDecision.allow();
  }

  /**
   * The first meter, in the order cores, memory, job slots, the held meters in the catalog's
   * order, storage, whose hard limit the session would pass: the concurrent and held meters by
   * what is open plus the request ({@code used + needed > limit}), storage by the level the
   * session would bring the account to. As with cores, a request needing none of a meter (a
   * session naming no GPU) passes its limit only when what is open is over it already (a limit
   * lowered, a session the platform started despite a refusal): at the limit it is admitted.
   */
  private static Optional<Meter> passedBySize(
      ConcurrentUse use, ResourceSize requested, PlanLimits limits, Meters meters) {
    for (Meter meter : bySize(meters)) {
      Limit limit = limits.of(meter);
      if (isHard(limit)
          && used(use, meter).add(needed(requested, meter)).compareTo(limit.amount()) > 0) {
        return Optional.of(meter);
      }
    }
    Limit storage = limits.of(Meter.STORAGE_GB);
    if (isHard(storage) && storageAfter(use, requested).compareTo(storage.amount()) > 0) {
      return Optional.of(Meter.STORAGE_GB);
    }
    return Optional.empty();
  }

  /**
   * The storage level the account holds once the session starts. Storage is a level the
   * organization holds, not a per-session size: every session event reports the organization's
   * level (the latest reported wins), and the request's {@code storage_gb} is read the same way,
   * as the level the session will report. So the level after it starts is the larger of the level
   * held now and the one requested: a session asking for 3 GB on a 2 GB hard limit is refused, one
   * asking for the 2 GB the organization already holds (or less) is not, and a level already over
   * the limit refuses any session, as before. Adding the request to the level held would count the
   * organization's storage twice whenever a session reports the level it already holds.
   */
  static BigDecimal storageAfter(ConcurrentUse use, ResourceSize requested) {
    return use.storageGb().max(requested.storageGb());
  }

  /** The reason of a refusal by size at that meter's limit, without what would allow it. */
  private static String reasonBySize(
      Meter meter, ConcurrentUse use, ResourceSize requested, Limit limit, String plan) {
    if (!meter.equals(Meter.STORAGE_GB)) {
      Label label = label(meter);
      return "%s limit reached: %s %s in use plus %s for this session would pass the hard limit of"
              .formatted(
                  label.name(),
                  plain(used(use, meter)),
                  label.units(),
                  plain(needed(requested, meter)))
          + " %s %s of %s.".formatted(plain(limit.amount()), label.units(), plan);
    }
    if (use.storageGb().compareTo(requested.storageGb()) >= 0) {
      return "Storage limit exceeded: %s GB stored is over the hard limit of %s GB of %s."
          .formatted(plain(use.storageGb()), plain(limit.amount()), plan);
    }
    return ("Storage limit reached: this session asks for %s GB of storage, with %s GB stored now,"
            + " over the hard limit of %s GB of %s.")
        .formatted(
            plain(requested.storageGb()), plain(use.storageGb()), plain(limit.amount()), plan);
  }

  /**
   * A refusal by size naming the cheapest other plan, and the cheapest pack adding to {@code
   * meter}, on which the session would pass every size check (the plan with the account's packs,
   * the pack on top of its current limits).
   */
  private static AdmissionDecision refusedBySize(
      Meter meter,
      String reason,
      ConcurrentUse use,
      ResourceSize requested,
      NamedPlan plan,
      PlanLimits limits,
      Meters meters,
      Offers offers) {
    Optional<NamedPlan> upgrade =
        offers.plans().stream()
            .filter(offer -> !offer.plan().id().equals(plan.id()))
            .filter(
                offer ->
                    passedBySize(use, requested, offer.limits().raisedBy(use.packAdds()), meters)
                        .isEmpty())
            .min(Comparator.comparing(PlanOffer::price))
            .map(PlanOffer::plan);
    Optional<PackOffer> pack =
        offers.packs().stream()
            .filter(offer -> offer.adds().getOrDefault(meter, BigDecimal.ZERO).signum() > 0)
            .filter(
                offer ->
                    passedBySize(use, requested, limits.raisedBy(offer.adds()), meters).isEmpty())
            .min(Comparator.comparing(PackOffer::price));
    String remedy;
    if (upgrade.isPresent() && pack.isPresent()) {
      remedy =
          " The %s plan would allow it, as would the %s pack."
              .formatted(upgrade.get().name(), pack.get().name());
    } else if (upgrade.isPresent()) {
      remedy = " The %s plan would allow it.".formatted(upgrade.get().name());
    } else if (pack.isPresent()) {
      remedy = " The %s pack would allow it.".formatted(pack.get().name());
    } else {
      remedy = "";
    }
    return AdmissionDecision.deny(
        code(meter),
        reason + remedy,
        upgrade.map(NamedPlan::id).orElse(null),
        pack.map(PackOffer::packId).orElse(null));
  }

  /**
   * What is used and included, what going on costs (per unit and so far, when the currency has
   * a rate) and how to confirm it.
   */
  private static String overageReason(
      Meter meter, BigDecimal used, Limit limit, String plan, OverageTerms overage) {
    Label label = label(meter);
    Currency currency = overage.currency();
    String cost =
        OverageCost.of(meter, used.subtract(limit.amount()), currency, overage.rates())
            .map(
                c ->
                    " at %s per %s (%s so far)"
                        .formatted(
                            MoneyText.of(c.perUnit(), currency),
                            meter.unit(),
                            MoneyText.of(c.soFar(), currency)))
            .orElse("");
    return ("%s over the included amount: %s %s used this period, %s included in %s."
            + " Going on is billed as overage%s. Confirm the overage (POST"
            + " /api/plugins/billing/overage/confirm) to start new sessions.")
        .formatted(label.name(), plain(used), label.units(), plain(limit.amount()), plan, cost);
  }

  /**
   * Whose limit it is, by the plan's name: "the Hobby plan", or "the Hobby plan with its packs"
   * when the account's active packs add to that meter's limit (the limit named is then the
   * raised one).
   */
  private static String whose(NamedPlan plan, ConcurrentUse use, Meter meter) {
    boolean raised = use.packAdds().getOrDefault(meter, BigDecimal.ZERO).signum() > 0;
    return raised ? plan.phrase() + " with its packs" : plan.phrase();
  }

  /** The code of a denial at that meter's limit. */
  static String code(Meter meter) {
    return meter.configName() + "_limit";
  }

  private static boolean isHard(Limit limit) {
    return !limit.unlimited() && limit.kind() == LimitKind.HARD;
  }

  /** The meters checked by what is open plus the request: the concurrent ones, then the held. */
  private static List<Meter> bySize(Meters meters) {
    List<Meter> held = meters.held();
    if (held.isEmpty()) {
      return CONCURRENT;
    }
    List<Meter> all = new ArrayList<>(CONCURRENT);
    all.addAll(held);
    return all;
  }

  /** What is open of a concurrent or held meter. */
  private static BigDecimal used(ConcurrentUse use, Meter meter) {
    if (meter.measure() == Meter.Measure.HELD) {
      return use.held(meter);
    } else if (meter.equals(Meter.CPU_CORES)) {
      return use.cpuCores();
    } else if (meter.equals(Meter.MEMORY_GB)) {
      return use.memoryGb();
    } else if (meter.equals(Meter.ACTIVE_SESSIONS)) {
      return BigDecimal.valueOf(use.activeSessions());
    }
    throw new IllegalArgumentException("not a concurrent meter: " + meter);
  }

  /**
   * What a session of that size needs of a concurrent or held meter: one session, its cores...,
   * of a held meter what its {@code resources} name (none named: zero).
   */
  static BigDecimal needed(ResourceSize requested, Meter meter) {
    if (meter.measure() == Meter.Measure.HELD) {
      return requested.resources().getOrDefault(meter.configName(), BigDecimal.ZERO);
    } else if (meter.equals(Meter.CPU_CORES)) {
      return requested.cpuCores();
    } else if (meter.equals(Meter.MEMORY_GB)) {
      return requested.memoryGb();
    } else if (meter.equals(Meter.ACTIVE_SESSIONS)) {
      return BigDecimal.ONE;
    }
    throw new IllegalArgumentException("not a concurrent meter: " + meter);
  }

  /** How a reason names the meter and its units: a custom meter by its name and unit. */
  static Label label(Meter meter) {
    return LABELS.getOrDefault(meter, new Label(meter.name(), meter.unit()));
  }

  static String plain(BigDecimal value) {
    return value.stripTrailingZeros().toPlainString();
  }
}
