package io.streamspace.billing.rating;

import io.streamspace.billing.config.ActivityRates;
import io.streamspace.billing.money.Seconds;
import io.streamspace.billing.money.UsageUnit;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a session (or an organization's storage) holds of each resource, as step functions: each
 * step holds its amount from its instant to the next step's (the last one on), as {@code
 * billing_session_sizes}, {@code billing_session_held} and {@code billing_storage_levels} keep
 * them. Before a resource's first step it holds none of it. Pure.
 *
 * @param steps each resource's steps, by instant
 * @param activity the session's activity states and the factors they are priced at, as rating
 *     prices them ({@code ActivitySteps}); {@link Activity#NONE} for storage
 */
public record HeldSteps(Map<UsageUnit, List<Step>> steps, Activity activity) {

  /** The amount held from {@code from} on. */
  public record Step(Instant from, BigDecimal amount) {}

  /** An activity state in effect from {@code from} on ({@code billing_session_activity}). */
  public record ActivityStep(Instant from, String state) {}

  /**
   * A session's activity steps, by instant (active before the first), with the factors of
   * activityRates: a resource's price in a state is its price times the state's factor.
   */
  public record Activity(List<ActivityStep> steps, ActivityRates rates) {
    public static final Activity NONE = new Activity(List.of(), ActivityRates.NONE);

    public Activity {
      steps = steps.stream().sorted(Comparator.comparing(ActivityStep::from)).toList();
    }

    /** The state in effect at {@code at}. */
    String stateAt(Instant at) {
      String state = "active";
      for (ActivityStep step : steps) {
        if (step.from().isAfter(at)) {
          break;
        }
        state = step.state();
      }
      return state;
    }

    /** The first change of state after {@code at}, else null. */
    Instant nextChangeAfter(Instant at) {
      return steps.stream().map(ActivityStep::from).filter(at::isBefore).findFirst().orElse(null);
    }
  }

  public static final HeldSteps NONE = new HeldSteps(Map.of());

  public HeldSteps(Map<UsageUnit, List<Step>> steps) {
    this(steps, Activity.NONE);
  }

  public HeldSteps {
    Map<UsageUnit, List<Step>> sorted = new LinkedHashMap<>();
    steps.forEach(
        (unit, its) ->
            sorted.put(unit, its.stream().sorted(Comparator.comparing(Step::from)).toList()));
    steps = Collections.unmodifiableMap(sorted);
  }

  /**
   * A span a session holds nothing in, billed for nothing but the organization's storage: its
   * organization's hold for a spent balance, from its placing to its lifting, or its own
   * hibernation, from its start to its resume ({@code until} null while it lasts), as rating
   * bills them: nothing (a hibernation's time is rated on records at nothing, V81, which add no
   * money, so live cost leaves it out).
   */
  public record Pause(Instant from, Instant until) {}

  /**
   * These steps with nothing held during the pauses of {@code held} and {@code hibernated} (each
   * list apart within itself, as one reason's holds and one session's hibernations are; the two
   * joined where they overlap): a step of nothing where each pause starts, and where it ends the
   * amount in effect then; the steps within a pause are dropped.
   */
  public HeldSteps pausedDuring(List<Pause> held, List<Pause> hibernated) {
    if (held.isEmpty() && hibernated.isEmpty()) {
      return this;
    }
    List<Pause> pauses = joined(held, hibernated);
    Map<UsageUnit, List<Step>> paused = new LinkedHashMap<>();
    steps.forEach(
        (unit, its) -> {
          List<Step> kept = new ArrayList<>();
          for (Step step : its) {
            if (pauses.stream().noneMatch(pause -> within(step.from(), pause))) {
              kept.add(step);
            }
          }
          for (Pause pause : pauses) {
            kept.add(new Step(pause.from(), BigDecimal.ZERO));
            if (pause.until() != null
                && pauses.stream().noneMatch(other -> within(pause.until(), other))
                && its.stream().noneMatch(step -> step.from().equals(pause.until()))) {
              kept.add(new Step(pause.until(), amountAt(its, pause.until())));
            }
          }
          paused.put(unit, kept);
        });
    return new HeldSteps(paused, activity);
  }

  /** The pauses of both lists, those that overlap or touch joined into one, by start. */
  private static List<Pause> joined(List<Pause> held, List<Pause> hibernated) {
    List<Pause> all = new ArrayList<>(held);
    all.addAll(hibernated);
    all.sort(Comparator.comparing(Pause::from));
    List<Pause> joined = new ArrayList<>();
    for (Pause pause : all) {
      Pause last = joined.isEmpty() ? null : joined.get(joined.size() - 1);
      if (last != null && (last.until() == null || !pause.from().isAfter(last.until()))) {
        Instant until =
            last.until() == null || pause.until() == null
                ? null
                : latest(last.until(), pause.until());
        joined.set(joined.size() - 1, new Pause(last.from(), until));
      } else {
        joined.add(pause);
      }
    }
    return joined;
  }

  /** These steps priced by the activity states and factors of {@code activity}. */
  public HeldSteps pricedBy(Activity activity) {
    return new HeldSteps(steps, activity);
  }

  private static boolean within(Instant at, Pause pause) {
    return !at.isBefore(pause.from()) && (pause.until() == null || at.isBefore(pause.until()));
  }

  private static BigDecimal amountAt(List<Step> its, Instant at) {
    BigDecimal amount = BigDecimal.ZERO;
    for (Step step : its) {
      if (step.from().isAfter(at)) {
        break;
      }
      amount = step.amount();
    }
    return amount;
  }

  /** A resource's {@code price} at {@code at}: times the factor of the state then. */
  public BigDecimal priceAt(UsageUnit unit, BigDecimal price, Instant at) {
    BigDecimal factor = activity.rates().factor(activity.stateAt(at), unit);
    return factor.compareTo(BigDecimal.ONE) == 0 ? price : price.multiply(factor);
  }

  /** What it holds at {@code at} of each resource it holds some of. */
  public Map<UsageUnit, BigDecimal> at(Instant at) {
    Map<UsageUnit, BigDecimal> held = new LinkedHashMap<>();
    steps.forEach(
        (unit, its) -> {
          BigDecimal amount = amountAt(its, at);
          if (amount.signum() > 0) {
            held.put(unit, amount);
          }
        });
    return held;
  }

  /**
   * A piece of usage as calculate-usage rates it: {@code unitSeconds} of {@code unit} in {@code
   * [from, to)} at {@code unitPrice} (the resource's price times its activity state's factor),
   * and, at a factor other than 1, its {@code activity} state and the unit-seconds' price it
   * saved ({@code savedUnitSeconds}: unit-seconds × (full price − price)), as a record has them.
   */
  public record Piece(
      UsageUnit unit,
      Instant from,
      Instant to,
      BigDecimal unitSeconds,
      BigDecimal unitPrice,
      String activity,
      BigDecimal savedUnitSeconds) {

    /** A piece at the full price: active time, or time in a state whose factor is 1. */
    public Piece(
        UsageUnit unit, Instant from, Instant to, BigDecimal unitSeconds, BigDecimal unitPrice) {
      this(unit, from, to, unitSeconds, unitPrice, UsageSum.ACTIVE, BigDecimal.ZERO);
    }
  }

  /**
   * The usage of {@code [from, to)}, as calculate-usage will rate it: per resource priced in
   * {@code prices} (the others are not rated), cut at every UTC clock hour (rating's slices never
   * cross one), each piece amount × its exact length in unit-seconds ({@link Seconds}) at the
   * resource's price (times its activity state's factor: each piece is also cut where the
   * state changes); pieces of nothing are left out, as rating stores no zero usage.
   */
  public List<Piece> usage(Instant from, Instant to, Map<UsageUnit, BigDecimal> prices) {
    List<Piece> pieces = new ArrayList<>();
    if (!from.isBefore(to)) {
      return pieces;
    }
    steps.forEach(
        (unit, its) -> {
          BigDecimal price = prices.get(unit);
          if (price == null) {
            return;
          }
          for (int i = 0; i < its.size(); i++) {
            Step step = its.get(i);
            Instant start = latest(step.from(), from);
            Instant end = i + 1 < its.size() ? earliest(its.get(i + 1).from(), to) : to;
            if (step.amount().signum() > 0) {
              cutAtHours(unit, step.amount(), price, start, end, pieces);
            }
          }
        });
    return pieces;
  }

  /**
   * What {@link #usage} of {@code [from, to)} costs, in unit-seconds × price, exactly (unrounded):
   * Σ unitSeconds × unitPrice over its pieces.
   */
  public BigDecimal cost(Instant from, Instant to, Map<UsageUnit, BigDecimal> prices) {
    return usage(from, to, prices).stream()
        .map(piece -> piece.unitSeconds().multiply(piece.unitPrice()))
        .reduce(BigDecimal.ZERO, BigDecimal::add);
  }

  private void cutAtHours(
      UsageUnit unit,
      BigDecimal amount,
      BigDecimal price,
      Instant from,
      Instant to,
      List<Piece> pieces) {
    for (Instant start = from; start.isBefore(to); ) {
      Instant end = earliest(start.truncatedTo(ChronoUnit.HOURS).plus(Duration.ofHours(1)), to);
      Instant change = activity.nextChangeAfter(start);
      if (change != null) {
        end = earliest(end, change);
      }
      BigDecimal priced = priceAt(unit, price, start);
      BigDecimal unitSeconds = amount.multiply(Seconds.between(start, end));
      // as rating records it: time at a factor under its state, with what the factor saved, so
      // that it joins its state's line of the invoice (rounded once with the rated records)
      String state = activity.stateAt(start);
      pieces.add(
          activity.rates().factor(state, unit).compareTo(BigDecimal.ONE) == 0
              ? new Piece(unit, start, end, unitSeconds, priced)
              : new Piece(
                  unit,
                  start,
                  end,
                  unitSeconds,
                  priced,
                  state,
                  unitSeconds.multiply(price.subtract(priced))));
      start = end;
    }
  }

  private static Instant latest(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  private static Instant earliest(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }
}
