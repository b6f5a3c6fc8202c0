package io.streamspace.billing.corrections;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A quantity over time as billing keeps it (a session's cores, memory or held GPUs, an
 * organization's storage level): each step holds from its instant to the next one; nothing (0)
 * before the first. Immutable; pure.
 */
final class StepFunction {

  /** A part of the function over which it holds one value; {@code end} null: on and on. */
  record Segment(Instant start, Instant end, BigDecimal value) {}

  /** Where two functions differ: from {@code start} to {@code end} (null: on and on). */
  record Window(Instant start, Instant end) {}

  static final StepFunction NOTHING = new StepFunction(new TreeMap<>());

  private final NavigableMap<Instant, BigDecimal> steps;

  private StepFunction(NavigableMap<Instant, BigDecimal> steps) {
    this.steps = steps;
  }

  /** The function of these steps, by the instant each starts at. */
  static StepFunction of(Map<Instant, BigDecimal> steps) {
    return new StepFunction(new TreeMap<>(steps));
  }

  BigDecimal at(Instant t) {
    Map.Entry<Instant, BigDecimal> step = steps.floorEntry(t);
    return step == null ? BigDecimal.ZERO : step.getValue();
  }

  /** This function with {@code value} over {@code [from, to)}, and as it was from {@code to}. */
  StepFunction holding(BigDecimal value, Instant from, Instant to) {
    TreeMap<Instant, BigDecimal> changed = new TreeMap<>(steps);
    BigDecimal after = at(to);
    changed.subMap(from, true, to, true).clear();
    changed.put(from, value);
    changed.put(to, after);
    return new StepFunction(changed);
  }

  /** The first and last instants at which the two differ, or null where they are the same. */
  Window differences(StepFunction other) {
    TreeSet<Instant> points = new TreeSet<>(steps.keySet());
    points.addAll(other.steps.keySet());
    Instant first = null;
    Instant last = null;
    boolean open = false;
    List<Instant> ordered = new ArrayList<>(points);
    for (int i = 0; i < ordered.size(); i++) {
      Instant t = ordered.get(i);
      if (at(t).compareTo(other.at(t)) != 0) {
        first = first == null ? t : first;
        open = i == ordered.size() - 1;
        last = open ? null : ordered.get(i + 1);
      }
    }
    return first == null ? null : new Window(first, open ? null : last);
  }

  /**
   * Whether the two hold the same value at every instant of {@code [from, to)} ({@code to} null:
   * on and on).
   */
  boolean sameWithin(StepFunction other, Instant from, Instant to) {
    TreeSet<Instant> points = new TreeSet<>(steps.tailMap(from, false).keySet());
    points.addAll(other.steps.tailMap(from, false).keySet());
    points.add(from);
    return points.stream()
        .filter(t -> to == null || t.isBefore(to))
        .allMatch(t -> at(t).compareTo(other.at(t)) == 0);
  }

  /** Its segments within {@code [from, to)} ({@code to} null: on and on), in order. */
  List<Segment> segments(Instant from, Instant to) {
    List<Segment> segments = new ArrayList<>();
    TreeSet<Instant> points = new TreeSet<>(steps.keySet());
    points.add(from);
    for (Instant start : points.tailSet(from, true)) {
      if (to != null && !start.isBefore(to)) {
        break;
      }
      Instant next = points.higher(start);
      Instant end = next == null || (to != null && next.isAfter(to)) ? to : next;
      segments.add(new Segment(start, end, at(start)));
    }
    return segments;
  }
}
