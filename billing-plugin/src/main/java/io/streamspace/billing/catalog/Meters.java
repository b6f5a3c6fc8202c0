package io.streamspace.billing.catalog;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The meters the config lists ({@code meters}): the built-in ones it keeps and those it adds,
 * counters and held meters, in its order, which is the order meters are shown and judged in.
 * The four measured from sessions (cpu, memory, sessions, storage) and the members (seats) are
 * always there.
 */
public record Meters(List<Meter> all) {

  /** The eight built-in meters: the catalog of a config that lists none. */
  public static final Meters DEFAULT = new Meters(Meter.BUILT_IN);

  public Meters {
    all = List.copyOf(Objects.requireNonNull(all, "all"));
    if (all.stream().map(Meter::configName).distinct().count() != all.size()) {
      throw new IllegalArgumentException("duplicate meter ids: " + all);
    }
  }

  /**
   * The held meters ({@link Meter.Measure#HELD}: GPUs), in order: what sessions hold beyond cpu,
   * memory and storage, in their events' {@code resources}.
   */
  public List<Meter> held() {
    return all.stream().filter(m -> m.measure() == Meter.Measure.HELD).toList();
  }

  /** The ids of the held meters, in order. */
  public List<String> heldIds() {
    return held().stream().map(Meter::configName).toList();
  }

  /** The meter of that id, if the catalog has it. */
  public Optional<Meter> named(String id) {
    return all.stream().filter(m -> m.configName().equals(id)).findFirst();
  }

  /** The period counters, in order: what the platform reports and overage may be rated on. */
  public List<Meter> periodCounters() {
    return all.stream().filter(m -> m.measure() == Meter.Measure.PERIOD_COUNTER).toList();
  }

  /** The ids of the counters whose reports make a period's use by their maximum. */
  public String[] maxCounterIds() {
    return periodCounters().stream()
        .filter(m -> m.aggregation() == Meter.Aggregation.MAX)
        .map(Meter::configName)
        .toArray(String[]::new);
  }

  /** Every id, in order. */
  public List<String> ids() {
    return all.stream().map(Meter::configName).toList();
  }

  /** The ids, comma separated: what an unknown meter's error lists. */
  public String listed() {
    return String.join(", ", ids());
  }

  /**
   * An order of meters that needs no catalog: the built-in ones in their order, then the others
   * by id (how a plan's limits and a pack's additions are written back).
   */
  public static final Comparator<Meter> BUILT_IN_FIRST =
      Comparator.comparingInt(
              (Meter m) -> {
                int i = Meter.BUILT_IN.indexOf(m);
                return i < 0 ? Meter.BUILT_IN.size() : i;
              })
          .thenComparing(Meter::configName);

  /** Its position in the catalog (shown and judged in that order); -1 when not in it. */
  public int position(Meter meter) {
    return all.indexOf(meter);
  }
}
